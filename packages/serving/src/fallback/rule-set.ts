import type { Decision } from '../scoring/decision.js';
import type { ScoringEvent } from '../scoring/scoring-event.js';

/** What a fallback rule set sees: the event, and its raw online features when the feature store answered. */
export interface FallbackInput {
  readonly event: ScoringEvent;
  /** The raw features of the served pipeline by name (e.g. a 30-day mean); undefined when the store did not answer. */
  readonly features?: { readonly names: readonly string[]; readonly values: Float64Array };
}

/**
 * The answer of a rule set: a score in [0, 1], the rules that fired (they become the answer's `reasons`), and
 * optionally the decision; without one the service maps the score through its thresholds.
 */
export interface FallbackVerdict {
  readonly score: number;
  readonly decision?: Decision;
  readonly firedRules: readonly string[];
}

/**
 * The fallback the service answers with whenever the model path cannot (no model, overload, a failed store or
 * model): a pure, cheap function. Build one from a declarative rules file with `fallbackRulesFromJSON` /
 * `loadRulesFile`, or write your own. It must not throw; a throw is answered with the base verdict (score 0).
 */
export type FallbackRuleSet = (input: FallbackInput) => FallbackVerdict;
