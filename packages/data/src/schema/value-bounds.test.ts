import { describe, expect, it } from 'vitest';
import { checkEventTime, checkNumber, MAX_EVENT_TIME_MS } from './value-bounds.js';

const NOW = Date.UTC(2026, 11, 5);
const DAY = 86_400_000;

describe('checkEventTime', () => {
  it('accepts history (replays) and times up to the horizon ahead of the clock or the latest event', () => {
    expect(checkEventTime(Date.UTC(2018, 3, 1), { latest: -Infinity, now: NOW })).toBeUndefined();
    expect(checkEventTime(NOW + DAY, { latest: -Infinity, now: NOW })).toBeUndefined();
    // Simulated future data moving forward a day at a time: the reference is the latest event, not the clock.
    expect(checkEventTime(NOW + 10 * DAY, { latest: NOW + 9 * DAY, now: NOW })).toBeUndefined();
  });

  it('refuses non-finite times, times outside the Date range, epoch seconds and times beyond the horizon', () => {
    expect(checkEventTime(Number.NaN, { latest: -Infinity, now: NOW })).toMatch(/is NaN; give the event time as finite epoch milliseconds/);
    // 1e16 ms: new Date(1e16).toISOString() throws RangeError.
    expect(() => new Date(1e16).toISOString()).toThrow(RangeError);
    expect(checkEventTime(1e16, { latest: -Infinity, now: NOW })).toMatch(/outside the JavaScript date range ±8640000000000000/);
    expect(checkEventTime(-MAX_EVENT_TIME_MS - 1, { latest: -Infinity, now: NOW })).toMatch(/outside the JavaScript date range/);
    // 2018-04-01 in epoch seconds.
    expect(checkEventTime(1_522_540_831, { latest: -Infinity, now: NOW })).toMatch(
      /1970-01-18T14:55:40.831Z\), below 100000000000 \(1973-03-03\): ambiguous with epoch seconds/,
    );
    expect(checkEventTime(1_522_540_831, { latest: -Infinity, now: NOW, refuseAmbiguousEpoch: false })).toBeUndefined();
    expect(checkEventTime(Date.UTC(9999, 11, 31, 23, 59, 59), { latest: -Infinity, now: NOW })).toMatch(
      /is 9999-12-31T23:59:59.000Z, more than the horizon of 86400000 ms ahead .*\(2026-12-05T00:00:00.000Z\)/,
    );
    expect(checkEventTime(NOW + DAY + 1, { latest: -Infinity, now: NOW })).toMatch(/horizon of 86400000 ms/);
    expect(checkEventTime(NOW + 2 * DAY, { latest: -Infinity, now: NOW, horizonMs: 3 * DAY })).toBeUndefined();
  });
});

describe('checkNumber', () => {
  it('accepts finite numbers within inclusive bounds and names the bound that is broken', () => {
    expect(checkNumber(0, { min: 0, max: 1e9 })).toBeUndefined();
    expect(checkNumber(1e9, { min: 0, max: 1e9 })).toBeUndefined();
    expect(checkNumber(1e308, { min: 0, max: 1e9 })).toBe('is 1e+308, above the maximum 1000000000');
    expect(checkNumber(-0.01, { min: 0 })).toBe('is -0.01, below the minimum 0');
    expect(checkNumber(Number.POSITIVE_INFINITY)).toBe('is Infinity; give a finite number');
  });
});
