import { countAtMost, countBelow, sortedFinite } from '../profile/quantile.js';
import { sketchProbabilities } from '../profile/sketch-levels.js';

/**
 * The two-sample Kolmogorov–Smirnov statistic D = sup_x |F_a(x) - F_b(x)| between two samples (exact, ties
 * handled; NaN values are ignored as missing). 0 when either sample is empty.
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = sortedFinite(a);
  const y = sortedFinite(b);
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) return 0;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    // Step past every copy of the smallest remaining value in both samples, then compare the two CDFs there.
    const v = Math.min(x[i]!, y[j]!);
    while (i < n && x[i]! <= v) i++;
    while (j < m && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return d;
}

/**
 * The survival function of the Kolmogorov distribution, Q(λ) = P(K > λ) = 2 Σ_{k≥1} (-1)^{k-1} e^{-2k²λ²}
 * (Numerical Recipes §14.3). Q(0) = 1, Q(1.358) ≈ 0.05.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda <= 0) return 1;
  // The series converges slowly for small λ but there Q is 1 to double precision.
  if (lambda < 0.18) return 1;
  let sum = 0;
  let sign = 1;
  for (let k = 1; k <= 100; k++) {
    const term = sign * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-16) break;
    sign = -sign;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * The asymptotic two-sided p-value of a two-sample KS statistic `d` for sample sizes `n` and `m`:
 * Q((√nₑ + 0.12 + 0.11/√nₑ) · d) with nₑ = n·m/(n+m) (Stephens' small-sample correction, Numerical Recipes
 * §14.3). Use `m = Infinity` for a one-sample test against a known distribution. NaN when n or m is 0.
 */
export function ksPValue(d: number, n: number, m: number): number {
  if (!(n > 0) || !(m > 0)) return Number.NaN;
  const ne = m === Infinity ? n : (n * m) / (n + m);
  const root = Math.sqrt(ne);
  return kolmogorovSurvival((root + 0.12 + 0.11 / root) * d);
}

/**
 * The KS statistic between a sample (ascending-sorted, finite) and a reference distribution known only through its
 * quantile sketch: `quantiles[k]` is the reference quantile at probability `levels[k]` (ascending from 0 to 1, as
 * in a reference profile; default the uniform grid k/(len-1)). The reference CDF is taken as piecewise linear
 * between sketch points, with a jump where sketch points repeat (a point mass); the supremum of
 * |F_sample - F_ref| is then exact for that CDF, since it is reached at a sample value or a sketch point, from the
 * left or the right. With percentile levels the reference CDF is within 0.01 of the true one. 0 when either side
 * is empty. Throws `INVALID_INPUT` when `levels` and `quantiles` differ in length.
 */
export function ksAgainstQuantiles(quantiles: readonly number[], sorted: Float64Array, levels?: readonly number[]): number {
  const n = sorted.length;
  if (n === 0 || quantiles.length === 0) return 0;
  const p = sketchProbabilities(quantiles, levels, 'ksAgainstQuantiles');
  let d = 0;
  // Every distinct sample value: its copies occupy [i, k), so F(v-) = i/n and F(v) = k/n without a search.
  for (let i = 0; i < n; ) {
    const v = sorted[i]!;
    let k = i + 1;
    while (k < n && sorted[k] === v) k++;
    d = Math.max(d, Math.abs(k / n - referenceCdf(quantiles, p, v, false)), Math.abs(i / n - referenceCdf(quantiles, p, v, true)));
    i = k;
  }
  // Every sketch point (few): search the sample.
  for (const q of quantiles) {
    d = Math.max(
      d,
      Math.abs(countAtMost(sorted, q) / n - referenceCdf(quantiles, p, q, false)),
      Math.abs(countBelow(sorted, q) / n - referenceCdf(quantiles, p, q, true)),
    );
  }
  return d;
}

/** F_ref(x) (right-continuous) or its left limit F_ref(x-) from a quantile sketch, see ksAgainstQuantiles. */
function referenceCdf(q: readonly number[], p: readonly number[], x: number, leftLimit: boolean): number {
  const m = q.length - 1;
  const first = q[0]!;
  const last = q[m]!;
  if (leftLimit) {
    if (x <= first) return 0;
    if (x > last) return 1;
    // j = first index with q[j] >= x; then q[j-1] < x <= q[j], so the segment has positive width.
    let lo = 1;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (q[mid]! >= x) hi = mid;
      else lo = mid + 1;
    }
    const a = q[lo - 1]!;
    return p[lo - 1]! + ((x - a) / (q[lo]! - a)) * (p[lo]! - p[lo - 1]!);
  }
  if (x < first) return 0;
  if (x >= last) return 1;
  // j = last index with q[j] <= x; then q[j] <= x < q[j+1].
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (q[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  const a = q[lo]!;
  return p[lo]! + ((x - a) / (q[lo + 1]! - a)) * (p[lo + 1]! - p[lo]!);
}
