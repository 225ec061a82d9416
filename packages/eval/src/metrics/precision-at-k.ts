import { MlsdError } from '@mlsd/data';
import { checkLabelsAndScores, type Scores } from './check-inputs.js';
import { sortIndices } from './sort-indices.js';

/**
 * Precision in the top `k` rows by score: the share of positives among the `k` highest-scored rows, divided by
 * `k` even when there are fewer than `k` rows (the Fraud Detection Handbook's convention: unused alert
 * capacity counts as a miss). Exact on ties: when tied scores straddle position `k`, the tied group
 * contributes its positive rate times the places left, i.e. the mean over every ordering of the ties, so the
 * result does not depend on row order. `k` is a whole number >= 1.
 */
export function precisionAtK(labels: Uint8Array, scores: Scores, k: number): number {
  checkK(k);
  checkLabelsAndScores(labels, scores);
  const order = sortIndices(scores, 'descending');
  const n = order.length;
  let hits = 0;
  let start = 0;
  while (start < n && start < k) {
    let end = start;
    let groupPositives = 0;
    const score = scores[order[start]!]!;
    while (end < n && scores[order[end]!] === score) {
      groupPositives += labels[order[end]!]!;
      end++;
    }
    const size = end - start;
    const places = Math.min(size, k - start);
    hits += places === size ? groupPositives : (groupPositives * places) / size;
    start = end;
  }
  return hits / k;
}

/** Throws `INVALID_OPTION` unless `k` is a whole number >= 1. */
export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) {
    throw new MlsdError('INVALID_OPTION', `k is ${k}; it must be a whole number >= 1 (the number of alerts).`, {
      location: { field: 'k' },
    });
  }
}
