import { denseMatrix } from '@mlsd/data';
import { compareToProfile, type DriftReport } from '@mlsd/eval';
import { Monitor, type MonitorOptions, type MonitoringReport } from './monitor.js';
import type { DriftHistoryPoint } from './drift-monitor.js';
import type { PredictionLogRecord, ScoreLogRecord } from './prediction-record.js';

/** What an offline replay of a prediction log gives. */
export interface ReplayResult {
  /** The monitoring report at the end of the log, as the service would have served it. */
  readonly report: MonitoringReport;
  /** Drift of every model-scored event in the log at once against the profile (null when there are none). */
  readonly overall: DriftReport | null;
  /** Sliding-window drift at each step through the log, for charts. */
  readonly history: readonly DriftHistoryPoint[];
  readonly records: { readonly scores: number; readonly feedback: number };
}

/**
 * Recomputes monitoring offline from a prediction log: replays every record, in order, through a {@link Monitor}
 * (its clock follows the records' `loggedAt`), and also measures the drift of the whole log at once. Options are
 * those of a Monitor without the registry and prediction log; when the records carry arms the experiment is
 * enabled automatically, per-arm results come from the logged arms, and the share reported is the challenger's
 * share of the logged cards.
 */
export function replayPredictionLog(
  records: readonly PredictionLogRecord[],
  options: Omit<MonitorOptions, 'registry' | 'predictionLog' | 'clock'>,
): ReplayResult {
  let now = 0;
  const monitor = new Monitor({
    ...options,
    ...(options.experiment === undefined ? loggedExperiment(records) : {}),
    clock: () => now,
  });
  const names = monitor.profile.features.map((f) => f.name);
  const values = new Float64Array(names.length);
  const overallRows: number[] = [];
  const overallScores: number[] = [];
  let scores = 0;
  let feedback = 0;
  for (const record of records) {
    now = record.loggedAt;
    if (record.type === 'feedback') {
      feedback++;
      monitor.recordFeedback(record.transactionId, record.fraud);
      continue;
    }
    scores++;
    const hasFeatures = fillFeatures(record, names, values);
    if (hasFeatures && record.source === 'model') {
      for (let i = 0; i < values.length; i++) overallRows.push(values[i]!);
      overallScores.push(record.score);
    }
    monitor.recordScore({
      transaction: {
        transactionId: record.transactionId,
        time: record.time,
        customerId: record.customerId,
        terminalId: record.terminalId ?? null,
        amount: record.amount ?? Number.NaN,
      },
      result: {
        score: record.score,
        decision: record.decision,
        source: record.source,
        ...(record.fallbackReason === undefined ? {} : { fallbackReason: record.fallbackReason }),
        modelVersion: record.modelVersion,
      },
      ...(hasFeatures ? { features: { names, values } } : {}),
      ...(record.arm === undefined ? {} : { arm: record.arm }),
    });
  }
  const rows = overallScores.length;
  const overall =
    rows === 0
      ? null
      : compareToProfile(
          monitor.profile,
          { features: denseMatrix(Float64Array.from(overallRows), rows, names.length, names), scores: Float64Array.from(overallScores) },
          options.drift?.thresholds === undefined ? {} : { thresholds: options.drift.thresholds },
        );
  return { report: monitor.report(), overall, history: monitor.driftHistory(), records: { scores, feedback } };
}

function fillFeatures(record: ScoreLogRecord, names: readonly string[], out: Float64Array): boolean {
  let any = false;
  for (let i = 0; i < names.length; i++) {
    const value = record.features[names[i]!];
    out[i] = typeof value === 'number' ? value : Number.NaN;
    if (typeof value === 'number') any = true;
  }
  return any;
}

function loggedExperiment(records: readonly PredictionLogRecord[]): { experiment?: { challengerShare: number } } {
  const cards = new Map<string | number, boolean>();
  for (const r of records) if (r.type === 'score' && r.arm !== undefined) cards.set(r.customerId, r.arm === 'challenger');
  if (cards.size === 0) return {};
  let challengers = 0;
  for (const challenger of cards.values()) if (challenger) challengers++;
  return { experiment: { challengerShare: challengers / cards.size } };
}
