import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReferenceProfile } from '@mlsd/eval';
import { JsonlPredictionLog, Monitor, readPredictionLog, replayPredictionLog } from '@mlsd/monitoring';
import { syntheticTraffic } from './test-support/synthetic-traffic.js';

const dir = mkdtempSync(join(tmpdir(), 'mlsd-monitor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reference = syntheticTraffic(1, 20000);
// The registry stores the profile as opaque JSON: the monitor gets it back parsed, not as the original object.
const storedProfile: unknown = JSON.parse(JSON.stringify(buildReferenceProfile({ features: reference.features, scores: reference.scores })));

describe('Monitor', () => {
  it('serves drift per feature, live quality, the experiment and Prometheus gauges, and logs every event', async () => {
    const registry = new Registry();
    const file = join(dir, 'live.jsonl');
    const monitor = new Monitor({
      profile: storedProfile,
      drift: { windowSize: 1000, step: 100 },
      experiment: { challengerShare: 0.5, seed: 3 },
      registry,
      predictionLog: new JsonlPredictionLog(file),
      clock: () => 1_800_000_000_000,
    });
    const traffic = syntheticTraffic(2, 1500, { amountFactor: 1.6 });
    traffic.events.forEach((event, i) => {
      monitor.recordScore({ ...event, arm: monitor.assignArm(event.transaction.customerId) });
      if (i % 2 === 0) monitor.recordFeedback(event.transaction.transactionId, traffic.labels[i] === 1);
    });
    monitor.recordFeedback(123456789, true); // never scored

    const report = monitor.report();
    expect(report.generatedAt).toBe(new Date(1_800_000_000_000).toISOString());
    if (!report.drift.ready) throw new Error('1500 events fill the window: drift must be ready');
    expect(report.drift.features['TX_AMOUNT']!.status).toBe('alert');
    expect(report.drift.features['TX_AMOUNT']!.psi.value!).toBeGreaterThan(0.2);
    expect(report.drift.features['TX_DURING_WEEKEND']!.status).toBe('ok');
    expect(report.quality.labelled).toBe(750);
    expect(report.quality.averagePrecision!).toBeGreaterThan(0);
    expect(report.feedback).toEqual({ pending: 750, unmatched: 1 });
    const arms = report.experiment!.arms;
    expect(arms.champion.scored + arms.challenger.scored).toBe(1500);
    expect(arms.champion.labelled + arms.challenger.labelled).toBe(750);
    // The JSON survives serialisation (what GET /v1/monitoring sends).
    expect(JSON.parse(JSON.stringify(report)).drift.features.TX_AMOUNT.ks.pValue).toBeLessThan(1e-6);

    const metrics = await registry.metrics();
    expect(metrics).toMatch(/mlsd_monitoring_drift\{feature="TX_AMOUNT",statistic="psi"\} 0\.\d+/);
    expect(metrics).toMatch(/mlsd_monitoring_drift_status\{feature="TX_AMOUNT"\} 2/);
    expect(metrics).toMatch(/mlsd_monitoring_live_average_precision 0\.\d+/);
    expect(metrics).toMatch(/mlsd_monitoring_alert_rate 0\.\d+/);
    expect(metrics).toMatch(/mlsd_monitoring_experiment_recall\{arm="challenger"\}/);

    await monitor.close();
    const records = await readPredictionLog(file);
    expect(records.filter((r) => r.type === 'score')).toHaveLength(1500);
    expect(records.filter((r) => r.type === 'feedback')).toHaveLength(751);
    const first = records[0]!;
    expect(first.type === 'score' && Object.keys(first.features)).toEqual(['TX_AMOUNT', 'CUSTOMER_ID_NB_TX_1DAY_WINDOW', 'TX_DURING_WEEKEND']);

    // Replaying the log offline gives the report the service served.
    const replay = replayPredictionLog(records, { profile: storedProfile, drift: { windowSize: 1000, step: 100 } });
    expect(replay.report.drift).toEqual(report.drift);
    expect(replay.report.quality).toEqual(report.quality);
    expect(replay.report.experiment!.arms).toEqual(arms);
    expect(Math.abs(replay.report.experiment!.challengerShare - 0.5)).toBeLessThan(0.1); // estimated from the logged cards
    expect(replay.overall!.features['TX_AMOUNT']!.status).toBe('alert');
    expect(replay.history.length).toBe(11); // first at 500 events, then every 100 up to 1500
  });

  it('has no drift before 500 model-scored events and ignores fallback answers for drift', () => {
    const monitor = new Monitor({ profile: storedProfile });
    for (const event of syntheticTraffic(3, 800).events) {
      monitor.recordScore({ ...event, result: { ...event.result, source: 'fallback', fallbackReason: 'store-timeout' } });
    }
    const report = monitor.report();
    expect(report.drift).toMatchObject({ ready: false, events: 0, minEvents: 500 });
    expect(report.quality.fallbackRate).toBe(1);
    expect(report.experiment).toBeNull();
    expect(report.predictionLog).toBeNull();
  });

  it('rejects unknown options and a profile that is not one', () => {
    expect(() => new Monitor({ profile: storedProfile, window: 5 } as never)).toThrow(/unknown option "window"/);
    expect(() => new Monitor({ profile: { kind: 'something-else' } })).toThrow(/Monitor profile: field "kind"/);
  });
});

describe('Monitor with string ids', () => {
  it('joins labels to scores by string event ids and randomises the experiment by a string entity key', async () => {
    const file = join(dir, 'strings.jsonl');
    const monitor = new Monitor({ profile: storedProfile, experiment: { challengerShare: 0.5, seed: 1 }, predictionLog: new JsonlPredictionLog(file) });
    const traffic = syntheticTraffic(3, 200);
    traffic.events.forEach((event, i) => {
      const transaction = { ...event.transaction, transactionId: `ev-${i}`, customerId: `user-${i % 20}`, terminalId: null, amount: Number.NaN };
      monitor.recordScore({ ...event, transaction, arm: monitor.assignArm(transaction.customerId) });
    });
    traffic.events.forEach((_, i) => monitor.recordFeedback(`ev-${i}`, traffic.labels[i] === 1));
    monitor.recordFeedback('ev-unknown', false);
    const report = monitor.report();
    expect(report.feedback).toEqual({ pending: 0, unmatched: 1 });
    expect(report.quality.labelled).toBe(200);
    const arms = report.experiment!.arms;
    expect(arms.champion.labelled + arms.challenger.labelled).toBe(200);
    // Sticky by user: the same string key always gets the same arm.
    expect(monitor.assignArm('user-3')).toBe(monitor.assignArm('user-3'));
    await monitor.close();
    const records = await readPredictionLog(file);
    expect(records.filter((r) => r.type === 'feedback').map((r) => r.transactionId)).toContain('ev-7');
  });
});
