import fc from 'fast-check';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { isoTimeFlag } from './flag-parsers.js';

// Any millisecond from 1970 to 2100, a range the data's event times live in.
const times = fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) });

describe('isoTimeFlag', () => {
  it('reads an ISO time with its zone, without one (as UTC) and with a space for the T, as the same instant', () => {
    fc.assert(
      fc.property(times, (time) => {
        const iso = new Date(time).toISOString(); // 2018-08-08T10:11:12.345Z
        const local = iso.slice(0, -1);
        expect(isoTimeFlag(iso)).toBe(time);
        expect(isoTimeFlag(local)).toBe(time);
        expect(isoTimeFlag(local.replace('T', ' '))).toBe(time);
        expect(isoTimeFlag(`${local}+02:00`)).toBe(time - 2 * 3_600_000);
      }),
    );
  });

  it('reads a date alone as midnight UTC', () => {
    expect(isoTimeFlag('2018-08-08')).toBe(Date.UTC(2018, 7, 8));
    expect(isoTimeFlag(' 2018-08-08 ')).toBe(Date.UTC(2018, 7, 8));
  });

  it('refuses anything else, naming the value', () => {
    for (const bad of ['', 'yesterday', '2018-13-01', '08/08/2018x']) {
      expect(() => isoTimeFlag(bad)).toThrow(InvalidArgumentError);
      expect(() => isoTimeFlag(bad)).toThrow(`got "${bad}"`);
    }
  });
});
