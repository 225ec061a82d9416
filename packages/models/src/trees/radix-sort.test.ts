import { SeededRandom } from '@mlsd/data';
import { describe, expect, it } from 'vitest';
import { radixSortFloat64 } from './radix-sort.js';

/** Same length and, element by element, the same double (Object.is: −0 and +0 differ). */
function expectSameDoubles(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect({ i, actual: actual[i] }).toEqual({ i, actual: expected[i] });
  }
}

const SPECIAL = [0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 2 ** -1030];

describe('radixSortFloat64', () => {
  it('sorts exactly as Float64Array.prototype.sort, over seeded mixes of magnitudes, signs, ties and special values', () => {
    for (let seed = 0; seed < 60; seed++) {
      const rng = new SeededRandom(seed);
      const n = [0, 1, 2, 3, 17, 1000, 5000][seed % 7]!;
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const kind = Math.floor(rng.nextFloat() * 5);
        if (kind === 0) values[i] = SPECIAL[Math.floor(rng.nextFloat() * SPECIAL.length)]!;
        else if (kind === 1)
          values[i] = Math.round(rng.nextFloat() * 8) - 4; // heavy ties
        else if (kind === 2) values[i] = (rng.nextFloat() - 0.5) * 10 ** Math.floor(rng.nextFloat() * 40 - 20);
        else values[i] = (rng.nextFloat() - 0.3) * 1000;
      }
      const expected = values.slice().sort();
      expectSameDoubles(radixSortFloat64(values), expected);
    }
  });

  it('sorts a subarray in place, with or without scratch, and leaves the rest of the buffer alone', () => {
    const buffer = Float64Array.from([9, 3, -2, 0, -0, 7, 5, -8]);
    const scratch = new Float64Array(10);
    const out = radixSortFloat64(buffer.subarray(1, 7), scratch);
    expectSameDoubles(out, Float64Array.from([-2, -0, 0, 3, 5, 7]));
    expect(buffer[0]).toBe(9);
    expect(buffer[7]).toBe(-8);
    expectSameDoubles(radixSortFloat64(Float64Array.from([2, 1])), Float64Array.from([1, 2]));
  });

  it('keeps a column whose keys share most digits (passes skipped) sorted', () => {
    const values = Float64Array.from({ length: 3000 }, (_, i) => 1 + ((i * 7919) % 3000));
    expectSameDoubles(radixSortFloat64(values.slice()), values.slice().sort());
  });
});
