import { afterEach, describe, expect, it } from 'vitest';
import { denseMatrix } from '@mlsd/data';
import { createScoringService, type ScoringService } from '@mlsd/serving';
import { HANDBOOK_SERVICE } from '../test-support/handbook-service.js';
import { MapModelSource } from '../test-support/map-model-source.js';
import { SimpleFeatureBackend } from '../test-support/simple-feature-backend.js';
import { trainTinyMlp } from '../test-support/tiny-model.js';

const services: ScoringService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
});

describe('reasons with a neural-network champion', () => {
  it('answers /v1/score with the integrated-gradient reasons of the network', async () => {
    const mlp = await trainTinyMlp();
    const service = await createScoringService({
      ...HANDBOOK_SERVICE,
      models: new MapModelSource().add(1, mlp, ['champion']),
      features: new SimpleFeatureBackend(),
      port: 0,
      defaultMetrics: false,
      overload: { maxEventLoopDelayMs: 10_000 },
      deadlineMs: 5000,
      explain: 'all',
      logStream: { write: () => undefined },
    });
    services.push(service);
    // The customer's first transactions set its mean; the last one is far above it.
    const body = [10, 40, 40, 900].map((amount, i) => ({
      TRANSACTION_ID: i + 1,
      TX_DATETIME: `2018-04-01 10:0${i}:00`,
      CUSTOMER_ID: 7,
      TERMINAL_ID: 3,
      TX_AMOUNT: amount,
    }));
    const res = await service.app.inject({ method: 'POST', url: '/v1/score', payload: body });
    expect(res.statusCode).toBe(200);
    const results = res.json() as Array<{ source: string; decision: string; reasons: Array<{ feature: string; value: number; contribution: number }> }>;
    expect(results.every((r) => r.source === 'model')).toBe(true);
    const last = results[3]!;
    expect(last.decision).not.toBe('allow');
    expect(last.reasons.length).toBeGreaterThan(0);
    expect(last.reasons[0]!.feature).toBe('TX_AMOUNT');
    expect(last.reasons[0]!.value).toBe(900);
    // The reason is the network's own attribution for that row, against its training-mean baseline.
    const mean = (10 + 40 + 40) / 3; // the customer's mean before this transaction
    const row = denseMatrix(Float64Array.from([900, mean]), 1, 2, ['TX_AMOUNT', 'CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW']);
    const expected = mlp.contributions(row);
    const sent = last.reasons.find((r) => r.feature === 'TX_AMOUNT')!;
    expect(sent.contribution).toBeCloseTo(expected[0]!, 9);
    for (const r of results) for (const reason of r.reasons) expect(reason.contribution).toBeGreaterThan(0);
  });
});
