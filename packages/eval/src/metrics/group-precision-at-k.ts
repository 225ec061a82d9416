import { checkFinite, checkLabelsAndScores, checkLength, rejectUnknownOptions, type NumericKeys, type Scores } from './check-inputs.js';
import { checkK } from './precision-at-k.js';
import { sortIndices } from './sort-indices.js';

/** Milliseconds in a day: {@link dayIndex} cuts time into UTC days. */
const DAY_MS = 86_400_000;

/** Inputs of {@link groupPrecisionAtK}: one entry per event (transaction, impression, …). */
export interface GroupPrecisionInput {
  readonly labels: Uint8Array;
  readonly scores: Scores;
  /** The group of each event: the entity investigators act on (the fraud example's cards). */
  readonly groupIds: NumericKeys;
  /** The day of each event, e.g. from {@link dayIndex}; only equality and order matter. */
  readonly days: NumericKeys;
}

/** Options of {@link groupPrecisionAtK}. */
export interface GroupPrecisionOptions {
  /** Groups that can be checked per day. */
  readonly k: number;
  /** Drop, from later days, the groups found positive in an earlier day's top k (default true, as the Handbook). */
  readonly removeDetectedGroups?: boolean;
}

/** Group precision@k overall and per day. */
export interface GroupPrecisionResult {
  /** Mean of the daily values: the Handbook's `mean_card_precision_top_k`. */
  readonly mean: number;
  /** The distinct days, ascending. */
  readonly days: Float64Array;
  /** Precision of each day: positive groups in the day's top k, divided by k. */
  readonly perDay: Float64Array;
  /** Positive groups of each day after dropping earlier detections (the Handbook's `nb_compromised_cards_per_day`). */
  readonly positiveGroups: Int32Array;
  /** Positive groups found in each day's top k. */
  readonly detectedGroups: Int32Array;
}

/**
 * Group precision@k — the Fraud Detection Handbook's Card Precision@k, with cards as the groups — exactly as the
 * Handbook computes it (chapter 4.2,
 * `card_precision_top_k_day` and `card_precision_top_k` in its shared functions,
 * https://fraud-detection-handbook.github.io/fraud-detection-handbook/Chapter_4_PerformanceMetrics/TopKBasedMetrics.html):
 * for each day in ascending order, drop the transactions of cards detected on earlier days (cards that were in
 * an earlier day's top k and had a fraud that day), then per card take the maximum score and the maximum label
 * of the day, rank the cards by that score, count the compromised cards (max label 1) in the top k, and divide
 * by k (even when the day has fewer than k cards); the result is the mean over all days, including days whose
 * every card was dropped (they count 0).
 *
 * Ties: cards with equal maximum scores are ranked by ascending card id (the order pandas' `groupby` gives and a
 * stable sort keeps); the Handbook leaves this to pandas' unstable default sort. O(n log n).
 */
export function groupPrecisionAtK(input: GroupPrecisionInput, options: GroupPrecisionOptions): GroupPrecisionResult {
  rejectUnknownOptions('groupPrecisionAtK', options, ['k', 'removeDetectedGroups']);
  const { labels, scores, groupIds, days } = input;
  checkK(options.k);
  checkLabelsAndScores(labels, scores);
  checkLength('groupIds', groupIds.length, 'labels', labels.length);
  checkLength('days', days.length, 'labels', labels.length);
  checkFinite(groupIds, 'groupIds');
  checkFinite(days, 'days');
  const k = options.k;
  const removeDetected = options.removeDetectedGroups ?? true;
  const n = labels.length;

  // Dense card codes in ascending card-id order, then rows by (day, card): two stable sorts.
  const byCard = sortIndices(groupIds, 'ascending');
  const cardCode = new Int32Array(n);
  let cardCount = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && groupIds[byCard[i]!] !== groupIds[byCard[i - 1]!]) cardCount++;
    cardCode[byCard[i]!] = cardCount;
  }
  if (n > 0) cardCount++;
  const rows = sortIndices(days, 'ascending', byCard);

  const detected = new Uint8Array(cardCount);
  const dayCards = new Int32Array(n);
  const dayMaxScore = new Float64Array(n);
  const dayMaxLabel = new Uint8Array(n);
  const dayValues: number[] = [];
  const perDay: number[] = [];
  const compromised: number[] = [];
  const found: number[] = [];
  let start = 0;
  while (start < n) {
    const day = days[rows[start]!]!;
    let end = start;
    while (end < n && days[rows[end]!] === day) end++;
    // Per card of this day (rows are grouped by card inside the day): max score and max label.
    let m = 0;
    let compromisedToday = 0;
    for (let i = start; i < end; i++) {
      const row = rows[i]!;
      const card = cardCode[row]!;
      if (removeDetected && detected[card] === 1) continue;
      if (m === 0 || dayCards[m - 1] !== card) {
        dayCards[m] = card;
        dayMaxScore[m] = scores[row]!;
        dayMaxLabel[m] = labels[row]!;
        m++;
      } else {
        if (scores[row]! > dayMaxScore[m - 1]!) dayMaxScore[m - 1] = scores[row]!;
        if (labels[row] === 1) dayMaxLabel[m - 1] = 1;
      }
    }
    for (let c = 0; c < m; c++) compromisedToday += dayMaxLabel[c]!;
    const ranked = sortIndices(dayMaxScore.subarray(0, m), 'descending');
    const top = Math.min(k, m);
    let hits = 0;
    for (let r = 0; r < top; r++) {
      const c = ranked[r]!;
      if (dayMaxLabel[c] === 1) {
        hits++;
        if (removeDetected) detected[dayCards[c]!] = 1;
      }
    }
    dayValues.push(day);
    perDay.push(hits / k);
    compromised.push(compromisedToday);
    found.push(hits);
    start = end;
  }
  let sum = 0;
  for (const value of perDay) sum += value;
  return {
    mean: perDay.length === 0 ? Number.NaN : sum / perDay.length,
    days: Float64Array.from(dayValues),
    perDay: Float64Array.from(perDay),
    positiveGroups: Int32Array.from(compromised),
    detectedGroups: Int32Array.from(found),
  };
}

/**
 * The UTC day of each timestamp (milliseconds since 1970-01-01T00:00:00Z): `floor(t / 86 400 000)`. For data
 * starting at midnight this groups rows like the Handbook's `TX_TIME_DAYS`.
 */
export function dayIndex(timestampsMs: Float64Array): Float64Array {
  checkFinite(timestampsMs, 'timestamps');
  const out = new Float64Array(timestampsMs.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(timestampsMs[i]! / DAY_MS);
  return out;
}
