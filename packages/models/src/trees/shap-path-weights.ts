/**
 * The permutation-weight arithmetic of TreeSHAP's "unique path" (Lundberg, Erion & Lee 2018, Algorithm 2), shared
 * by the recursion (`tree-shap.ts`) and the lookup tables (`tree-shap-tables.ts`). A path of `depth + 1` elements
 * keeps its weights at `weight[start..start + depth]`; element 0 is the root's placeholder (fractions 1, 1).
 * `inverse[k]` is 1 / k (see {@link reciprocals}): the inner loops multiply where the paper divides by small whole
 * numbers, which bounded the explanation's speed.
 */

/** `inverse[k]` = 1 / k for k from 1 to `largest` (index 0 unused). */
export function reciprocals(largest: number): Float64Array {
  const inverse = new Float64Array(largest + 1);
  for (let k = 1; k <= largest; k++) inverse[k] = 1 / k;
  return inverse;
}

/** EXTEND's weights: adds an element with fractions (`zero`, `one`) as element `depth` of the path at `start`. */
export function extendWeights(weight: Float64Array, start: number, depth: number, zero: number, one: number, inverse: Float64Array): void {
  weight[start + depth] = depth === 0 ? 1 : 0;
  const byLength = inverse[depth + 1]!;
  const oneShare = one * byLength;
  const zeroShare = zero * byLength;
  for (let i = depth - 1; i >= 0; i--) {
    const wi = weight[start + i]!;
    weight[start + i + 1]! += oneShare * wi * (i + 1);
    weight[start + i] = zeroShare * wi * (depth - i);
  }
}

/**
 * Σ w[i] / (depth - i) over the path at `start`: unwinding any element the row does not follow (one fraction 0)
 * sums these same weights, divided by its own zero fraction, so a leaf computes it once for all of them.
 */
export function offPathWeightSum(weight: Float64Array, start: number, depth: number, inverse: Float64Array): number {
  let sum = 0;
  for (let i = depth - 1; i >= 0; i--) sum += weight[start + i]! * inverse[depth - i]!;
  return sum;
}

/**
 * At a leaf, what an element with fractions (`zero`, `one`) of the path at `start` adds to its feature per unit of
 * leaf value: the path's total permutation weight with the element unwound, times (`one` - `zero`). `offPath` is
 * {@link offPathWeightSum} of the path (used when `one` is 0).
 */
export function elementShare(weight: Float64Array, start: number, depth: number, zero: number, one: number, inverse: Float64Array, offPath: number): number {
  const length = depth + 1;
  // Off the path: (length / zero) · offPath, times (0 - zero).
  if (one === 0) return zero === 0 ? 0 : -length * offPath;
  const byOne = length / one;
  const zeroShare = zero * inverse[length]!;
  let total = 0;
  let next = weight[start + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    const tmp = next * byOne * inverse[i + 1]!;
    total += tmp;
    next = weight[start + i]! - tmp * zeroShare * (depth - i);
  }
  return total * (one - zero);
}
