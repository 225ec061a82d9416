import { checkLabelsAndScores, checkWeights, rejectUnknownOptions, requireBothClasses, type Scores } from './check-inputs.js';
import { rankingMetrics, rankRows, thresholdCounts } from './threshold-counts.js';

/**
 * A precision-recall curve in scikit-learn's layout: `precision[i]`, `recall[i]` when alerting on scores >=
 * `thresholds[i]`, thresholds increasing, recall decreasing; the last point is (recall 0, precision 1) and has
 * no threshold, so `thresholds` is one shorter.
 */
export interface PrecisionRecallCurve {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly thresholds: Float64Array;
}

/**
 * The precision-recall curve, equal to scikit-learn's `precision_recall_curve(y, scores)` (>= 1.1, one point
 * per distinct score; precision is 0 where no row is alerted, which only zero weights can cause).
 * Throws `INVALID_INPUT` on bad inputs or when there is no positive.
 */
export function precisionRecallCurve(labels: Uint8Array, scores: Scores, options: { readonly sampleWeight?: Float64Array } = {}): PrecisionRecallCurve {
  rejectUnknownOptions('precisionRecallCurve', options, ['sampleWeight']);
  const { tps, fps, thresholds } = thresholdCounts(labels, scores, options.sampleWeight);
  const m = tps.length;
  const totalTp = tps[m - 1]!;
  requireBothClasses('The precision-recall curve', totalTp, 1);
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const outThresholds = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const j = m - 1 - i;
    const alerted = tps[j]! + fps[j]!;
    precision[i] = alerted > 0 ? tps[j]! / alerted : 0;
    recall[i] = tps[j]! / totalTp;
    outThresholds[i] = thresholds[j]!;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: outThresholds };
}

/**
 * Average precision, equal to scikit-learn's `average_precision_score(y, scores)`: the step-wise area
 * AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds (no interpolation). O(n log n), exact on ties.
 * Throws `INVALID_INPUT` on bad inputs or when there is no positive (AP is then undefined).
 */
export function averagePrecision(labels: Uint8Array, scores: Scores, options: { readonly sampleWeight?: Float64Array } = {}): number {
  rejectUnknownOptions('averagePrecision', options, ['sampleWeight']);
  checkLabelsAndScores(labels, scores);
  if (options.sampleWeight !== undefined) checkWeights(options.sampleWeight, labels.length);
  const result = rankingMetrics(rankRows(labels, scores), options.sampleWeight);
  if (Number.isNaN(result.averagePrecision)) requireBothClasses('Average precision', 0, 1);
  return result.averagePrecision;
}
