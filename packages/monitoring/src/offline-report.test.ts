import { describe, expect, it } from 'vitest';
import { buildReferenceProfile } from '@mlsd/eval';
import { Monitor, experimentFromLog, monitoringHtmlReport, replayPredictionLog, type PredictionLog, type PredictionLogRecord } from '@mlsd/monitoring';
import { syntheticTraffic } from './test-support/synthetic-traffic.js';

/** An in-memory prediction log: the records, as the JSON-lines file would hold them. */
function memoryLog(): PredictionLog & { records: PredictionLogRecord[] } {
  const records: PredictionLogRecord[] = [];
  return {
    records,
    append: (r) => records.push(JSON.parse(JSON.stringify(r)) as PredictionLogRecord),
    close: async () => {},
    stats: () => ({ kind: 'jsonl', target: 'memory', written: records.length, failed: 0 }),
  };
}

const reference = syntheticTraffic(1, 10000);
const profile = buildReferenceProfile({ features: reference.features, scores: reference.scores });

describe('offline reports from a prediction log', () => {
  it('experimentFromLog gives the per-arm results the live monitor served', () => {
    const log = memoryLog();
    const monitor = new Monitor({ profile, experiment: { challengerShare: 0.3, seed: 9 }, predictionLog: log });
    const traffic = syntheticTraffic(2, 3000);
    traffic.events.forEach((event, i) => {
      monitor.recordScore({ ...event, arm: monitor.assignArm(event.transaction.customerId) });
      monitor.recordFeedback(event.transaction.transactionId, traffic.labels[i] === 1);
    });
    const live = monitor.report().experiment!;
    const offline = experimentFromLog(log.records);
    expect(offline.arms).toEqual(live.arms);
    expect(offline.tests).toEqual(live.tests);
    expect(offline.unlabelled).toBe(0);
    // 997 distinct cards, 30 % to the challenger: the estimated share is close.
    expect(Math.abs(offline.challengerShare - 0.3)).toBeLessThan(0.06);
    expect(() => experimentFromLog(log.records.map((r) => (r.type === 'score' ? { ...r, arm: undefined } : r)))).toThrow(
      /no score record with an experiment arm/,
    );
  });

  it('monitoringHtmlReport shows the drift table, the timeline and the drifted bins', async () => {
    const log = memoryLog();
    const monitor = new Monitor({ profile, drift: { windowSize: 1000, step: 250 }, predictionLog: log });
    for (const event of syntheticTraffic(3, 2000, { amountFactor: 1.8 }).events) monitor.recordScore(event);
    const replay = replayPredictionLog(log.records, { profile, drift: { windowSize: 1000, step: 250 } });
    const html = await monitoringHtmlReport(replay, profile, { subtitle: 'test <run>' });
    expect(html).toContain('Drift of the whole log: alert');
    expect(html).toContain('PSI of the sliding window over the log');
    expect(html).toContain('TX_AMOUNT: PSI');
    expect(html).toContain('test &lt;run&gt;');
    expect((html.match(/<svg/g) ?? []).length).toBe(3); // the timeline, TX_AMOUNT and score bins
  });
});
