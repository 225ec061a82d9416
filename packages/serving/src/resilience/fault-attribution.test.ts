import { describe, expect, it } from 'vitest';
import { MlsdError } from '@mlsd/data';
import { isDependencyFailure, isEventCausedModelFailure } from './fault-attribution.js';

describe('fault attribution', () => {
  it('blames the dependency only when it was unreachable, failed by itself or timed out', () => {
    expect(isDependencyFailure(new MlsdError('UNAVAILABLE', 'redis down'))).toBe(true);
    expect(isDependencyFailure(new MlsdError('TIMEOUT', 'slow'))).toBe(true);
    expect(isDependencyFailure(new MlsdError('IO_ERROR', 'disk'))).toBe(true);
    // The event's own errors: refused values, and code throwing on them (toISOString of 1e16).
    expect(isDependencyFailure(new MlsdError('INVALID_INPUT', 'late'))).toBe(false);
    let rangeError: unknown;
    try {
      new Date(1e16).toISOString();
    } catch (error) {
      rangeError = error;
    }
    expect(rangeError).toBeInstanceOf(RangeError);
    expect(isDependencyFailure(rangeError)).toBe(false);
    expect(isDependencyFailure(new MlsdError('INTERNAL', 'bug'))).toBe(false);
  });

  it('blames the event for a model failure on a non-finite feature vector', () => {
    expect(isEventCausedModelFailure(Float64Array.of(1, Number.POSITIVE_INFINITY))).toBe(true);
    expect(isEventCausedModelFailure(Float64Array.of(Number.NaN, 2))).toBe(true);
    expect(isEventCausedModelFailure(Float64Array.of(1e300, -2))).toBe(false);
  });
});
