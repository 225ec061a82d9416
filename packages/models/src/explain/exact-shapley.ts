import { MlsdError, type DenseMatrix } from '@mlsd/data';

/** The largest input count {@link exactShapley} enumerates (2^16 coalitions per row). */
export const EXACT_SHAPLEY_MAX_INPUTS = 16;

/**
 * Exact Shapley values of a model output against one baseline row (interventional, single reference): for
 * each row, every coalition S of inputs is scored with S's columns from the row and the others from the
 * baseline (2^cols evaluations, in one `evaluate` call per row), and input i gets
 * Σ_{S ∌ i} |S|!(n − |S| − 1)!/n! · (v(S ∪ {i}) − v(S)). The values of a row sum to v(all) − v(none) exactly
 * (up to rounding). Meant for offline checks of faster explanations: 15 inputs cost 32,768 evaluations a row.
 * Returns row-major `X.rows` x `X.cols`.
 */
export function exactShapley(evaluate: (X: DenseMatrix) => Float64Array, X: DenseMatrix, baseline: Float64Array): Float64Array {
  const n = X.cols;
  if (n > EXACT_SHAPLEY_MAX_INPUTS) {
    throw new MlsdError(
      'INVALID_INPUT',
      `exactShapley: ${n} inputs means 2^${n} evaluations per row; use at most ${EXACT_SHAPLEY_MAX_INPUTS} inputs or an approximation (integrated gradients).`,
    );
  }
  if (baseline.length !== n) {
    throw new MlsdError('SCHEMA_MISMATCH', `exactShapley: the baseline has ${baseline.length} values but X has ${n} columns; pass one value per column.`);
  }
  const coalitions = 1 << n;
  // weight[s] = s!(n − s − 1)!/n! for a coalition of size s not holding i.
  const weight = new Float64Array(n);
  for (let s = 0; s < n; s++) weight[s] = 1 / (n * binomial(n - 1, s));
  const size = new Uint8Array(coalitions);
  for (let m = 1; m < coalitions; m++) size[m] = size[m >> 1]! + (m & 1);
  const data = new Float64Array(coalitions * n);
  const out = new Float64Array(X.rows * n);
  for (let r = 0; r < X.rows; r++) {
    for (let m = 0; m < coalitions; m++) {
      for (let c = 0; c < n; c++) data[m * n + c] = (m >> c) & 1 ? X.data[r * n + c]! : baseline[c]!;
    }
    const v = evaluate({ data, rows: coalitions, cols: n, featureNames: X.featureNames });
    for (let i = 0; i < n; i++) {
      const bit = 1 << i;
      let phi = 0;
      for (let m = 0; m < coalitions; m++) if ((m & bit) === 0) phi += weight[size[m]!]! * (v[m | bit]! - v[m]!);
      out[r * n + i] = phi;
    }
  }
  return out;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}
