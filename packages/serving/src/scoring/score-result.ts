import type { Arm, MonitoredTransaction } from '@mlsd/monitoring';
import type { Decision } from './decision.js';
import type { ScoreReason } from './reasons.js';
import type { ScoringEvent } from './scoring-event.js';

/**
 * Why a transaction was answered by the fallback rules instead of the model:
 * - `no-model`: no model is loaded (none registered, or it failed to load);
 * - `overload`: too many requests in flight or the event loop is stalled: shed instead of queued;
 * - `store-circuit-open` / `model-circuit-open`: the breaker stopped calling a failing dependency for a cool-down;
 * - `store-error`: the feature store failed (e.g. Redis unreachable);
 * - `store-timeout`: the feature store did not answer within the deadline;
 * - `model-error`: the model threw;
 * - `model-timeout`: the model path (features + model) finished after the deadline;
 * - `schema-mismatch`: the model's pipeline needs a field the service's request schema lacks (readiness fails too);
 * - `invalid-event`: this event's own values were refused by the feature path or made the model fail (non-finite
 *   features); no circuit breaker counts it.
 */
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** Every {@link FallbackReason}, in one list (the API description and the log records enumerate them). */
export const FALLBACK_REASONS = [
  'no-model',
  'overload',
  'store-circuit-open',
  'store-error',
  'store-timeout',
  'model-circuit-open',
  'model-error',
  'model-timeout',
  'schema-mismatch',
  'invalid-event',
] as const;

/** The answer for one event, as `POST /v1/score` returns it (the id under the service's `api.idField`). */
export interface ScoreResult {
  /** The event's id, as sent. */
  readonly id: string | number;
  /** Probability of the positive class in [0, 1] (model), or the fallback rules' score. */
  readonly score: number;
  readonly decision: Decision;
  readonly source: 'model' | 'fallback';
  readonly fallbackReason?: FallbackReason;
  /** Version of the champion that answered or would have answered; null when no model is loaded. */
  readonly modelVersion: number | null;
  /** Top feature contributions (model) or the rules that fired (fallback). */
  readonly reasons: readonly ScoreReason[];
  /** Time spent scoring this event, in ms. */
  readonly latencyMs: number;
  /**
   * Present (true) when the event is older than the latest event of one of its entities: scored from the state as
   * it is; recorded in time order when within the store's lateness bound, else not recorded (see the README).
   */
  readonly late?: true;
  /**
   * Present (true) when this id was scored before within the idempotency window: the first answer again (or, if
   * that answer was not kept yet, a fresh one from the unchanged state); nothing was recorded or counted.
   */
  readonly duplicate?: true;
}

/** The two arms of a champion/challenger experiment (the monitoring stage's `Arm`). */
export type ExperimentArm = Arm;

/**
 * What the monitor is told about each scored event (features by the raw feature names). `transaction` is the
 * monitoring stage's view of the event (id, time, experiment unit, second entity, amount; see the service's
 * `monitorFields` option), so a `Monitor` observes the service as it is.
 */
export interface ScoredEvent {
  readonly event: ScoringEvent;
  readonly transaction: MonitoredTransaction;
  readonly result: ScoreResult;
  /** Raw feature values and their names, when the store answered. */
  readonly features?: { readonly names: readonly string[]; readonly values: Float64Array };
  /** Which model answered in a champion/challenger experiment. */
  readonly arm?: ExperimentArm;
}

/**
 * Receives every scored event and every feedback label (the monitoring facade plugs in here). When it has
 * `assignArm`, it runs a champion/challenger experiment: events whose experiment unit (an entity key's value, see
 * `monitorFields.unit`) is assigned to `challenger` are answered by the challenger (when one is loaded).
 */
export interface ScoreObserver {
  recordScore(event: ScoredEvent): void;
  recordFeedback(id: string | number, label: boolean): void;
  assignArm?(unit: string | number): ExperimentArm;
}
