import { describe, expect, it } from 'vitest';
import { MlsdError } from '../errors/mlsd-error.js';
import { countPositives } from './binary-labels.js';

describe('countPositives', () => {
  it('counts the 1s of a 0/1 array', () => {
    expect(countPositives(Uint8Array.from([0, 1, 1, 0, 1]))).toBe(3);
    expect(countPositives(new Uint8Array(0))).toBe(0);
  });

  it('names the argument and the row of the first label that is not 0 or 1', () => {
    let caught: unknown;
    try {
      countPositives(Uint8Array.from([0, 1, 2, 7]), 'y');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MlsdError);
    expect((caught as MlsdError).message).toBe('y[2] is 2; labels must be 0 or 1.');
    expect((caught as MlsdError).location).toEqual({ row: 2, field: 'y' });
    expect(() => countPositives(Uint8Array.from([3]), 'y', 'LogisticRegression.fit')).toThrow('LogisticRegression.fit: y[0] is 3; labels must be 0 or 1.');
  });
});
