import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { sortIndices } from '@mlsd/eval';

/** Reference: a stable comparison sort of 0..n-1. */
function reference(keys: Float64Array, direction: 'ascending' | 'descending', within?: Int32Array): number[] {
  const rows = within === undefined ? Array.from(keys, (_, i) => i) : Array.from(within);
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, position) => ({ row, position }))
    .sort((a, b) => sign * (keys[a.row]! - keys[b.row]!) || a.position - b.position)
    .map((entry) => entry.row);
}

describe('sortIndices', () => {
  it('orders large arrays (radix path) stably, with negatives, ±0, ties and extremes', () => {
    const random = new SeededRandom(3);
    const n = 20_000;
    const keys = new Float64Array(n);
    const pool = [-0, 0, -1e300, 1e300, -Number.MIN_VALUE, Number.MIN_VALUE, -Infinity, Infinity, 0.5, -0.5];
    for (let i = 0; i < n; i++) keys[i] = i % 3 === 0 ? pool[random.nextInt(pool.length)]! : random.normal() * 10 ** random.nextInt(6);
    for (const direction of ['ascending', 'descending'] as const) {
      expect(Array.from(sortIndices(keys, direction))).toEqual(reference(keys, direction));
    }
  });

  it('orders small arrays (comparison path) the same way and sorts only the rows of `within`', () => {
    const keys = Float64Array.from([3, 1, 2, 1, 3, 0]);
    expect(Array.from(sortIndices(keys, 'descending'))).toEqual([0, 4, 2, 1, 3, 5]);
    expect(Array.from(sortIndices(keys, 'ascending'))).toEqual([5, 1, 3, 2, 0, 4]);
    expect(Array.from(sortIndices(keys, 'ascending', Int32Array.from([4, 3, 0, 1])))).toEqual([3, 1, 4, 0]);
  });

  it('chains: sorting by card, then stably by day, groups rows by day then card (radix path)', () => {
    const random = new SeededRandom(11);
    const n = 5000;
    const card = new Float64Array(n);
    const day = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      card[i] = random.nextInt(300);
      day[i] = random.nextInt(20);
    }
    const rows = sortIndices(day, 'ascending', sortIndices(card, 'ascending'));
    for (let i = 1; i < n; i++) {
      const a = rows[i - 1]!;
      const b = rows[i]!;
      const ordered = day[a]! < day[b]! || (day[a] === day[b] && (card[a]! < card[b]! || (card[a] === card[b] && a < b)));
      expect(ordered).toBe(true);
    }
  });
});
