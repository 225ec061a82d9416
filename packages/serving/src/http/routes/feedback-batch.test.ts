import { afterEach, describe, expect, it } from 'vitest';
import { createScoringService, type ScoringService } from '@mlsd/serving';
import { SimpleFeatureBackend } from '../../test-support/simple-feature-backend.js';
import { MapModelSource } from '../../test-support/map-model-source.js';
import { trainTinyModel } from '../../test-support/tiny-model.js';
import { HANDBOOK_SERVICE } from '../../test-support/handbook-service.js';

const services: ScoringService[] = [];

async function serve(): Promise<ScoringService> {
  const service = await createScoringService({
    ...HANDBOOK_SERVICE,
    models: new MapModelSource().add(1, await trainTinyModel(), ['champion']),
    features: new SimpleFeatureBackend(),
    port: 0,
    defaultMetrics: false,
    maxBatchSize: 3,
    overload: { maxEventLoopDelayMs: 10_000 },
    logStream: { write: () => undefined },
  });
  services.push(service);
  return service;
}

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
});

describe('POST /v1/feedback with a batch', () => {
  it('applies every label of an array in order and answers one result per label', async () => {
    const service = await serve();
    const res = await service.app.inject({
      method: 'POST',
      url: '/v1/feedback',
      payload: [
        { transactionId: 1, fraud: true },
        { transactionId: 2, fraud: 0 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject([
      { transactionId: 1, fraud: true, accepted: true },
      { transactionId: 2, fraud: false, accepted: true },
    ]);
  });

  it('refuses the whole batch when one label is invalid, naming its item and field, and empty or oversized batches', async () => {
    const service = await serve();
    const bad = await service.app.inject({
      method: 'POST',
      url: '/v1/feedback',
      payload: [
        { transactionId: 1, fraud: true },
        { transactionId: -4, fraud: true },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe("Invalid feedback: field 'transactionId' of item 1: Too small: expected number to be >=0.");
    const empty = await service.app.inject({ method: 'POST', url: '/v1/feedback', payload: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toMatch(/batch holds 1 to 3 labels, got 0/);
    const big = await service.app.inject({
      method: 'POST',
      url: '/v1/feedback',
      payload: Array.from({ length: 4 }, (_, i) => ({ transactionId: i, fraud: false })),
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().error).toMatch(/batch holds 1 to 3 labels, got 4/);
  });
});
