import { checkLabelsAndScores, checkWeights, rejectUnknownOptions, requireBothClasses, type Scores } from './check-inputs.js';
import { rankingMetrics, rankRows, thresholdCounts } from './threshold-counts.js';

/** Options of {@link rocCurve}. */
export interface RocCurveOptions {
  /**
   * Drop thresholds that do not change the curve's shape, exactly as scikit-learn's `drop_intermediate=True`
   * (the default there and here): an inner point is kept when the second difference of the false- or
   * true-positive counts around it is non-zero. The area is unchanged.
   */
  readonly dropIntermediate?: boolean;
  /** A weight >= 0 per row; default 1. */
  readonly sampleWeight?: Float64Array;
}

/** A ROC curve: `fpr[i]`, `tpr[i]` when alerting on scores >= `thresholds[i]`. */
export interface RocCurve {
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  /** Decreasing; the first is `Infinity` (no alert, the point (0, 0)), as in scikit-learn >= 1.3. */
  readonly thresholds: Float64Array;
}

/**
 * The ROC curve of `scores` against 0/1 `labels`, equal to scikit-learn's `roc_curve(y, scores)`.
 * Throws `INVALID_INPUT` on mismatched lengths, labels other than 0/1, non-finite scores, or a single class.
 */
export function rocCurve(labels: Uint8Array, scores: Scores, options: RocCurveOptions = {}): RocCurve {
  rejectUnknownOptions('rocCurve', options, ['dropIntermediate', 'sampleWeight']);
  const counts = thresholdCounts(labels, scores, options.sampleWeight);
  let { tps, fps, thresholds } = counts;
  const m = tps.length;
  requireBothClasses('The ROC curve', tps[m - 1]!, fps[m - 1]!);
  if ((options.dropIntermediate ?? true) && m > 2) {
    const keep = new Int32Array(m);
    let kept = 0;
    keep[kept++] = 0;
    for (let i = 1; i < m - 1; i++) {
      // np.diff(x, 2)[i-1] is computed as a difference of differences, as here, so float weights round the same.
      const dFps = fps[i + 1]! - fps[i]! - (fps[i]! - fps[i - 1]!);
      const dTps = tps[i + 1]! - tps[i]! - (tps[i]! - tps[i - 1]!);
      if (dFps !== 0 || dTps !== 0) keep[kept++] = i;
    }
    keep[kept++] = m - 1;
    const pick = (values: Float64Array): Float64Array => {
      const out = new Float64Array(kept);
      for (let i = 0; i < kept; i++) out[i] = values[keep[i]!]!;
      return out;
    };
    tps = pick(tps);
    fps = pick(fps);
    thresholds = pick(thresholds);
  }
  const points = tps.length + 1;
  const fpr = new Float64Array(points);
  const tpr = new Float64Array(points);
  const outThresholds = new Float64Array(points);
  outThresholds[0] = Number.POSITIVE_INFINITY;
  const totalFp = fps[fps.length - 1]!;
  const totalTp = tps[tps.length - 1]!;
  for (let i = 0; i < tps.length; i++) {
    fpr[i + 1] = fps[i]! / totalFp;
    tpr[i + 1] = tps[i]! / totalTp;
    outThresholds[i + 1] = thresholds[i]!;
  }
  return { fpr, tpr, thresholds: outThresholds };
}

/**
 * Area under the ROC curve, equal to scikit-learn's `roc_auc_score(y, scores)`: the probability that a random
 * positive scores above a random negative, ties counting 1/2. O(n log n), exact on ties.
 * Throws `INVALID_INPUT` on bad inputs or a single class.
 */
export function rocAuc(labels: Uint8Array, scores: Scores, options: { readonly sampleWeight?: Float64Array } = {}): number {
  rejectUnknownOptions('rocAuc', options, ['sampleWeight']);
  const positives = checkLabelsAndScores(labels, scores);
  const weights = options.sampleWeight;
  if (weights !== undefined) checkWeights(weights, labels.length);
  const result = rankingMetrics(rankRows(labels, scores), weights);
  if (Number.isNaN(result.rocAuc)) {
    const weightedPositives = weights === undefined ? positives : weightedSum(labels, weights, 1);
    const weightedNegatives = weights === undefined ? labels.length - positives : weightedSum(labels, weights, 0);
    requireBothClasses('ROC AUC', weightedPositives, weightedNegatives);
  }
  return result.rocAuc;
}

function weightedSum(labels: Uint8Array, weights: Float64Array, label: number): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === label) sum += weights[i]!;
  return sum;
}
