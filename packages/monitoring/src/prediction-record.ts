import type { Arm } from './arm-assignment.js';
import type { MonitoredDecision } from './monitored-event.js';

/**
 * One scored transaction in the prediction log (`"type": "score"`): the transaction, its features by name (NaN
 * written as null), the answer, and when it was logged. Enough to recompute monitoring offline and to turn logged
 * features into the next training set.
 */
export interface ScoreLogRecord {
  readonly type: 'score';
  readonly transactionId: string | number;
  /** Transaction time (TX_DATETIME), ms since epoch, UTC. */
  readonly time: number;
  /** The card (CUSTOMER_ID in the Handbook data). */
  readonly customerId: string | number;
  /** A second entity key (the terminal in the fraud example); null when the event has none. */
  readonly terminalId: string | number | null;
  /** The amount at stake; null (NaN) when the event has none. */
  readonly amount: number;
  readonly score: number;
  readonly decision: MonitoredDecision;
  readonly source: 'model' | 'fallback';
  readonly fallbackReason?: string;
  readonly modelVersion: number | null;
  /** The experiment arm that answered, when an experiment runs. */
  readonly arm?: Arm;
  /** Feature values by name; null for a missing value. Empty when the store did not answer. */
  readonly features: Readonly<Record<string, number | null>>;
  /** When the record was written, ms since epoch. */
  readonly loggedAt: number;
}

/** A feedback label in the prediction log (`"type": "feedback"`), joined to its score record by `transactionId`. */
export interface FeedbackLogRecord {
  readonly type: 'feedback';
  readonly transactionId: string | number;
  readonly fraud: boolean;
  readonly loggedAt: number;
}

/** One line of the prediction log. */
export type PredictionLogRecord = ScoreLogRecord | FeedbackLogRecord;

/**
 * Where scored events are written. `append` never throws and never waits (a failed write is counted and logged
 * by the implementation), so logging cannot slow down or fail a request; `close` flushes.
 */
export interface PredictionLog {
  append(record: PredictionLogRecord): void;
  close(): Promise<void>;
  /** What was written: the sink kind and target, records accepted, records that failed. */
  stats(): PredictionLogStats;
}

/** Counters of a {@link PredictionLog}. */
export interface PredictionLogStats {
  readonly kind: 'jsonl' | 'redis-stream';
  readonly target: string;
  readonly written: number;
  readonly failed: number;
}
