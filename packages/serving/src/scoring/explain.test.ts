import { afterEach, describe, expect, it } from 'vitest';
import { createScoringService, type ScoringService, type ScoringServiceOptions } from '@mlsd/serving';
import { SimpleFeatureBackend } from '../test-support/simple-feature-backend.js';
import { MapModelSource } from '../test-support/map-model-source.js';
import { trainTinyModel } from '../test-support/tiny-model.js';
import { HANDBOOK_SERVICE } from '../test-support/handbook-service.js';

const services: ScoringService[] = [];

async function serve(overrides: Partial<ScoringServiceOptions> = {}): Promise<ScoringService> {
  const service = await createScoringService({
    ...HANDBOOK_SERVICE,
    models: new MapModelSource().add(1, await trainTinyModel(), ['champion']),
    features: new SimpleFeatureBackend(),
    port: 0,
    defaultMetrics: false,
    overload: { maxEventLoopDelayMs: 10_000 },
    // These tests are about reasons, not the deadline: a loaded CI box must not turn an answer into model-timeout.
    deadlineMs: 5000,
    logStream: { write: () => undefined },
    ...overrides,
  });
  services.push(service);
  return service;
}

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
});

async function scoreAll(service: ScoringService): Promise<Array<{ decision: string; reasons: unknown[]; source: string }>> {
  const body = [10, 40, 40, 900].map((amount, i) => ({
    TRANSACTION_ID: i + 1,
    TX_DATETIME: `2018-04-01 10:0${i}:00`,
    CUSTOMER_ID: 7,
    TERMINAL_ID: 3,
    TX_AMOUNT: amount,
  }));
  const res = await service.app.inject({ method: 'POST', url: '/v1/score', payload: body });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('reasons (explain option)', () => {
  it('explains only review and block decisions by default', async () => {
    const results = await scoreAll(await serve());
    expect(results.every((r) => r.source === 'model')).toBe(true);
    const allowed = results.filter((r) => r.decision === 'allow');
    const flagged = results.filter((r) => r.decision !== 'allow');
    expect(allowed.length).toBeGreaterThan(0);
    expect(flagged.length).toBeGreaterThan(0);
    for (const r of allowed) expect(r.reasons).toEqual([]);
    for (const r of flagged) expect(r.reasons.length).toBeGreaterThan(0);
  });

  it('explains every model answer with explain: all', async () => {
    const results = await scoreAll(await serve({ explain: 'all' }));
    expect(results.some((r) => r.decision === 'allow')).toBe(true);
    for (const r of results) expect(r.reasons.length).toBeGreaterThan(0);
  });
});
