import { MlsdError } from '@mlsd/data';
import { checkLabelsAndScores, checkLength, rejectUnknownOptions, type NumericKeys, type Scores } from './check-inputs.js';
import { groupPrecisionAtK } from './group-precision-at-k.js';
import { costCurve } from './cost-threshold.js';
import { precisionAtK } from './precision-at-k.js';
import { brierUnchecked, logLossUnchecked } from './probability-losses.js';
import { recallAtFpr } from './recall-at-fpr.js';
import { rankingMetrics, rankRows } from './threshold-counts.js';

/** The rows to summarise: labels and scores, plus the optional columns some metrics need. */
export interface ScoreSummaryInput {
  readonly labels: Uint8Array;
  readonly scores: Scores;
  /** Group of each row (the fraud example's cards): enables group precision@k (with `days`). */
  readonly groupIds?: NumericKeys;
  /** Day of each row (see `dayIndex`): enables group precision@k (with `groupIds`). */
  readonly days?: NumericKeys;
  /** Amount of each row: enables the cost-based threshold (with `falseAlarmCost`). */
  readonly amounts?: Float64Array;
}

/** Options of {@link summarizeScores}; every field has a default. */
export interface ScoreSummaryOptions {
  /** Alerts (rows, and groups per day) for precision@k and group precision@k. Default 100. */
  readonly k?: number;
  /** False-positive budget of `recallAtFpr`. Default 0.01. */
  readonly maxFpr?: number;
  /** Review cost of one false alarm; with `amounts` it enables the cost-based threshold. Default: no cost curve. */
  readonly falseAlarmCost?: number;
}

/** The standard metrics of one set of scores; a metric is `null` when it is undefined on these rows. */
export interface ScoreSummary {
  readonly rows: number;
  readonly positives: number;
  readonly rocAuc: number | null;
  readonly averagePrecision: number | null;
  readonly k: number;
  readonly precisionAtK: number;
  /** Mean daily group precision@k; null without `groupIds` and `days`. */
  readonly groupPrecisionAtK: number | null;
  readonly maxFpr: number;
  readonly recallAtFpr: number | null;
  /** Null when a score is outside [0, 1] (not a probability). */
  readonly logLoss: number | null;
  readonly brier: number | null;
  /** The cost-minimising threshold; null without `amounts` and `falseAlarmCost`. */
  readonly cost: { readonly threshold: number; readonly totalCost: number; readonly expectedCost: number; readonly noAlertCost: number } | null;
  /** Why a metric is null, in words. */
  readonly notes: readonly string[];
}

/** Keys of {@link ScoreSummaryOptions}, for option checks of callers that forward them. */
export const SCORE_SUMMARY_OPTION_KEYS = ['k', 'maxFpr', 'falseAlarmCost'] as const;

/**
 * Every standard metric of one set of scores at once: ROC AUC, average precision, precision@k, Card
 * Precision@k, recall at a false-positive budget, log loss, Brier score and the cost-based threshold.
 * Bad inputs (lengths, NaN, labels not 0/1) throw `INVALID_INPUT`; metrics that are undefined here (one class,
 * scores that are not probabilities, missing columns) are `null`, with the reason in `notes`.
 */
export function summarizeScores(input: ScoreSummaryInput, options: ScoreSummaryOptions = {}): ScoreSummary {
  rejectUnknownOptions('summarizeScores', options, SCORE_SUMMARY_OPTION_KEYS);
  const { labels, scores } = input;
  const k = options.k ?? 100;
  const maxFpr = options.maxFpr ?? 0.01;
  const positives = checkLabelsAndScores(labels, scores);
  const rows = labels.length;
  if (rows === 0) throw new MlsdError('INVALID_INPUT', 'No rows to evaluate: labels and scores are empty.', { location: { field: 'labels' } });
  const notes: string[] = [];
  const bothClasses = positives > 0 && positives < rows;
  if (!bothClasses) notes.push(`only one class in the labels (${positives} positives of ${rows} rows): ROC AUC and recall at FPR are undefined`);
  const ranking = rankingMetrics(rankRows(labels, scores));

  let cardPrecision: number | null = null;
  if (input.groupIds !== undefined && input.days !== undefined) {
    cardPrecision = groupPrecisionAtK({ labels, scores, groupIds: input.groupIds, days: input.days }, { k }).mean;
  } else notes.push('group precision@k needs groupIds and days');

  let probabilities = true;
  for (let i = 0; i < rows; i++) {
    const p = scores[i]!;
    if (!(p >= 0 && p <= 1)) {
      probabilities = false;
      notes.push(`scores[${i}] is ${p}, not a probability in [0, 1]: log loss and Brier score are undefined`);
      break;
    }
  }

  let cost: ScoreSummary['cost'] = null;
  if (input.amounts !== undefined && options.falseAlarmCost !== undefined) {
    checkLength('amounts', input.amounts.length, 'labels', rows);
    const curve = costCurve(labels, scores, { amounts: input.amounts, falseAlarmCost: options.falseAlarmCost });
    cost = { threshold: curve.bestThreshold, totalCost: curve.bestTotalCost, expectedCost: curve.bestExpectedCost, noAlertCost: curve.noAlertCost };
  } else notes.push('the cost-based threshold needs amounts and falseAlarmCost');

  return {
    rows,
    positives,
    rocAuc: bothClasses ? ranking.rocAuc : null,
    averagePrecision: positives > 0 ? ranking.averagePrecision : null,
    k,
    precisionAtK: precisionAtK(labels, scores, k),
    groupPrecisionAtK: cardPrecision,
    maxFpr,
    recallAtFpr: bothClasses ? recallAtFpr(labels, scores, maxFpr).recall : null,
    logLoss: probabilities ? logLossUnchecked(labels, scores) : null,
    brier: probabilities ? brierUnchecked(labels, scores) : null,
    cost,
    notes,
  };
}
