/** The result of a two-sided two-proportion z-test. */
export interface ProportionTest {
  /** x₁/n₁ and x₂/n₂ (NaN when n is 0). */
  readonly p1: number;
  readonly p2: number;
  /** p₂ - p₁. */
  readonly difference: number;
  readonly z: number;
  /** Two-sided p-value; NaN when the test is undefined (an empty group, or both proportions 0 or 1). */
  readonly pValue: number;
  /**
   * True when every group has at least 5 successes and 5 failures, the usual condition for the normal
   * approximation; below it read the p-value with care (Fisher's exact test would be the alternative).
   */
  readonly approximationValid: boolean;
}

/**
 * Two-sided two-proportion z-test with pooled variance: z = (p₂ - p₁) / √(p̂(1-p̂)(1/n₁ + 1/n₂)), p̂ = (x₁+x₂)/(n₁+n₂),
 * p-value = 2(1 - Φ(|z|)). E.g. 40/100 vs 60/100 gives z = 2.828, p = 0.00468.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): ProportionTest {
  const p1 = n1 > 0 ? x1 / n1 : Number.NaN;
  const p2 = n2 > 0 ? x2 / n2 : Number.NaN;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const valid = n1 > 0 && n2 > 0 && se > 0;
  const z = valid ? (p2 - p1) / se : Number.NaN;
  return {
    p1,
    p2,
    difference: p2 - p1,
    z,
    pValue: valid ? erfc(Math.abs(z) / Math.SQRT2) : Number.NaN,
    approximationValid: Math.min(x1, n1 - x1, x2, n2 - x2) >= 5,
  };
}

/**
 * The complementary error function, with relative error below 1.2e-7 everywhere (the Chebyshev fit of
 * Numerical Recipes §6.2, `erfcc`). 2(1 - Φ(|z|)) = erfc(|z|/√2).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Two-sided z-test of the difference between two ratios of sums when whole clusters (cards) were randomised
 * but outcomes are counted per transaction: arm k's ratio is R = ΣY / ΣX over its clusters (e.g. frauds caught /
 * frauds), with the delta-method variance of a ratio metric, Var(R) = n / (ΣX)² · Σ(Y_c - R·X_c)² / (n - 1)
 * over its n clusters (Deng, Knoblich & Lu 2018, "Applying the Delta Method in Metric Analytics",
 * https://arxiv.org/abs/1803.06336); z = (R₂ - R₁) / √(Var₁ + Var₂). With one transaction per cluster it is the
 * unpooled two-proportion z-test. Transactions of one card are correlated (a compromised card yields many
 * frauds), so the per-transaction test understates the variance; this one does not.
 * `y1`/`x1` and `y2`/`x2` hold one entry per cluster. `approximationValid` also requires 20 clusters per arm.
 */
export function clusteredRatioTest(y1: ArrayLike<number>, x1: ArrayLike<number>, y2: ArrayLike<number>, x2: ArrayLike<number>): ProportionTest {
  const a = ratioVariance(y1, x1);
  const b = ratioVariance(y2, x2);
  const se = Math.sqrt(a.variance + b.variance);
  const valid = a.sumX > 0 && b.sumX > 0 && a.clusters > 1 && b.clusters > 1 && se > 0;
  const z = valid ? (b.ratio - a.ratio) / se : Number.NaN;
  return {
    p1: a.ratio,
    p2: b.ratio,
    difference: b.ratio - a.ratio,
    z,
    pValue: valid ? erfc(Math.abs(z) / Math.SQRT2) : Number.NaN,
    approximationValid: Math.min(a.sumY, a.sumX - a.sumY, b.sumY, b.sumX - b.sumY) >= 5 && Math.min(a.clusters, b.clusters) >= 20,
  };
}

function ratioVariance(y: ArrayLike<number>, x: ArrayLike<number>): { ratio: number; variance: number; sumX: number; sumY: number; clusters: number } {
  const n = Math.min(y.length, x.length);
  let sumY = 0;
  let sumX = 0;
  for (let c = 0; c < n; c++) {
    sumY += y[c]!;
    sumX += x[c]!;
  }
  const ratio = sumX > 0 ? sumY / sumX : Number.NaN;
  let squares = 0;
  for (let c = 0; c < n; c++) squares += (y[c]! - ratio * x[c]!) ** 2;
  const variance = n > 1 && sumX > 0 ? (n / (sumX * sumX)) * (squares / (n - 1)) : Number.NaN;
  return { ratio, variance, sumX, sumY, clusters: n };
}
