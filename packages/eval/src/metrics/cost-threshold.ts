import { MlsdError } from '@mlsd/data';
import { checkFinite, checkLabelsAndScores, checkLength, rejectUnknownOptions, type Scores } from './check-inputs.js';
import { sortIndices } from './sort-indices.js';

/** Options of {@link costCurve}: what a miss and a false alarm cost, in one currency. */
export interface CostOptions {
  /**
   * Cost of each missed positive: one number for all rows, or one per row (e.g. the transaction amount; only
   * the positive rows' values are used). Defaults to `amounts`; one of the two is required.
   */
  readonly missCost?: number | Float64Array;
  /** Per-row amounts, the default miss cost. */
  readonly amounts?: Float64Array;
  /** Cost of reviewing one false alarm (a fixed review cost, >= 0). */
  readonly falseAlarmCost: number;
}

/** The expected-loss curve over thresholds and its minimum. */
export interface CostCurve {
  /** Decreasing: `Infinity` (no alert), then every distinct score. Alert when score >= threshold. */
  readonly thresholds: Float64Array;
  /** Total cost at each threshold: missed positives' costs plus false alarms × falseAlarmCost. */
  readonly totalCost: Float64Array;
  /** Rows alerted at each threshold. */
  readonly alerts: Float64Array;
  /** The threshold of least total cost; among equal costs the highest (fewest alerts). */
  readonly bestThreshold: number;
  readonly bestTotalCost: number;
  /** `bestTotalCost` per row: the expected loss per transaction at the best threshold. */
  readonly bestExpectedCost: number;
  /** Total cost with no alert at all, for reference. */
  readonly noAlertCost: number;
}

/**
 * The cost-based threshold choice: the total loss `Σ missed positives' cost + false alarms × falseAlarmCost`
 * at every distinct score used as threshold (plus "no alert"), and the threshold that minimises it.
 * Exact on ties (tied scores are alerted together). O(n log n).
 */
export function costCurve(labels: Uint8Array, scores: Scores, options: CostOptions): CostCurve {
  rejectUnknownOptions('costCurve', options, ['missCost', 'amounts', 'falseAlarmCost']);
  checkLabelsAndScores(labels, scores);
  const n = labels.length;
  const { falseAlarmCost } = options;
  if (!(falseAlarmCost >= 0) || !Number.isFinite(falseAlarmCost)) {
    throw new MlsdError('INVALID_OPTION', `falseAlarmCost is ${falseAlarmCost}; it must be a finite cost >= 0.`, {
      location: { field: 'falseAlarmCost' },
    });
  }
  const missCost = options.missCost ?? options.amounts;
  if (missCost === undefined) {
    throw new MlsdError('INVALID_OPTION', 'costCurve needs missCost (a number or one per row) or amounts; neither was given.', {
      location: { field: 'missCost' },
    });
  }
  if (typeof missCost === 'number') {
    if (!(missCost >= 0) || !Number.isFinite(missCost)) {
      throw new MlsdError('INVALID_OPTION', `missCost is ${missCost}; it must be a finite cost >= 0.`, { location: { field: 'missCost' } });
    }
  } else {
    const name = options.missCost === undefined ? 'amounts' : 'missCost';
    checkLength(name, missCost.length, 'labels', n);
    checkFinite(missCost, name);
  }
  const perRow = typeof missCost === 'number' ? undefined : missCost;
  const fixed = typeof missCost === 'number' ? missCost : 0;
  let noAlertCost = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) noAlertCost += perRow === undefined ? fixed : perRow[i]!;

  const order = sortIndices(scores, 'descending');
  const thresholds = new Float64Array(n + 1);
  const totalCost = new Float64Array(n + 1);
  const alerts = new Float64Array(n + 1);
  thresholds[0] = Number.POSITIVE_INFINITY;
  totalCost[0] = noAlertCost;
  let m = 1;
  let caught = 0;
  let falseAlarms = 0;
  for (let i = 0; i < n; i++) {
    const row = order[i]!;
    if (labels[row] === 1) caught += perRow === undefined ? fixed : perRow[row]!;
    else falseAlarms++;
    if (i === n - 1 || scores[order[i + 1]!] !== scores[row]) {
      thresholds[m] = scores[row]!;
      totalCost[m] = noAlertCost - caught + falseAlarms * falseAlarmCost;
      alerts[m] = i + 1;
      m++;
    }
  }
  let best = 0;
  for (let i = 1; i < m; i++) if (totalCost[i]! < totalCost[best]!) best = i;
  return {
    thresholds: thresholds.slice(0, m),
    totalCost: totalCost.slice(0, m),
    alerts: alerts.slice(0, m),
    bestThreshold: thresholds[best]!,
    bestTotalCost: totalCost[best]!,
    bestExpectedCost: n > 0 ? totalCost[best]! / n : 0,
    noAlertCost,
  };
}
