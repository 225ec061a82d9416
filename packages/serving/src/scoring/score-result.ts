import type { Arm } from '@mlsd/monitoring';
import type { Decision } from './decision.js';
import type { ScoreReason } from './reasons.js';
import type { ScoringTransaction } from './transaction.js';

/**
 * Why a transaction was answered by the fallback rules instead of the model:
 * - `no-model`: no model is loaded (none registered, or it failed to load);
 * - `overload`: too many requests in flight or the event loop is stalled: shed instead of queued;
 * - `store-circuit-open` / `model-circuit-open`: the breaker stopped calling a failing dependency for a cool-down;
 * - `store-error`: the feature store failed (e.g. Redis unreachable);
 * - `store-timeout`: the feature store did not answer within the deadline;
 * - `model-error`: the model threw;
 * - `model-timeout`: the model path (features + model) finished after the deadline.
 */
export type FallbackReason =
  | 'no-model'
  | 'overload'
  | 'store-circuit-open'
  | 'store-error'
  | 'store-timeout'
  | 'model-circuit-open'
  | 'model-error'
  | 'model-timeout';

/** The answer for one transaction, as `POST /v1/score` returns it. */
export interface ScoreResult {
  readonly transactionId: number;
  /** Fraud probability in [0, 1] (model), or the fallback rules' score. */
  readonly score: number;
  readonly decision: Decision;
  readonly source: 'model' | 'fallback';
  readonly fallbackReason?: FallbackReason;
  /** Version of the champion that answered or would have answered; null when no model is loaded. */
  readonly modelVersion: number | null;
  /** Top feature contributions (model) or the rules that fired (fallback). */
  readonly reasons: readonly ScoreReason[];
  /** Time spent scoring this transaction, in ms. */
  readonly latencyMs: number;
}

/** The two arms of a champion/challenger experiment (the monitoring stage's `Arm`). */
export type ExperimentArm = Arm;

/** What the monitor is told about each scored transaction (features by the model's input names). */
export interface ScoredEvent {
  readonly transaction: ScoringTransaction;
  readonly result: ScoreResult;
  /** Raw feature values and their names, when the store answered. */
  readonly features?: { readonly names: readonly string[]; readonly values: Float64Array };
  /** Which model answered in a champion/challenger experiment. */
  readonly arm?: ExperimentArm;
}

/**
 * Receives every scored transaction and every feedback label (the monitoring facade plugs in here). When it has
 * `assignArm`, it runs a champion/challenger experiment: transactions of cards assigned to `challenger` are
 * answered by the challenger (when one is loaded) instead of the champion.
 */
export interface ScoreObserver {
  recordScore(event: ScoredEvent): void;
  recordFeedback(transactionId: number, fraud: boolean): void;
  assignArm?(customerId: number): ExperimentArm;
}
