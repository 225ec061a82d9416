import { denseMatrix, SeededRandom } from '@mlsd/data';
import { describe, expect, it } from 'vitest';
import { SortedColumn } from './quantile-bins.js';

/** Same length and, element by element, the same double (Object.is: −0 and +0 differ). */
function expectSameDoubles(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect({ i, actual: actual[i] }).toEqual({ i, actual: expected[i] });
  }
}

const SPECIAL = [0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 2 ** -1030, Number.NaN];

/** Seeded mixes of magnitudes, signs, ties, special values and NaN. */
function mixedValues(seed: number, n: number): Float64Array {
  const rng = new SeededRandom(seed);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(rng.nextFloat() * 5);
    if (kind === 0) values[i] = SPECIAL[Math.floor(rng.nextFloat() * SPECIAL.length)]!;
    else if (kind === 1)
      values[i] = Math.round(rng.nextFloat() * 8) - 4; // heavy ties
    else if (kind === 2) values[i] = (rng.nextFloat() - 0.5) * 10 ** Math.floor(rng.nextFloat() * 40 - 20);
    else values[i] = (rng.nextFloat() - 0.3) * 1000;
  }
  return values;
}

describe('SortedColumn (the binning kernel)', () => {
  it('sorts the non-missing values exactly as Float64Array.prototype.sort, over seeded mixes with special values', () => {
    for (let seed = 0; seed < 40; seed++) {
      const n = [1, 2, 3, 17, 1000, 5000][seed % 6]!;
      const values = mixedValues(seed, n);
      // Two columns, so the copy of column 1 out of the row-major matrix is exercised too.
      const data = new Float64Array(2 * n);
      for (let r = 0; r < n; r++) {
        data[2 * r] = r;
        data[2 * r + 1] = values[r]!;
      }
      const column = new SortedColumn(denseMatrix(data, n, 2, ['a', 'b']), new Uint8Array(n).fill(1));
      expectSameDoubles(column.positives(1), values.filter((v) => !Number.isNaN(v)).sort());
      column.release();
    }
  });

  it('keeps only the rows labelled 1 for positives(), and counts distinct values (−0 and +0 as one) for load()', () => {
    const values = Float64Array.from([3, -0, 1, 0, Number.NaN, 3, 3, -2, 1]);
    const labels = Uint8Array.from([1, 0, 1, 1, 1, 0, 1, 0, 0]);
    const column = new SortedColumn(denseMatrix(values, values.length, 1, ['x']), labels);
    expectSameDoubles(column.positives(0), Float64Array.from([0, 1, 3, 3]));
    column.load(0);
    expect(column.total).toBe(8);
    expect(column.size).toBe(4);
    expectSameDoubles(column.distinct.subarray(0, 4), Float64Array.from([-2, -0, 1, 3]));
    expect(Array.from(column.counts.subarray(0, 4))).toEqual([1, 2, 2, 3]);
    column.release();
  });

  it('sorts a column whose keys share most digits (radix passes skipped) and one of all-missing values', () => {
    const n = 3000;
    const values = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % n));
    const column = new SortedColumn(denseMatrix(values, n, 1, ['x']), new Uint8Array(n).fill(1));
    expectSameDoubles(column.positives(0), values.slice().sort());
    const missing = new SortedColumn(denseMatrix(new Float64Array(5).fill(Number.NaN), 5, 1, ['x']));
    expect(missing.load(0).total).toBe(0);
    expect(missing.size).toBe(0);
  });
});
