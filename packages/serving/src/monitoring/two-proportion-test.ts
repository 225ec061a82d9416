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
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
