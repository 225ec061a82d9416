import { checkLabelsAndScores, checkWeights, type Scores } from './check-inputs.js';
import { sortIndices } from './sort-indices.js';

/**
 * Cumulative (weighted) true- and false-positive counts at every distinct score, scores descending: entry `i`
 * counts the rows with score >= `thresholds[i]`. This is scikit-learn's `_binary_clf_curve`, the base of the
 * ROC and precision-recall curves.
 */
export interface ThresholdCounts {
  /** Distinct scores, descending. */
  readonly thresholds: Float64Array;
  /** Positives with score >= threshold (weighted). */
  readonly tps: Float64Array;
  /** Negatives with score >= threshold (weighted). */
  readonly fps: Float64Array;
}

/**
 * Computes {@link ThresholdCounts} after checking the inputs (equal lengths, 0/1 labels, finite scores,
 * weights >= 0). `order` is the descending score order when the caller already has it.
 */
export function thresholdCounts(labels: Uint8Array, scores: Scores, sampleWeight?: Float64Array, order?: Int32Array): ThresholdCounts {
  checkLabelsAndScores(labels, scores);
  if (sampleWeight !== undefined) checkWeights(sampleWeight, labels.length);
  const rows = order ?? sortIndices(scores, 'descending');
  const n = rows.length;
  const thresholds = new Float64Array(n);
  const tps = new Float64Array(n);
  const fps = new Float64Array(n);
  let tp = 0;
  let fp = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const w = sampleWeight === undefined ? 1 : sampleWeight[row]!;
    if (labels[row] === 1) tp += w;
    else fp += w;
    const score = scores[row]!;
    if (i === n - 1 || scores[rows[i + 1]!] !== score) {
      thresholds[m] = score;
      tps[m] = tp;
      fps[m] = fp;
      m++;
    }
  }
  return { thresholds: thresholds.slice(0, m), tps: tps.slice(0, m), fps: fps.slice(0, m) };
}

/**
 * Rows in descending score order with their labels and tie-group ends gathered once, so that repeated passes
 * (bootstrap replicates) read memory sequentially. Build it with {@link rankRows}.
 */
export interface RankedRows {
  /** Row indices, scores descending (stable). */
  readonly order: Int32Array;
  /** `labels[order[i]]`. */
  readonly labels: Uint8Array;
  /** 1 where position i is the last of its group of tied scores. */
  readonly groupEnd: Uint8Array;
}

/** Sorts the rows by descending score once and gathers what {@link rankingMetrics} needs. No input checks. */
export function rankRows(labels: Uint8Array, scores: Scores): RankedRows {
  const order = sortIndices(scores, 'descending');
  const n = order.length;
  const sortedLabels = new Uint8Array(n);
  const groupEnd = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = order[i]!;
    sortedLabels[i] = labels[row]!;
    groupEnd[i] = i === n - 1 || scores[order[i + 1]!] !== scores[row] ? 1 : 0;
  }
  return { order, labels: sortedLabels, groupEnd };
}

/**
 * ROC AUC and average precision in one pass over ranked rows, with optional per-row weights (indexed by row;
 * multiplicities in the bootstrap). Returns NaN for a metric that is undefined on these weights (no positive,
 * or no negative for the AUC). No input checks: callers check once.
 */
export function rankingMetrics(ranked: RankedRows, weights?: Float64Array): { rocAuc: number; averagePrecision: number } {
  const { order, labels, groupEnd } = ranked;
  let tp = 0;
  let fp = 0;
  let prevTp = 0;
  let prevFp = 0;
  let area = 0;
  let precisionSum = 0;
  const n = order.length;
  for (let i = 0; i < n; i++) {
    const w = weights === undefined ? 1 : weights[order[i]!]!;
    if (labels[i] === 1) tp += w;
    else fp += w;
    if (groupEnd[i] === 1) {
      // Trapezoid between consecutive distinct thresholds: ties get half credit, exactly as the pairwise
      // (Mann–Whitney) definition. With integer weights every term is an exact integer.
      area += (fp - prevFp) * (tp + prevTp);
      if (tp > prevTp) precisionSum += (tp - prevTp) * (tp / (tp + fp));
      prevTp = tp;
      prevFp = fp;
    }
  }
  return {
    rocAuc: tp > 0 && fp > 0 ? area / (2 * tp * fp) : Number.NaN,
    averagePrecision: tp > 0 ? precisionSum / tp : Number.NaN,
  };
}
