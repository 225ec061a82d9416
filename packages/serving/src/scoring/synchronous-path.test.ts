import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoringService, memoryFeatureBackend, registryModelSource, type FeatureBackend, type ScoreResult, type ScoringService } from '@mlsd/serving';
import { HANDBOOK_SERVICE } from '../test-support/handbook-service.js';
import { trainedRegistry, type TrainedRegistry } from '../test-support/trained-registry.js';

// The request path answers without a promise when nothing on it is asynchronous (the in-process store's
// computeAndRecordSync and a synchronous model), and that answer is the one the promise path gives: same scores,
// decisions, reasons, duplicates and late flags, event by event.

/** The memory backend without the synchronous form of its features: every call answers with a promise, as a remote store's does. */
function promiseOnly(backend: FeatureBackend): FeatureBackend {
  return {
    forPipeline(pipeline) {
      const { computeAndRecordSync: _dropped, ...asynchronous } = backend.forPipeline(pipeline);
      return asynchronous;
    },
    ping: () => backend.ping(),
    close: () => backend.close(),
  };
}

let trained: TrainedRegistry;
let synchronous: ScoringService;
let withPromises: ScoringService;
beforeAll(async () => {
  trained = await trainedRegistry({ customers: 40, days: 7, seed: 29 });
  const options = {
    ...HANDBOOK_SERVICE,
    models: registryModelSource(trained.registry),
    port: 0,
    deadlineMs: 5000,
    defaultMetrics: false,
    overload: { maxEventLoopDelayMs: 10_000 },
    logLevel: 'silent' as const,
  };
  synchronous = await createScoringService({ ...options, features: memoryFeatureBackend() });
  withPromises = await createScoringService({ ...options, features: promiseOnly(memoryFeatureBackend()) });
});
afterAll(async () => {
  await synchronous.close();
  await withPromises.close();
  await trained.remove();
});

const T0 = Date.UTC(2018, 3, 2);
/** 300 events over 3 days on 6 cards: amounts up to 400 (some flagged, so reasons are computed), every 7th a retry, every 11th late. */
function events() {
  const out = [];
  for (let i = 0; i < 300; i++) {
    const retry = i % 7 === 6;
    const late = i % 11 === 10;
    out.push({
      TRANSACTION_ID: retry ? i - 3 : i,
      TX_DATETIME: T0 + i * 864_000 - (late ? 3 * 3_600_000 : 0),
      CUSTOMER_ID: i % 6,
      TERMINAL_ID: (i * 5) % 9,
      TX_AMOUNT: (i * 37) % 400,
    });
  }
  return out;
}

const withoutLatency = ({ latencyMs: _latency, ...rest }: ScoreResult) => rest;

describe('the synchronous request path', () => {
  it('answers without a promise, with what the promise path answers', async () => {
    let flagged = 0;
    let duplicates = 0;
    let late = 0;
    for (const body of events()) {
      const schema = synchronous.scorer.requestSchema();
      const now = synchronous.scorer.scoreNow(schema.parse(body));
      expect(now).not.toBeInstanceOf(Promise);
      const promised = withPromises.scorer.scoreNow(withPromises.scorer.requestSchema().parse(body));
      expect(promised).toBeInstanceOf(Promise);
      const result = now as ScoreResult;
      expect(withoutLatency(result)).toEqual(withoutLatency(await promised));
      expect(result.source).toBe('model');
      if (result.decision !== 'allow') flagged++;
      if (result.duplicate === true) duplicates++;
      if (result.late === true) late++;
    }
    // The comparison covered every branch it claims to.
    expect(flagged).toBeGreaterThan(10);
    expect(duplicates).toBeGreaterThan(30);
    expect(late).toBeGreaterThan(10);
  });

  it('answers POST /v1/score the same way over HTTP', async () => {
    const body = { TRANSACTION_ID: 10_000, TX_DATETIME: T0 + 301 * 864_000, CUSTOMER_ID: 1, TERMINAL_ID: 2, TX_AMOUNT: 380 };
    const [a, b] = await Promise.all([synchronous, withPromises].map((service) => service.app.inject({ method: 'POST', url: '/v1/score', payload: body })));
    expect(a!.statusCode).toBe(200);
    expect(a!.headers['content-type']).toBe('application/json; charset=utf-8');
    const { latencyMs: _a, ...answerA } = a!.json();
    const { latencyMs: _b, ...answerB } = b!.json();
    expect(answerA).toEqual(answerB);
    expect(answerA.transactionId).toBe(10_000);
  });
});
