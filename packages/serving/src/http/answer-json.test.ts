import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScoreResult } from '../scoring/score-result.js';
import { answerJson } from './answer-json.js';

/** The answer object as the route built it before: the id renamed, the other fields copied in order. */
function wire(result: ScoreResult, idField: string): Record<string, unknown> {
  const out: Record<string, unknown> = { [idField]: result.id };
  for (const key in result) if (key !== 'id') out[key] = result[key as keyof ScoreResult];
  return out;
}

const reason = fc.oneof(fc.record({ feature: fc.string(), value: fc.double(), contribution: fc.double() }), fc.record({ rule: fc.string() }));
const resultArbitrary = fc
  .record({
    id: fc.oneof(fc.double(), fc.integer(), fc.string()),
    score: fc.double(),
    decision: fc.constantFrom('allow', 'review', 'block'),
    source: fc.constantFrom('model', 'fallback'),
    fallbackReason: fc.option(fc.constantFrom('no-model', 'overload', 'store-timeout', 'invalid-event'), { nil: undefined }),
    modelVersion: fc.option(fc.nat(), { nil: null }),
    reasons: fc.array(reason, { maxLength: 3 }),
    latencyMs: fc.double({ noNaN: true }),
    late: fc.option(fc.constant(true as const), { nil: undefined }),
    duplicate: fc.option(fc.constant(true as const), { nil: undefined }),
    // A duplicate's answer is built in another key order (late before latencyMs): both orders must be kept.
    lateFirst: fc.boolean(),
  })
  .map(({ lateFirst, ...r }) => {
    const result: Record<string, unknown> = { id: r.id, score: r.score, decision: r.decision, source: r.source };
    if (r.fallbackReason !== undefined) result['fallbackReason'] = r.fallbackReason;
    result['modelVersion'] = r.modelVersion;
    result['reasons'] = r.reasons;
    if (lateFirst && r.late) result['late'] = true;
    result['latencyMs'] = r.latencyMs;
    if (!lateFirst && r.late) result['late'] = true;
    if (r.duplicate) result['duplicate'] = true;
    return result as unknown as ScoreResult;
  });

describe('answerJson', () => {
  it('is JSON.stringify of the answer object, byte for byte (any id, reasons, flags, non-finite numbers, key order)', () => {
    fc.assert(
      fc.property(resultArbitrary, fc.constantFrom('id', 'transactionId', 'click "id"'), (result, idField) => {
        expect(answerJson(result, idField)).toBe(JSON.stringify(wire(result, idField)));
      }),
      { numRuns: 500 },
    );
  });
});
