import { afterEach, describe, expect, it } from 'vitest';
import { denseMatrix } from '@mlsd/data';
import { createScoringService, type ScoringService, type ScoringServiceOptions } from '@mlsd/serving';
import { SimpleFeatureBackend, SIMPLE_FEATURES } from '../test-support/simple-feature-backend.js';
import { MapModelSource } from '../test-support/map-model-source.js';
import { MisbehavingClassifier, trainTinyModel } from '../test-support/tiny-model.js';
import { HANDBOOK_SERVICE, type HandbookAnswer } from '../test-support/handbook-service.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';

function tx(id: number, amount: number, customer = 7, terminal = 3, time = '2018-04-01 10:00:00') {
  return { TRANSACTION_ID: id, TX_DATETIME: time, CUSTOMER_ID: customer, TERMINAL_ID: terminal, TX_AMOUNT: amount };
}

const services: ScoringService[] = [];

async function serve(overrides: Partial<ScoringServiceOptions> = {}, models?: MapModelSource, features = new SimpleFeatureBackend()) {
  const source = models ?? new MapModelSource().add(1, await trainTinyModel(), ['champion']);
  const lines: string[] = [];
  const service = await createScoringService({
    ...HANDBOOK_SERVICE,
    models: source,
    features,
    port: 0,
    adminToken: ADMIN_TOKEN,
    defaultMetrics: false,
    // A loaded CI box stalls the loop now and then: only the shedding tests set a tight event-loop bound.
    overload: { maxEventLoopDelayMs: 10_000 },
    logStream: { write: (line: string) => void lines.push(line) },
    ...overrides,
  });
  services.push(service);
  return { service, source, features, lines };
}

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
});

async function score(service: ScoringService, body: unknown): Promise<{ status: number; json: HandbookAnswer & { error?: string } }> {
  const res = await service.app.inject({ method: 'POST', url: '/v1/score', payload: body as object });
  return { status: res.statusCode, json: res.json() };
}

