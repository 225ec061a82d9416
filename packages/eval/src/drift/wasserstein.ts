import { sortedFinite } from '../profile/quantile.js';
import { sketchProbabilities } from '../profile/sketch-levels.js';

/**
 * The exact 1-D Wasserstein (earth mover's) distance W₁ between two samples, in the samples' units:
 * ∫ |F_a(x) - F_b(x)| dx over the merged sorted values (NaN ignored as missing). Equal to SciPy's
 * `wasserstein_distance(a, b)`. NaN when either sample is empty.
 */
export function wassersteinDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = sortedFinite(a);
  const y = sortedFinite(b);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let total = 0;
  let previous = Math.min(x[0]!, y[0]!);
  while (i < n || j < m) {
    const v = Math.min(i < n ? x[i]! : Infinity, j < m ? y[j]! : Infinity);
    // Both CDFs are constant on [previous, v): add the area between them.
    total += (v - previous) * Math.abs(i / n - j / m);
    while (i < n && x[i]! <= v) i++;
    while (j < m && y[j]! <= v) j++;
    previous = v;
  }
  return total;
}

/**
 * W₁ between a sample (ascending-sorted, finite) and a reference known only through its quantile sketch:
 * `quantiles[k]` is the reference quantile at probability `levels[k]` (ascending from 0 to 1, as in a reference
 * profile; default the uniform grid k/(len-1)). W₁ = ∫₀¹ |Q_ref(p) - Q_sample(p)| dp, with Q_ref piecewise linear
 * between sketch points and Q_sample the sample's step quantile function. The integral is computed exactly for
 * that Q_ref (no grid), so the only approximation is the sketch itself: within the sketch's interpolation error
 * of the W₁ to the full reference sample. NaN when either side is empty. Throws `INVALID_INPUT` when `levels`
 * and `quantiles` differ in length.
 */
export function wassersteinAgainstQuantiles(quantiles: readonly number[], sorted: Float64Array, levels?: readonly number[]): number {
  const n = sorted.length;
  const m = quantiles.length - 1;
  if (n === 0 || m < 0) return Number.NaN;
  if (m === 0) {
    let total = 0;
    for (let i = 0; i < n; i++) total += Math.abs(sorted[i]! - quantiles[0]!);
    return total / n;
  }
  const p = sketchProbabilities(quantiles, levels, 'wassersteinAgainstQuantiles');
  let j = 0; // reference segment [p[j], p[j+1]]
  let i = 0; // sample step (i/n, (i+1)/n] holds sorted[i]
  let at = 0;
  let total = 0;
  while (j < m && i < n) {
    const refNext = p[j + 1]!;
    const sampleNext = (i + 1) / n;
    const end = Math.min(refNext, sampleNext);
    const q0 = quantiles[j]!;
    const slope = (quantiles[j + 1]! - q0) / (refNext - p[j]!);
    const c = sorted[i]!;
    total += integralOfAbsLine(q0 + slope * (at - p[j]!) - c, q0 + slope * (end - p[j]!) - c, end - at);
    at = end;
    if (refNext <= end) j++;
    if (sampleNext <= end) i++;
  }
  return total;
}

/** ∫ over an interval of `width` of |f| where f is linear from `a` to `b`. */
function integralOfAbsLine(a: number, b: number, width: number): number {
  if ((a >= 0 && b >= 0) || (a <= 0 && b <= 0)) return (width * Math.abs(a + b)) / 2;
  // The line crosses zero: two triangles.
  return (width * (a * a + b * b)) / (2 * Math.abs(b - a));
}
