import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoringService, redisClusterFeatureBackend, registryModelSource, type ScoreResult } from '@mlsd/serving';
import { OwnRedisCluster } from '../../../features/src/test-support/own-redis-cluster.js';
import { HANDBOOK_SERVICE } from '../test-support/handbook-service.js';
import { trainedRegistry, type TrainedRegistry } from '../test-support/trained-registry.js';

async function waitUntil(condition: () => Promise<boolean>, what: string, attempts = 300): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A Redis Cluster of three masters of our own, one master stopped and restarted by the test (all stopped at the end).
let cluster: OwnRedisCluster;
let trained: TrainedRegistry;

beforeAll(async () => {
  cluster = await OwnRedisCluster.start();
  trained = await trainedRegistry({ customers: 100, days: 7, seed: 5 });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  await trained?.remove();
});

describe('Redis Cluster feature store', () => {
  it('scores with the model, answers through the fallback while a master is down, and scores with the model again after it is back', async () => {
    const service = await createScoringService({
      ...HANDBOOK_SERVICE,
      models: registryModelSource(trained.registry),
      features: await redisClusterFeatureBackend({ nodes: cluster.nodes, prefix: 'mlsd:cluster-outage-test:' }),
      port: 0,
      deadlineMs: 200,
      circuitBreaker: { failureThreshold: 3, coolDownMs: 200 },
      defaultMetrics: false,
      overload: { maxEventLoopDelayMs: 10_000 },
      logLevel: 'silent',
    });
    let id = 0;
    const score = async (customer = id % 7): Promise<ScoreResult> => {
      id += 1;
      const res = await service.app.inject({
        method: 'POST',
        url: '/v1/score',
        payload: { TRANSACTION_ID: id, TX_DATETIME: Date.UTC(2018, 3, 1) + id * 1000, CUSTOMER_ID: customer, TERMINAL_ID: id % 5, TX_AMOUNT: 300 },
      });
      expect(res.statusCode).toBe(200);
      return res.json() as ScoreResult;
    };
    try {
      await waitUntil(async () => (await score()).source === 'model', 'the first model answer');
      // A card's features accumulate across events (the state lives in the cluster).
      const first = await score(1000);
      const second = await score(1000);
      expect(first.source).toBe('model');
      expect(second.source).toBe('model');

      await cluster.stopNode(0);
      // Events whose card, terminal and id slots are all on the other masters may still be scored by the model;
      // every other one is a well-formed fallback answer.
      const reasons = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const answer = await score();
        expect(['allow', 'review', 'block']).toContain(answer.decision);
        if (answer.source === 'fallback') reasons.add(answer.fallbackReason!);
        else expect(answer.source).toBe('model');
      }
      expect(reasons.size).toBeGreaterThan(0);
      for (const reason of reasons) expect(['store-error', 'store-timeout', 'store-circuit-open']).toContain(reason);

      await cluster.restartNode(0);
      await waitUntil(async () => (await score()).source === 'model', 'the model path after the master is back');
      expect((await score()).source).toBe('model');
    } finally {
      await service.close();
    }
  }, 60_000);
});