describe('POST /v1/score', () => {
  it('scores with the champion: the probability of the model on the online features, decision and reasons', async () => {
    const { service } = await serve();
    const model = await trainTinyModel();
    // Customer 7's history: two transactions of 40, then one of 200 (5x the mean) must look riskier.
    await score(service, tx(1, 40));
    await score(service, tx(2, 40));
    const { status, json } = await score(service, tx(3, 200));
    expect(status).toBe(200);
    const expected = model.predictProba(denseMatrix(Float64Array.of(200, 40), 1, 2, [...SIMPLE_FEATURES]))[0]!;
    expect(json.score).toBeCloseTo(expected, 12);
    expect(json).toMatchObject({ transactionId: 3, source: 'model', modelVersion: 1 });
    expect(json.fallbackReason).toBeUndefined();
    expect(json.decision).toBe(expected >= 0.8 ? 'block' : expected >= 0.5 ? 'review' : 'allow');
    // The logistic regression's contributions are coef * x: TX_AMOUNT pushes the score up here.
    expect(json.reasons[0]).toMatchObject({ feature: 'TX_AMOUNT', value: 200 });
    expect(json.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('scores a batch in order, each transaction seeing the ones before it', async () => {
    const { service } = await serve();
    const single = await serve();
    const batch = [tx(1, 40), tx(2, 60), tx(3, 300)];
    const { status, json } = await score(service, batch);
    expect(status).toBe(200);
    const results = json as unknown as HandbookAnswer[];
    expect(results.map((r) => r.transactionId)).toEqual([1, 2, 3]);
    for (const [i, t] of batch.entries()) {
      const one = await score(single.service, t);
      expect(results[i]!.score).toBe(one.json.score);
    }
  });

  it('rejects a bad transaction with 400 naming the field, the batch item and the problem', async () => {
    const { service } = await serve();
    const missing = await score(service, { ...tx(1, 10), TX_AMOUNT: undefined });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/field 'TX_AMOUNT'/);
    const negative = await score(service, [tx(1, 10), tx(2, -5)]);
    expect(negative.status).toBe(400);
    expect(negative.json.error).toMatch(/field 'TX_AMOUNT' of item 1/);
    const badDate = await score(service, tx(1, 10, 7, 3, '2018-02-30 10:00:00'));
    expect(badDate.status).toBe(400);
    expect(badDate.json.error).toMatch(/TX_DATETIME.*2018-02-30/);
    const empty = await score(service, []);
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatch(/batch holds 1 to 1000/);
  });

  it('refuses __proto__ and constructor.prototype keys without polluting Object.prototype', async () => {
    const { service } = await serve();
    const proto = await service.app.inject({
      method: 'POST',
      url: '/v1/score',
      headers: { 'content-type': 'application/json' },
      payload: '{"TRANSACTION_ID":1,"TX_DATETIME":"2018-04-01 00:00:00","CUSTOMER_ID":1,"TERMINAL_ID":1,"TX_AMOUNT":1,"__proto__":{"polluted":true}}',
    });
    expect(proto.statusCode).toBe(400);
    const ctor = await service.app.inject({
      method: 'POST',
      url: '/v1/feedback',
      headers: { 'content-type': 'application/json' },
      payload: '{"transactionId":1,"fraud":true,"constructor":{"prototype":{"polluted":true}}}',
    });
    expect(ctor.statusCode).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('answers 413 above the body limit, 415 for non-JSON and 404 with a hint for unknown routes', async () => {
    const { service } = await serve({ bodyLimitBytes: 1000 });
    const big = await service.app.inject({ method: 'POST', url: '/v1/score', payload: Array.from({ length: 50 }, (_, i) => tx(i, 1)) });
    expect(big.statusCode).toBe(413);
    const text = await service.app.inject({ method: 'POST', url: '/v1/score', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.statusCode).toBe(415);
    const missing = await service.app.inject({ method: 'GET', url: '/v1/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatch(/No route GET \/v1\/nope/);
  });
});

describe('fallback', () => {
  it('answers no-model when no champion exists, with the rules firing on a large amount', async () => {
    const { service } = await serve({}, new MapModelSource());
    const { status, json } = await score(service, tx(1, 500));
    expect(status).toBe(200);
    expect(json).toMatchObject({ source: 'fallback', fallbackReason: 'no-model', modelVersion: null, score: 0.9, decision: 'block' });
    expect(json.reasons).toEqual([{ rule: 'amount-above-limit' }]);
    const small = await score(service, tx(2, 10));
    expect(small.json).toMatchObject({ score: 0, decision: 'allow', reasons: [] });
  });

  it('answers model-error when the model throws, with the customer mean rule from the features', async () => {
    const models = new MapModelSource().add(1, new MisbehavingClassifier({ throws: true }), ['champion']);
    const { service } = await serve({}, models);
    await score(service, tx(1, 20));
    const { json } = await score(service, tx(2, 150));
    expect(json).toMatchObject({ source: 'fallback', fallbackReason: 'model-error', modelVersion: 1, score: 0.6, decision: 'review' });
    expect(json.reasons).toEqual([{ rule: 'amount-far-above-customer-mean' }]);
  });

  it('answers model-timeout when a synchronous model overruns the deadline, and for a late async model', async () => {
    const slow = new MapModelSource().add(1, new MisbehavingClassifier({ sleepMs: 30 }), ['champion']);
    const { service } = await serve({ deadlineMs: 20 }, slow);
    expect((await score(service, tx(1, 20))).json).toMatchObject({ source: 'fallback', fallbackReason: 'model-timeout' });
    const late = new MapModelSource().add(1, new MisbehavingClassifier({ asyncDelayMs: 200 }), ['champion']);
    const second = await serve({ deadlineMs: 20 }, late);
    const { json } = await score(second.service, tx(1, 20));
    expect(json).toMatchObject({ source: 'fallback', fallbackReason: 'model-timeout' });
    expect(json.latencyMs).toBeLessThan(150);
  });

  it('answers store-error and store-timeout when the feature store fails or hangs', async () => {
    const { service, features } = await serve({ deadlineMs: 20 });
    features.failing = true;
    expect((await score(service, tx(1, 300))).json).toMatchObject({ source: 'fallback', fallbackReason: 'store-error', score: 0.9 });
    features.failing = false;
    features.delayMs = 200;
    const { json } = await score(service, tx(2, 20));
    expect(json).toMatchObject({ source: 'fallback', fallbackReason: 'store-timeout' });
    expect(json.latencyMs).toBeLessThan(150);
  });

  it('does not race an in-process store against a timer, but counts its time in the deadline (model-timeout)', async () => {
    const { service, features } = await serve({ deadlineMs: 20 });
    features.inProcess = true;
    expect((await score(service, tx(1, 20))).json).toMatchObject({ source: 'model' });
    features.busyMs = 30;
    const { json } = await score(service, tx(2, 20));
    expect(json).toMatchObject({ source: 'fallback', fallbackReason: 'model-timeout' });
    expect(json.latencyMs).toBeGreaterThanOrEqual(30);
  });

  it('opens the model circuit after repeated failures, then probes after the cool-down and recovers', async () => {
    const flaky = new MisbehavingClassifier({ throws: true });
    const models = new MapModelSource().add(1, flaky, ['champion']);
    const { service } = await serve({ circuitBreaker: { failureThreshold: 3, coolDownMs: 1000, maxCoolDownMs: 1000 } }, models);
    for (let i = 0; i < 3; i++) expect((await score(service, tx(i, 20))).json.fallbackReason).toBe('model-error');
    const callsWhenOpened = flaky.calls;
    expect((await score(service, tx(10, 20))).json.fallbackReason).toBe('model-circuit-open');
    expect(flaky.calls).toBe(callsWhenOpened);
    const ready = (await service.app.inject({ url: '/v2/health/ready' })).json();
    expect(ready).toMatchObject({ ready: true, degraded: true });
    expect(ready.issues).toContain('model-circuit-open');
    await new Promise((resolve) => setTimeout(resolve, 1050));
    // The probe fails: open again without a second call.
    expect((await score(service, tx(11, 20))).json.fallbackReason).toBe('model-error');
    expect((await score(service, tx(12, 20))).json.fallbackReason).toBe('model-circuit-open');
    // Swap in a healthy champion: after the cool-down the probe succeeds and the circuit closes.
    models.add(2, await trainTinyModel(), ['champion']);
    await service.scorer.reload();
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect((await score(service, tx(13, 20))).json.source).toBe('model');
    expect((await score(service, tx(14, 20))).json.source).toBe('model');
    expect((await service.app.inject({ url: '/v2/health/ready' })).json().degraded).toBe(false);
  });

  it('sheds to the fallback (overload) instead of queueing when the in-flight limit is reached', async () => {
    const { service, features } = await serve({ deadlineMs: 5000, overload: { maxInFlight: 2 } });
    // The store holds each call for 1 s: all six requests arrive while the first two are still in the model path.
    features.delayMs = 1000;
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => score(service, tx(i, 20, i))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const reasons = answers.map((a) => a.json.fallbackReason ?? a.json.source);
    expect(reasons.filter((r) => r === 'model')).toHaveLength(2);
    expect(reasons.filter((r) => r === 'overload')).toHaveLength(4);
  });

  it('still records a shed transaction in the feature store, so the next transactions of the card count it', async () => {
    const { service, features } = await serve({ deadlineMs: 5000, overload: { maxInFlight: 1 } });
    features.delayMs = 200;
    // Customer 9: the first transaction holds the only slot; the second (amount 300) is shed to the fallback.
    const [first, shed] = await Promise.all([score(service, tx(1, 100, 9)), score(service, tx(2, 300, 9))]);
    expect(first.json.source).toBe('model');
    expect(shed.json.fallbackReason).toBe('overload');
    features.delayMs = 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The third transaction's customer mean includes both earlier ones: (100 + 300) / 2 = 200, not 100.
    const third = await score(service, { ...tx(3, 300, 9), TX_DATETIME: '2018-04-01 10:00:01' });
    expect(third.json.source).toBe('model');
    const model = await trainTinyModel();
    const scoreWithMean = (mean: number) => model.predictProba(denseMatrix(Float64Array.of(300, mean), 1, 2, [...SIMPLE_FEATURES]))[0]!;
    expect(Math.abs(scoreWithMean(200) - scoreWithMean(100))).toBeGreaterThan(0.1);
    expect(third.json.score).toBeCloseTo(scoreWithMean(200), 12);
  });
});
