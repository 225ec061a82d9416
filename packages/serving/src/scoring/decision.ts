/** The action a score maps to. */
export type Decision = (typeof DECISIONS)[number];

/** Every {@link Decision}, from the mildest. */
export const DECISIONS = ['allow', 'review', 'block'] as const;

/** Score thresholds: `score >= block` blocks, else `score >= review` sends to review, else allows. */
export interface DecisionThresholds {
  readonly review: number;
  readonly block: number;
}

/** Maps a score in [0, 1] to a {@link Decision} through `thresholds` (inclusive lower bounds). */
export function decide(score: number, thresholds: DecisionThresholds): Decision {
  if (score >= thresholds.block) return 'block';
  if (score >= thresholds.review) return 'review';
  return 'allow';
}
