import { readFile } from 'node:fs/promises';
import { MlsdError } from '@mlsd/data';
import { z } from 'zod';
import type { Decision, DecisionThresholds } from '../scoring/decision.js';
import type { FallbackInput, FallbackRuleSet, FallbackVerdict } from './rule-set.js';

/** The comparison operators of a rule. `in` / `not-in` take an array `value`; the others a number or a string. */
export const RULE_OPERATORS = ['>', '>=', '<', '<=', '==', '!=', 'in', 'not-in'] as const;

/** A rule's operator. */
export type RuleOperator = (typeof RULE_OPERATORS)[number];

const DECISIONS = ['allow', 'review', 'block'] as const;
const scalar = z.union([z.number(), z.string(), z.boolean()]);
const fieldReference = z.strictObject({
  field: z.string().min(1, 'name a field'),
  times: z.number().optional(),
});

const ruleSchema = z
  .strictObject({
    field: z.string().min(1, 'name an event field or a raw feature'),
    operator: z.enum(RULE_OPERATORS, `expected one of ${RULE_OPERATORS.join(', ')}`),
    value: z.union([scalar, z.array(scalar), fieldReference], 'expected a number, a string, a boolean, an array of them, or { "field": NAME, "times"?: k }'),
    decision: z.enum(DECISIONS, `expected one of ${DECISIONS.join(', ')}`),
    reason: z.string().min(1, 'give the reason the answer will carry'),
    score: z.number().min(0).max(1).optional(),
  })
  .superRefine((rule, ctx) => {
    const list = rule.operator === 'in' || rule.operator === 'not-in';
    if (list !== Array.isArray(rule.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: list ? `operator "${rule.operator}" needs an array of values` : `operator "${rule.operator}" needs one value, not an array`,
      });
    }
    const ordered = rule.operator !== '==' && rule.operator !== '!=' && !list;
    if (ordered && typeof rule.value !== 'number' && !isReference(rule.value)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `operator "${rule.operator}" compares numbers: give a number or { "field": NAME, "times"?: k }`,
      });
    }
  });

/** The JSON of a rules file (see {@link fallbackRulesFromJSON}). */
export const rulesFileSchema = z.strictObject({
  /** Score when no rule fires. Default 0. */
  baseScore: z.number().min(0).max(1).optional(),
  rules: z.array(ruleSchema),
});

/** A rules file as written: `{ baseScore?, rules: [{ field, operator, value, decision, reason, score? }] }`. */
export type RulesFile = z.input<typeof rulesFileSchema>;

/** One rule of a {@link RulesFile}. */
export type FallbackRule = RulesFile['rules'][number];

type Parsed = z.output<typeof rulesFileSchema>;
type ParsedRule = Parsed['rules'][number];

const SEVERITY: Record<Decision, number> = { allow: 0, review: 1, block: 2 };

/**
 * Checks a rules file (parsed JSON) and compiles it into a {@link FallbackRuleSet}. Every rule fires on its own
 * when `field OPERATOR value` holds for the event: `field` names a field of the request schema or, when the feature
 * store answered, a raw online feature; `value` is a constant, a list (`in`, `not-in`), or `{ "field": other,
 * "times": k }` to compare with k × another field. A field that is missing, null or NaN never fires a rule.
 * The verdict's decision is the most severe fired decision; its score the highest fired score, where a rule without
 * `score` scores its decision's threshold (`block` → `thresholds.block`, `review` → `thresholds.review`, `allow` →
 * 0); no rule fired → `baseScore` (default 0), decision from the thresholds. An empty `rules` list always allows.
 *
 * Throws `INVALID_OPTION` naming the rule index and field, e.g. `rules[2].operator: expected one of >, >=, …`.
 */
export function fallbackRulesFromJSON(json: unknown, thresholds: DecisionThresholds, source = 'Rules'): FallbackRuleSet {
  const parsed = rulesFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
    const where = path === '' ? 'the file' : path;
    const hint = issue.code === 'unrecognized_keys' ? ' (a rule has field, operator, value, decision, reason and optionally score)' : '';
    throw new MlsdError('INVALID_OPTION', `${source}: ${where}: ${issue.message}${hint}.`, { location: { field: path === '' ? 'rules' : path } });
  }
  const { rules } = parsed.data;
  const baseScore = parsed.data.baseScore ?? 0;
  const scores = rules.map((rule) => rule.score ?? (rule.decision === 'block' ? thresholds.block : rule.decision === 'review' ? thresholds.review : 0));
  return (input: FallbackInput): FallbackVerdict => {
    let score = baseScore;
    let decision: Decision | undefined;
    const firedRules: string[] = [];
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r]!;
      if (!fires(rule, input)) continue;
      firedRules.push(rule.reason);
      score = Math.max(score, scores[r]!);
      if (decision === undefined || SEVERITY[rule.decision] > SEVERITY[decision]) decision = rule.decision;
    }
    return decision === undefined ? { score, firedRules } : { score, decision, firedRules };
  };
}

/** Reads a JSON rules file and compiles it (see {@link fallbackRulesFromJSON}); errors name the file. */
export async function loadRulesFile(path: string, thresholds: DecisionThresholds): Promise<FallbackRuleSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MlsdError('NOT_FOUND', `Rules file "${path}" cannot be read (${(error as Error).message}); give the path of a JSON rules file.`, {
      cause: error,
      location: { file: path },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MlsdError('INVALID_OPTION', `Rules file "${path}" is not JSON: ${(error as Error).message}.`, { cause: error, location: { file: path } });
  }
  return fallbackRulesFromJSON(json, thresholds, `Rules file "${path}"`);
}

function isReference(value: unknown): value is { field: string; times?: number } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lookup(input: FallbackInput, field: string): string | number | null {
  const value = input.event.fields[field];
  if (value !== undefined) return typeof value === 'number' && Number.isNaN(value) ? null : value;
  const features = input.features;
  if (features === undefined) return null;
  const index = features.names.indexOf(field);
  if (index < 0) return null;
  const feature = features.values[index]!;
  return Number.isNaN(feature) ? null : feature;
}

function fires(rule: ParsedRule, input: FallbackInput): boolean {
  const actual = lookup(input, rule.field);
  if (actual === null) return false;
  const { value } = rule;
  if (Array.isArray(value)) {
    const found = value.some((v) => same(actual, v));
    return rule.operator === 'in' ? found : !found;
  }
  let expected: string | number | boolean;
  if (isReference(value)) {
    const other = lookup(input, value.field);
    if (typeof other !== 'number') return false;
    expected = other * (value.times ?? 1);
  } else expected = value;
  switch (rule.operator) {
    case '==':
      return same(actual, expected);
    case '!=':
      return !same(actual, expected);
    default:
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      return rule.operator === '>'
        ? actual > expected
        : rule.operator === '>='
          ? actual >= expected
          : rule.operator === '<'
            ? actual < expected
            : actual <= expected;
  }
}

/** Equality across JSON types: labels are 0/1 in events, so `true` equals 1; ids may come as numbers or text. */
function same(actual: string | number, expected: string | number | boolean): boolean {
  if (typeof expected === 'boolean') return actual === (expected ? 1 : 0);
  return actual === expected || String(actual) === String(expected);
}
