import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Monitor } from '@mlsd/monitoring';
import { createScoringService, memoryFeatureBackend, redisFeatureBackend, registryModelSource, type FeatureBackend, type ScoringService } from '@mlsd/serving';
import { trainedRegistry, type TrainedRegistry } from '../test-support/trained-registry.js';
import { HANDBOOK_SERVICE, type HandbookAnswer } from '../test-support/handbook-service.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const ADMIN_TOKEN = 'real-stack-admin-token-123';

let trained: TrainedRegistry;
let offlineScores: Float64Array;

// A 7-day simulation: no transaction is old enough to enter the terminals' delayed risk windows (delay 7 days),
// so replaying it online without label feedback must give exactly the offline features.
beforeAll(async () => {
  trained = await trainedRegistry({ customers: 150, days: 7, seed: 11 });
  offlineScores = trained.model.predictProba(trained.pipeline.transform(trained.table));
});

afterAll(async () => {
  await trained.remove();
});

function transactions(from: number, to: number) {
  const { table } = trained;
  const ids = table.numeric('TRANSACTION_ID');
  const times = table.numeric('TX_DATETIME');
  const customers = table.numeric('CUSTOMER_ID');
  const terminals = table.numeric('TERMINAL_ID');
  const amounts = table.numeric('TX_AMOUNT');
  const out = [];
  for (let i = from; i < to; i++) {
    out.push({ TRANSACTION_ID: ids[i]!, TX_DATETIME: times[i]!, CUSTOMER_ID: customers[i]!, TERMINAL_ID: terminals[i]!, TX_AMOUNT: amounts[i]! });
  }
  return out;
}

async function serve(features: FeatureBackend): Promise<ScoringService> {
  return createScoringService({
    ...HANDBOOK_SERVICE,
    explain: 'all',
    models: registryModelSource(trained.registry),
    features,
    port: 0,
    deadlineMs: 1000,
    adminToken: ADMIN_TOKEN,
    defaultMetrics: false,
    overload: { maxEventLoopDelayMs: 10_000 },
    logLevel: 'silent',
  });
}

async function replay(service: ScoringService, from: number, to: number, batch = 500): Promise<HandbookAnswer[]> {
  const results: HandbookAnswer[] = [];
  for (let start = from; start < to; start += batch) {
    const res = await service.app.inject({ method: 'POST', url: '/v1/score', payload: transactions(start, Math.min(to, start + batch)) });
    expect(res.statusCode).toBe(200);
    results.push(...(res.json() as HandbookAnswer[]));
  }
  return results;
}

