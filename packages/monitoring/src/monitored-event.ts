import type { Arm } from './arm-assignment.js';

/** The action a score led to: `review` and `block` count as alerts (flagged). */
export type MonitoredDecision = 'allow' | 'review' | 'block';

/** An event id or entity key as the monitor keeps it: a number or a string, compared as given. */
export type MonitoredKey = string | number;

/**
 * The event being scored, as the monitor needs it: its id, event time, the entity the experiment is randomised by
 * (`customerId`: any entity key's value — the card in the fraud example, a user elsewhere), a second entity
 * (`terminalId`, null when there is none) and the amount at stake (for money saved; NaN when there is none).
 */
export interface MonitoredTransaction {
  readonly transactionId: MonitoredKey;
  /** Event time, ms since epoch, UTC. */
  readonly time: number;
  readonly customerId: MonitoredKey;
  readonly terminalId: MonitoredKey | null;
  readonly amount: number;
}

/** The answer the service gave for a {@link MonitoredTransaction}. */
export interface MonitoredResult {
  /** Probability in [0, 1] from the model, or the fallback rules' score. */
  readonly score: number;
  readonly decision: MonitoredDecision;
  readonly source: 'model' | 'fallback';
  /** Why the fallback answered (serving's `FallbackReason`), when it did. */
  readonly fallbackReason?: string;
  /** The model version that answered or would have answered; null when none is loaded. */
  readonly modelVersion: number | null;
}

/**
 * One scored event as the monitor records it. Structural, so the serving stage's `ScoredEvent` is one without
 * monitoring importing serving: the transaction, the answer, the raw features by name when the store answered,
 * and the experiment arm that answered.
 */
export interface MonitoredEvent {
  readonly transaction: MonitoredTransaction;
  readonly result: MonitoredResult;
  /** Raw feature values and their names (NaN for missing), when the feature store answered. */
  readonly features?: { readonly names: readonly string[]; readonly values: Float64Array };
  readonly arm?: Arm;
}
