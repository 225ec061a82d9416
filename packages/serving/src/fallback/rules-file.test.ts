import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMlsdError } from '@mlsd/data';
import type { ScoringEvent } from '../scoring/scoring-event.js';
import { RULE_OPERATORS, fallbackRulesFromJSON, loadRulesFile, type FallbackRule } from './rules-file.js';

const THRESHOLDS = { review: 0.5, block: 0.8 };

function event(fields: Record<string, string | number | null>): ScoringEvent {
  return { id: 'e1', time: 0, fields: { id: 'e1', time: 0, ...fields } };
}

const validRule: fc.Arbitrary<FallbackRule> = fc
  .record({
    field: fc.string({ minLength: 1, maxLength: 8 }),
    operator: fc.constantFrom(...RULE_OPERATORS),
    decision: fc.constantFrom('allow' as const, 'review' as const, 'block' as const),
    reason: fc.string({ minLength: 1, maxLength: 12 }),
    score: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    number: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    list: fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 4 }),
  })
  .map(({ field, operator, decision, reason, score, number, list }) => ({
    field,
    operator,
    value: operator === 'in' || operator === 'not-in' ? list : number,
    decision,
    reason,
    ...(score === undefined ? {} : { score }),
  }));

/** A way to break one rule, with the field the error must name. */
const breakages: ReadonlyArray<[string, (rule: FallbackRule) => unknown]> = [
  ['operator', (rule) => ({ ...rule, operator: '=~' })],
  ['decision', (rule) => ({ ...rule, decision: 'deny' })],
  ['reason', (rule) => ({ ...rule, reason: '' })],
  ['field', (rule) => ({ ...rule, field: 42 })],
  ['score', (rule) => ({ ...rule, score: 1.5 })],
  ['value', (rule) => ({ ...rule, operator: 'in', value: 3 })],
  ['value', (rule) => ({ ...rule, operator: '>', value: 'high' })],
  ['colour', (rule) => ({ ...rule, colour: 'red' })],
];

describe('rules file (property tests)', () => {
  it('accepts every well-formed rules file, and its verdict is the most severe fired rule', () => {
    fc.assert(
      fc.property(fc.array(validRule, { maxLength: 6 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), (rules, x) => {
        const ruleSet = fallbackRulesFromJSON({ rules }, THRESHOLDS);
        const fields: Record<string, number> = {};
        for (const rule of rules) fields[rule.field] = x;
        const verdict = ruleSet({ event: event(fields) });
        expect(verdict.firedRules.length).toBeLessThanOrEqual(rules.length);
        expect(verdict.score).toBeGreaterThanOrEqual(0);
        expect(verdict.score).toBeLessThanOrEqual(1);
        if (verdict.firedRules.length === 0) expect(verdict).toEqual({ score: 0, firedRules: [] });
        else expect(['allow', 'review', 'block']).toContain(verdict.decision);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a broken rule with INVALID_OPTION naming its index and field', () => {
    const cases = fc.tuple(fc.array(validRule, { minLength: 1, maxLength: 5 }), fc.nat(), fc.integer({ min: 0, max: breakages.length - 1 }));
    fc.assert(
      fc.property(cases, ([rules, pick, which]) => {
        const index = pick % rules.length;
        const [field, breakIt] = breakages[which]!;
        const broken = rules.map((rule, r) => (r === index ? breakIt(rule) : rule));
        let error: unknown;
        try {
          fallbackRulesFromJSON({ rules: broken }, THRESHOLDS, 'rules.json');
        } catch (caught) {
          error = caught;
        }
        expect(isMlsdError(error, 'INVALID_OPTION')).toBe(true);
        expect((error as Error).message).toMatch(new RegExp(`^rules\\.json: rules\\[${index}\\]${field === 'colour' ? '' : `\\.${field}`}: `));
        if (field === 'colour') expect((error as Error).message).toMatch(/"colour"/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('rules file', () => {
  const ruleSet = fallbackRulesFromJSON(
    {
      rules: [
        { field: 'price', operator: '>', value: 100, decision: 'review', reason: 'expensive' },
        { field: 'price', operator: '>', value: { field: 'user_mean_price', times: 5 }, decision: 'block', reason: 'far-above-user-mean', score: 0.95 },
        { field: 'device', operator: 'in', value: ['emulator', 'bot'], decision: 'block', reason: 'automated-device' },
        { field: 'country', operator: '!=', value: 'FR', decision: 'allow', reason: 'abroad' },
      ],
    },
    THRESHOLDS,
  );

  it('fires each rule on its own condition, reading event fields and raw features', () => {
    expect(ruleSet({ event: event({ price: 100, device: 'phone', country: 'FR' }) })).toEqual({ score: 0, firedRules: [] });
    // Without a score a rule scores its decision's threshold.
    expect(ruleSet({ event: event({ price: 100.5, device: 'phone', country: 'FR' }) })).toEqual({ score: 0.5, decision: 'review', firedRules: ['expensive'] });
    const features = { names: ['user_mean_price'], values: Float64Array.of(20) };
    expect(ruleSet({ event: event({ price: 100, device: 'phone', country: 'FR' }), features })).toEqual({ score: 0, firedRules: [] });
    expect(ruleSet({ event: event({ price: 101, device: 'bot', country: 'DE' }), features })).toEqual({
      score: 0.95,
      decision: 'block',
      firedRules: ['expensive', 'far-above-user-mean', 'automated-device', 'abroad'],
    });
    // A missing or NaN field never fires (the feature store did not answer: no mean).
    expect(ruleSet({ event: event({ price: 101, device: null, country: null }) }).firedRules).toEqual(['expensive']);
    expect(ruleSet({ event: event({ price: 101 }), features: { names: ['user_mean_price'], values: Float64Array.of(Number.NaN) } }).firedRules).toEqual([
      'expensive',
    ]);
  });

  it('has no rules by default: an empty list always allows with the base score', () => {
    expect(fallbackRulesFromJSON({ rules: [] }, THRESHOLDS)({ event: event({ amount: 1e9 }) })).toEqual({ score: 0, firedRules: [] });
    expect(fallbackRulesFromJSON({ rules: [], baseScore: 0.2 }, THRESHOLDS)({ event: event({}) })).toEqual({ score: 0.2, firedRules: [] });
  });

  it('reads a file, naming it in every error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mlsd-rules-'));
    try {
      const path = join(dir, 'rules.json');
      await writeFile(path, JSON.stringify({ rules: [{ field: 'price', operator: '>=', value: 10, decision: 'block', reason: 'r' }] }));
      expect((await loadRulesFile(path, THRESHOLDS))({ event: event({ price: 10 }) })).toEqual({ score: 0.8, decision: 'block', firedRules: ['r'] });
      await writeFile(path, '{ "rules": [');
      await expect(loadRulesFile(path, THRESHOLDS)).rejects.toThrow(new RegExp(`Rules file "${path}" is not JSON`));
      await writeFile(path, JSON.stringify({ rule: [] }));
      await expect(loadRulesFile(path, THRESHOLDS)).rejects.toThrow(new RegExp(`Rules file "${path}": `));
      await expect(loadRulesFile(join(dir, 'none.json'), THRESHOLDS)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
