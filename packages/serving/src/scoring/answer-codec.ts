import type { ScoreResult } from './score-result.js';

/** What a kept answer gives back: the first answer of an id, without the id, its latency and the duplicate mark. */
export type KeptAnswer = Omit<ScoreResult, 'id' | 'latencyMs' | 'duplicate'>;

/**
 * The text kept in the feature store with each scored id, so that a retry gets the first answer again: a JSON
 * array `[score, decision, source, fallbackReason | null, modelVersion, reasons, late ? 1 : 0]`.
 *
 * Every scored event's answer is kept for the idempotency window (24 h by default), so its size is memory: in the
 * memory store these strings were half of what each request left alive — what the young-generation collections
 * copy, and so their pauses. The array is about a third of the answer's JSON object (no keys, no id, no latency).
 */
export function encodeAnswer(result: ScoreResult): string {
  return JSON.stringify([
    result.score,
    result.decision,
    result.source,
    result.fallbackReason ?? null,
    result.modelVersion,
    result.reasons,
    result.late === true ? 1 : 0,
  ]);
}

/**
 * The answer kept as `text` by {@link encodeAnswer}, or by a version before it (the whole answer as a JSON object),
 * so answers kept in Redis across an upgrade still serve their retries.
 */
export function decodeAnswer(text: string): KeptAnswer {
  const kept = JSON.parse(text) as unknown;
  if (!Array.isArray(kept)) {
    const { id: _id, latencyMs: _latency, duplicate: _duplicate, ...answer } = kept as ScoreResult;
    return answer;
  }
  const [score, decision, source, fallbackReason, modelVersion, reasons, late] = kept as [
    number,
    ScoreResult['decision'],
    ScoreResult['source'],
    ScoreResult['fallbackReason'] | null,
    number | null,
    ScoreResult['reasons'],
    0 | 1,
  ];
  return {
    score,
    decision,
    source,
    ...(fallbackReason === null ? {} : { fallbackReason }),
    modelVersion,
    reasons,
    ...(late === 1 ? { late: true as const } : {}),
  };
}
