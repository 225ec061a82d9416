import { MlsdError } from '@mlsd/data';
import { ExperimentTracker, type ExperimentReport } from './experiment-tracker.js';
import type { PredictionLogRecord } from './prediction-record.js';

/**
 * Per-arm experiment results from a prediction log: each score record's logged `arm` and decision, joined to its
 * feedback record by transaction id (labels without a score record are ignored). The challenger share is
 * estimated as the challenger's share of scored cards. Throws `INVALID_INPUT` when no record carries an arm
 * (the service ran without an experiment).
 */
export function experimentFromLog(
  records: readonly PredictionLogRecord[],
  options: { readonly falseAlarmCost?: number; readonly alpha?: number; readonly source?: string } = {},
): ExperimentReport & { readonly unlabelled: number } {
  const scored = new Map<string | number, { arm: 'champion' | 'challenger'; flagged: boolean; amount: number; card: string | number }>();
  const cards = new Map<string | number, 'champion' | 'challenger'>();
  for (const r of records) {
    if (r.type === 'score' && r.arm !== undefined) {
      scored.set(r.transactionId, { arm: r.arm, flagged: r.decision !== 'allow', amount: r.amount ?? Number.NaN, card: r.customerId });
      cards.set(r.customerId, r.arm);
    }
  }
  if (scored.size === 0) {
    throw new MlsdError(
      'INVALID_INPUT',
      `${options.source ?? 'The prediction log'} has no score record with an experiment arm; run the service with an experiment ` +
        '(Monitor option experiment: { challengerShare }) so each record logs the arm that answered.',
      { location: { field: 'arm', ...(options.source === undefined ? {} : { file: options.source }) } },
    );
  }
  let challengerCards = 0;
  for (const arm of cards.values()) if (arm === 'challenger') challengerCards++;
  const tracker = new ExperimentTracker({
    challengerShare: challengerCards / cards.size,
    ...(options.falseAlarmCost === undefined ? {} : { falseAlarmCost: options.falseAlarmCost }),
    ...(options.alpha === undefined ? {} : { alpha: options.alpha }),
  });
  for (const entry of scored.values()) tracker.recordScored(entry.arm);
  for (const r of records) {
    if (r.type !== 'feedback') continue;
    const entry = scored.get(r.transactionId);
    if (entry === undefined) continue;
    tracker.recordLabelled(entry.arm, entry.card, entry.flagged, r.fraud, entry.amount);
    scored.delete(r.transactionId);
  }
  return { ...tracker.report(), unlabelled: scored.size };
}
