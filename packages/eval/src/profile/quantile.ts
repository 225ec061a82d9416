/**
 * The finite values of `values` (NaN and ±Infinity dropped, as missing), sorted ascending, in a new array.
 * Infinite values are treated as missing because no distance between distributions is defined with them.
 */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) count++;
  const out = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[k++] = v;
  }
  return out.sort();
}

/**
 * The `p`-quantile (0 <= p <= 1) of an ascending-sorted, non-empty sample, by linear interpolation between order
 * statistics (Hyndman & Fan type 7, the default of R and NumPy): position h = (n - 1) p.
 * Returns NaN for an empty sample.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const low = sorted[lo]!;
  return low + (h - lo) * (sorted[hi]! - low);
}

/** The number of values in the ascending-sorted `sorted` that are <= `x` (binary search). */
export function countAtMost(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The number of values in the ascending-sorted `sorted` that are < `x` (binary search). */
export function countBelow(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
