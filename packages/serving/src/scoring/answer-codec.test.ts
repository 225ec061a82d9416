import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAnswer, encodeAnswer } from './answer-codec.js';
import type { ScoreResult } from './score-result.js';

const reason = fc.oneof(
  fc.record({ feature: fc.string(), value: fc.double({ noNaN: true }), contribution: fc.double({ noNaN: true }) }),
  fc.record({ rule: fc.string() }),
);
const result: fc.Arbitrary<ScoreResult> = fc
  .record({
    id: fc.oneof(fc.nat(), fc.string({ minLength: 1 })),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
    decision: fc.constantFrom('allow', 'review', 'block'),
    source: fc.constantFrom('model', 'fallback'),
    fallbackReason: fc.option(fc.constantFrom('no-model', 'store-timeout', 'invalid-event'), { nil: undefined }),
    modelVersion: fc.option(fc.nat(), { nil: null }),
    reasons: fc.array(reason, { maxLength: 3 }),
    latencyMs: fc.double({ min: 0, max: 50, noNaN: true }),
    late: fc.option(fc.constant(true as const), { nil: undefined }),
  })
  .map(({ fallbackReason, late, ...rest }) => ({
    ...rest,
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
    ...(late === undefined ? {} : { late }),
  })) as fc.Arbitrary<ScoreResult>;

describe('answer codec', () => {
  it('gives back every field of the first answer but its id and latency', () => {
    fc.assert(
      fc.property(result, (first) => {
        const { id: _id, latencyMs: _latency, ...kept } = first;
        // -0 is kept as 0 by JSON, as before.
        expect(decodeAnswer(encodeAnswer(first))).toEqual(JSON.parse(JSON.stringify(kept)));
      }),
    );
  });

  it('is much shorter than the answer as a JSON object', () => {
    const first: ScoreResult = { id: 123456, score: 0.007976204885026528, decision: 'allow', source: 'model', modelVersion: 2, reasons: [], latencyMs: 0.49 };
    expect(encodeAnswer(first)).toBe('[0.007976204885026528,"allow","model",null,2,[],0]');
    expect(encodeAnswer(first).length).toBeLessThan(JSON.stringify(first).length * 0.6);
  });

  it('reads answers kept as JSON objects by earlier versions', () => {
    const legacy =
      '{"id":7,"score":0.9,"decision":"block","source":"fallback","fallbackReason":"store-error","modelVersion":null,"reasons":[{"rule":"r"}],"latencyMs":0.1,"late":true}';
    expect(decodeAnswer(legacy)).toEqual({
      score: 0.9,
      decision: 'block',
      source: 'fallback',
      fallbackReason: 'store-error',
      modelVersion: null,
      reasons: [{ rule: 'r' }],
      late: true,
    });
  });
});
