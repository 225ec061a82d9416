import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createScoringService, redisFeatureBackend, registryModelSource, type ScoreResult } from '@mlsd/serving';
import { trainedRegistry, type TrainedRegistry } from '../test-support/trained-registry.js';
import { HANDBOOK_SERVICE } from '../test-support/handbook-service.js';
import { OwnRedis } from '../test-support/own-redis.js';

async function waitUntil(condition: () => Promise<boolean>, what: string, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A Redis server of our own on a free port, stopped and restarted by the test (always stopped at the end).
let redis: OwnRedis;
let trained: TrainedRegistry;

beforeAll(async () => {
  redis = await OwnRedis.start();
  trained = await trainedRegistry({ customers: 100, days: 7, seed: 5 });
});

afterAll(async () => {
  await redis?.stop();
  await trained?.remove();
});

describe('Redis feature store outage', () => {
  it('keeps answering through the fallback while Redis is paused, stopped, then recovers by itself once it is back', async () => {
    const service = await createScoringService({
      ...HANDBOOK_SERVICE,
      models: registryModelSource(trained.registry),
      features: await redisFeatureBackend({ url: redis.url, prefix: 'mlsd:outage-test:' }),
      port: 0,
      deadlineMs: 200,
      circuitBreaker: { failureThreshold: 3, coolDownMs: 200 },
      defaultMetrics: false,
      overload: { maxEventLoopDelayMs: 10_000 },
      logLevel: 'silent',
    });
    let id = 0;
    const score = async (): Promise<ScoreResult> => {
      id += 1;
      const res = await service.app.inject({
        method: 'POST',
        url: '/v1/score',
        payload: { TRANSACTION_ID: id, TX_DATETIME: Date.UTC(2018, 3, 1) + id * 1000, CUSTOMER_ID: id % 7, TERMINAL_ID: id % 5, TX_AMOUNT: 300 },
      });
      expect(res.statusCode).toBe(200);
      return res.json() as ScoreResult;
    };
    try {
      // (The box may be loaded by other work: wait for the model path rather than expect it on the first call.)
      await waitUntil(async () => (await score()).source === 'model', 'the first model answer');

      // A slow store: CLIENT PAUSE holds every command for 1 s, far beyond the 200 ms deadline.
      const admin = new Redis(redis.url);
      await admin.call('CLIENT', 'PAUSE', '1000', 'ALL');
      const slow = await score();
      expect(slow).toMatchObject({ source: 'fallback', fallbackReason: 'store-timeout', decision: 'block', reasons: [{ rule: 'amount-above-limit' }] });
      expect(slow.latencyMs).toBeLessThan(900);
      await admin.quit();
      await waitUntil(async () => (await score()).source === 'model', 'the model path after the pause');

      // A stopped store: every answer is still a 200 from the fallback (store-error, or store-timeout while the
      // connection loss is being noticed), then circuit-open once the breaker trips.
      await redis.stop();
      const reasons = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const answer = await score();
        expect(answer.source).toBe('fallback');
        reasons.add(answer.fallbackReason!);
      }
      expect(reasons.has('store-circuit-open')).toBe(true);
      expect(reasons.has('store-error') || reasons.has('store-timeout')).toBe(true);
      for (const reason of reasons) expect(['store-error', 'store-timeout', 'store-circuit-open']).toContain(reason);
      const ready = (await service.app.inject({ url: '/v2/health/ready' })).json();
      expect(ready).toMatchObject({ ready: true, degraded: true, storeReachable: false });
      expect((await service.app.inject({ url: '/v2/health/live' })).statusCode).toBe(200);

      // Back up (empty: no persistence): the client reconnects, the breaker's probe succeeds, the model answers.
      await redis.restart();
      await waitUntil(async () => (await score()).source === 'model', 'the service to recover');
      expect((await score()).source).toBe('model');
      // The events answered during the outage are recorded in the background: readiness lists them until then.
      await waitUntil(async () => (await service.app.inject({ url: '/v2/health/ready' })).json().degraded === false, 'the held events to be recorded');
      expect((await service.app.inject({ url: '/v2/health/ready' })).json()).toMatchObject({ degraded: false, storeReachable: true });
    } finally {
      await service.close();
    }
  });
});
