import type { Classifier } from '@mlsd/models';
import type { DenseMatrix } from '@mlsd/data';

/** One reason behind a score: a model feature and its contribution, or a fallback rule that fired. */
export type ScoreReason = { readonly feature: string; readonly value: number; readonly contribution: number } | { readonly rule: string };

/**
 * The `topK` features pushing the score of the single row in `row` up the most, from the classifier's
 * `contributions` (log-odds units for linear and boosted models); only positive contributions count, largest first.
 * Returns an empty list when the model has no `contributions`. `reportedValue(c)` gives the value to report for column c
 * (the raw feature value rather than its scaled model input, when known).
 */
export function topContributions(classifier: Classifier, row: DenseMatrix, topK: number, reportedValue: (column: number) => number): ScoreReason[] {
  if (classifier.contributions === undefined || topK <= 0) return [];
  const contributions = classifier.contributions(row);
  const reasons: { feature: string; value: number; contribution: number }[] = [];
  for (let c = 0; c < row.cols; c++) {
    const contribution = contributions[c]!;
    if (!(contribution > 0)) continue;
    reasons.push({ feature: row.featureNames[c]!, value: reportedValue(c), contribution });
  }
  reasons.sort((a, b) => b.contribution - a.contribution);
  return reasons.slice(0, topK);
}
