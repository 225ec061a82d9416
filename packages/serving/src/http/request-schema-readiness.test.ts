import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema } from '@mlsd/data';
import { FileModelRegistry } from '@mlsd/models';
import { createScoringService, memoryFeatureBackend, registryModelSource } from '@mlsd/serving';
import { CLICK_SCHEMA, registerClickModel } from '../test-support/click-events.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-readiness-'));
  await registerClickModel(dir, 800);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function serveWith(requestSchema?: ReturnType<typeof defineSchema>) {
  return createScoringService({
    models: registryModelSource(new FileModelRegistry(dir)),
    features: memoryFeatureBackend(),
    modelName: 'clicks',
    port: 0,
    defaultMetrics: false,
    logStream: { write: () => undefined },
    rules: { rules: [{ field: 'user', operator: '==', value: 'u-bad', decision: 'block', reason: 'known-bad-user' }] },
    ...(requestSchema === undefined ? {} : { requestSchema }),
  });
}

describe('readiness and the request schema', () => {
  it("fails readiness, naming the field, when the model's pipeline needs one the request schema lacks, and falls back", async () => {
    const withoutPrice = defineSchema(
      'clicks',
      CLICK_SCHEMA.columns.filter((c) => c.name !== 'price'),
    );
    const service = await serveWith(withoutPrice);
    try {
      const ready = await service.app.inject({ url: '/v2/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ ready: false, degraded: true, issues: ['request-schema: missing field "price"'], modelVersion: 1 });
      const event = { event_id: 'e-1', ts: '2024-03-01 10:00:00', user: 'u-bad', device: 'phone' };
      const scored = await service.app.inject({ method: 'POST', url: '/v1/score', payload: event });
      expect(scored.json()).toMatchObject({
        id: 'e-1',
        source: 'fallback',
        fallbackReason: 'schema-mismatch',
        decision: 'block',
        reasons: [{ rule: 'known-bad-user' }],
      });
    } finally {
      await service.close();
    }
  });

  it("is ready when the request schema is the model's own or covers it", async () => {
    for (const requestSchema of [undefined, CLICK_SCHEMA]) {
      const service = await serveWith(requestSchema);
      try {
        const ready = await service.app.inject({ url: '/v2/health/ready' });
        expect(ready.statusCode).toBe(200);
        expect(ready.json()).toMatchObject({ ready: true, issues: [] });
        const scored = await service.app.inject({
          method: 'POST',
          url: '/v1/score',
          payload: { event_id: 'e-1', ts: 1_709_287_200_000, user: 'u1', price: 12, device: null },
        });
        expect(scored.json()).toMatchObject({ id: 'e-1', source: 'model' });
      } finally {
        await service.close();
      }
    }
  });

  it('answers 503 naming the fix when no model is loaded and no request schema is configured', async () => {
    const service = await createScoringService({
      models: registryModelSource(new FileModelRegistry(join(dir, 'empty'))),
      features: memoryFeatureBackend(),
      modelName: 'clicks',
      port: 0,
      defaultMetrics: false,
      logStream: { write: () => undefined },
    });
    try {
      const scored = await service.app.inject({ method: 'POST', url: '/v1/score', payload: { event_id: 'e-1' } });
      expect(scored.statusCode).toBe(503);
      expect(scored.json().error).toMatch(/request schema comes from the model; register a champion .* or give the service a requestSchema/);
    } finally {
      await service.close();
    }
  });
});
