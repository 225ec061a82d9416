import { MlsdError } from '@mlsd/data';
import { requireBothClasses, type Scores } from './check-inputs.js';
import { thresholdCounts } from './threshold-counts.js';

/** The best operating point whose false-positive rate stays within a budget. */
export interface RecallAtFpr {
  /** True-positive rate (recall) at `threshold`. */
  readonly recall: number;
  /** False-positive rate at `threshold` (<= the budget). */
  readonly fpr: number;
  /** Alert on scores >= this; `Infinity` when even the top score exceeds the budget (recall 0). */
  readonly threshold: number;
}

/**
 * The highest recall reachable with a false-positive rate <= `maxFpr` (in [0, 1]), over every distinct
 * score used as a threshold (alert when score >= threshold). Tied scores move together, so the answer is
 * exact on ties. Throws `INVALID_INPUT` on bad inputs or a single class.
 */
export function recallAtFpr(labels: Uint8Array, scores: Scores, maxFpr: number): RecallAtFpr {
  if (!(maxFpr >= 0 && maxFpr <= 1)) {
    throw new MlsdError('INVALID_OPTION', `maxFpr is ${maxFpr}; it must be a rate in [0, 1], e.g. 0.01.`, {
      location: { field: 'maxFpr' },
    });
  }
  const { tps, fps, thresholds } = thresholdCounts(labels, scores);
  const m = tps.length;
  const positives = tps[m - 1]!;
  const negatives = fps[m - 1]!;
  requireBothClasses('Recall at a false-positive rate', positives, negatives);
  let best: RecallAtFpr = { recall: 0, fpr: 0, threshold: Number.POSITIVE_INFINITY };
  // fps grows as the threshold falls: the last point within budget has the highest recall.
  for (let i = 0; i < m; i++) {
    const fpr = fps[i]! / negatives;
    if (fpr > maxFpr) break;
    best = { recall: tps[i]! / positives, fpr, threshold: thresholds[i]! };
  }
  return best;
}
