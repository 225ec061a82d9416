import { MlsdError } from '@mlsd/data';

/**
 * Jensen–Shannon divergence between two binned distributions, in bits (log base 2), so it lies in [0, 1]:
 * JSD(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M) with M = (P + Q) / 2 and 0 · log 0 = 0 (no epsilon needed: M > 0
 * wherever P or Q is). Lin (1991), https://doi.org/10.1109/18.61115. Inputs are proportions over the same bins.
 */
export function jensenShannonDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) {
    throw new MlsdError('INVALID_INPUT', `jensenShannonDivergence: p has ${p.length} bins but q has ${q.length}; bin both with the same edges.`);
  }
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    const m = (a + b) / 2;
    if (a > 0) divergence += 0.5 * a * Math.log2(a / m);
    if (b > 0) divergence += 0.5 * b * Math.log2(b / m);
  }
  // Rounding can leave a tiny negative value for identical inputs; the divergence is non-negative.
  return Math.max(0, divergence);
}

/**
 * Jensen–Shannon distance: the square root of {@link jensenShannonDivergence} (base 2), a metric in [0, 1]
 * (Endres & Schindelin 2003). It is what SciPy's `jensenshannon(p, q, base=2)` returns.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  return Math.sqrt(jensenShannonDivergence(p, q));
}