describe('the service on the real registry and feature pipeline', () => {
  it('gives, online through HTTP, the offline score of every transaction of a replay (memory store)', async () => {
    const service = await serve(memoryFeatureBackend());
    try {
      const n = trained.table.rowCount;
      const results = await replay(service, 0, n);
      expect(results).toHaveLength(n);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        expect(results[i]!.source).toBe('model');
        worst = Math.max(worst, Math.abs(results[i]!.score - offlineScores[i]!));
      }
      expect(worst).toBeLessThan(1e-9);
      expect(results[0]!.modelVersion).toBe(1);
      // Reasons are the model's largest positive contributions for that row (coef x scaled value), largest first.
      const X = trained.pipeline.transform(trained.table);
      const contributions = trained.model.contributions(X);
      const width = X.cols + 1;
      for (const i of [0, 100, n - 1]) {
        const row = Array.from(contributions.subarray(i * width, i * width + X.cols));
        const expected = row
          .map((contribution, c) => ({ feature: X.featureNames[c]!, contribution }))
          .filter((r) => r.contribution > 0)
          .sort((a, b) => b.contribution - a.contribution)
          .slice(0, 3);
        const reasons = results[i]!.reasons;
        expect(reasons.map((r) => ('feature' in r ? r.feature : r.rule))).toEqual(expected.map((r) => r.feature));
        reasons.forEach((r, k) => expect('contribution' in r ? r.contribution : NaN).toBeCloseTo(expected[k]!.contribution, 9));
      }
      // The reported value is the raw feature (TX_AMOUNT in currency units, not its scaled input).
      const amountReason = results
        .flatMap((r, i) => r.reasons.map((reason) => ({ reason, i })))
        .find(({ reason }) => 'feature' in reason && reason.feature === 'TX_AMOUNT');
      if (amountReason !== undefined && 'value' in amountReason.reason) {
        expect(amountReason.reason.value).toBe(trained.table.numeric('TX_AMOUNT')[amountReason.i]);
      }
      const feedback = await service.app.inject({ method: 'POST', url: '/v1/feedback', payload: { transactionId: results[5]!.transactionId, fraud: true } });
      expect(feedback.json()).toMatchObject({ accepted: true, featureStoreEvents: 2 });
      const unknown = await service.app.inject({ method: 'POST', url: '/v1/feedback', payload: { transactionId: 99_999_999, fraud: false } });
      expect(unknown.json()).toMatchObject({ accepted: true, featureStoreEvents: 0 });
    } finally {
      await service.close();
    }
  });

  it('answers a transaction later than the lateness bound instead of refusing it (issue 13: every payment gets a decision)', async () => {
    const service = await serve(memoryFeatureBackend({ lateness: '1m' }));
    try {
      const [first, second] = transactions(0, 2);
      const late = { ...second!, TRANSACTION_ID: 10_000_000, CUSTOMER_ID: first!.CUSTOMER_ID, TX_DATETIME: first!.TX_DATETIME - 3_600_000 };
      const res = await service.app.inject({ method: 'POST', url: '/v1/score', payload: [first, late] });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toHaveLength(2);
    } finally {
      await service.close();
    }
  });

  it('serves the registry champion over the Open Inference Protocol, and reloads a new champion and a challenger', async () => {
    const service = await serve(memoryFeatureBackend());
    try {
      const X = trained.pipeline.transform(trained.table);
      const rows = 4;
      const res = await service.app.inject({
        method: 'POST',
        url: '/v2/models/fraud/infer',
        payload: { inputs: [{ name: 'features', shape: [rows, X.cols], datatype: 'FP64', data: Array.from(X.data.subarray(0, rows * X.cols)) }] },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().outputs[0].data).toEqual(Array.from(offlineScores.subarray(0, rows)));
      const v2 = await trained.registerAnother({ C: 0.01, alias: 'champion' });
      const v3 = await trained.registerAnother({ C: 0.1, alias: 'challenger' });
      const reload = await service.app.inject({ method: 'POST', url: '/admin/reload', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(reload.json()).toEqual({ model: 'fraud', previousVersion: 1, version: v2, challengerVersion: v3 });
      const scored = await service.app.inject({ method: 'POST', url: '/v1/score', payload: transactions(0, 1)[0] });
      expect(scored.json()).toMatchObject({ source: 'model', modelVersion: v2 });
      const v1 = await service.app.inject({ url: '/v2/models/fraud/versions/1' });
      expect(v1.json().versions).toEqual(['1']);
    } finally {
      await trained.registry.setAlias('fraud', 'champion', 1);
      await service.close();
    }
  });

  it('gives the same scores with the Redis store as with the memory store, under a unique key prefix', async () => {
    const prefix = `mlsd:test:serving:${process.pid}:${Date.now()}:`;
    const service = await serve(await redisFeatureBackend({ url: REDIS_URL, prefix }));
    const client = new Redis(REDIS_URL);
    try {
      const n = 400;
      const results = await replay(service, 0, n, 100);
      for (let i = 0; i < n; i++) {
        expect(results[i]!.source).toBe('model');
        expect(Math.abs(results[i]!.score - offlineScores[i]!)).toBeLessThan(1e-9);
      }
      const ready = (await service.app.inject({ url: '/v2/health/ready' })).json();
      expect(ready).toMatchObject({ degraded: false, storeReachable: true });
    } finally {
      await service.close();
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    }
  });
});

describe('the service with the monitor', () => {
  it('feeds every score and label to the monitor and serves its report and gauges', async () => {
    const service = await createScoringService({
      ...HANDBOOK_SERVICE,
      models: registryModelSource(trained.registry),
      features: memoryFeatureBackend(),
      port: 0,
      deadlineMs: 1000,
      defaultMetrics: false,
      overload: { maxEventLoopDelayMs: 10_000 },
      logLevel: 'silent',
      monitor: ({ model, registry, logger }) => new Monitor({ profile: model!.profile, registry, logger }),
    });
    try {
      const n = 600;
      const results = await replay(service, 0, n);
      const labels = trained.table.labels('TX_FRAUD');
      for (let i = 0; i < 50; i++) {
        await service.app.inject({ method: 'POST', url: '/v1/feedback', payload: { transactionId: results[i]!.transactionId, fraud: labels[i] === 1 } });
      }
      const report = (await service.app.inject({ url: '/v1/monitoring' })).json();
      expect(report).toMatchObject({ kind: 'mlsd-monitoring-report', service: { modelVersion: 1 } });
      expect(report.drift.ready).toBe(true);
      expect(Object.keys(report.drift.features)).toContain('TX_AMOUNT');
      expect(report.quality).toMatchObject({ scored: n, labelled: 50, fallbackRate: 0 });
      const metrics = (await service.app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/mlsd_monitoring_drift\{feature="TX_AMOUNT",statistic="psi"\}/);
    } finally {
      await service.close();
    }
  });
});
