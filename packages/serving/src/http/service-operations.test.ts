import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { denseMatrix } from '@mlsd/data';
import { createScoringService, type ScoreResult, type ScoringService, type ScoringServiceOptions } from '@mlsd/serving';
import { SimpleFeatureBackend, SIMPLE_FEATURES } from '../test-support/simple-feature-backend.js';
import { MapModelSource } from '../test-support/map-model-source.js';
import { MisbehavingClassifier, trainTinyModel } from '../test-support/tiny-model.js';
import { HANDBOOK_SERVICE } from '../test-support/handbook-service.js';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const services: ScoringService[] = [];

function tx(id: number, amount: number, customer = 7) {
  return { TRANSACTION_ID: id, TX_DATETIME: '2018-04-01 10:00:00', CUSTOMER_ID: customer, TERMINAL_ID: 3, TX_AMOUNT: amount };
}

async function serve(models: MapModelSource, overrides: Partial<ScoringServiceOptions> = {}, features = new SimpleFeatureBackend()) {
  const lines: string[] = [];
  const service = await createScoringService({
    ...HANDBOOK_SERVICE,
    models,
    features,
    port: 0,
    adminToken: ADMIN_TOKEN,
    defaultMetrics: false,
    overload: { maxEventLoopDelayMs: 10_000 },
    // No test here is about the deadline: a generous one keeps a busy machine from turning answers into fallbacks.
    deadlineMs: 1000,
    logStream: { write: (line: string) => void lines.push(line) },
    ...overrides,
  });
  services.push(service);
  return { service, lines, features };
}

afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
});

const run = promisify(execFile);

describe('Open Inference Protocol v2', () => {
  it('serves server and model metadata, health and readiness', async () => {
    const models = new MapModelSource().add(1, await trainTinyModel(), ['champion']);
    const { service } = await serve(models);
    const server = (await service.app.inject({ url: '/v2' })).json();
    expect(server).toMatchObject({ name: 'mlsd-serving', extensions: [] });
    expect(typeof server.version).toBe('string');
    expect((await service.app.inject({ url: '/v2/health/live' })).statusCode).toBe(200);
    const ready = await service.app.inject({ url: '/v2/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, degraded: false, modelVersion: 1 });
    const meta = (await service.app.inject({ url: '/v2/models/fraud' })).json();
    expect(meta).toMatchObject({
      name: 'fraud',
      versions: ['1'],
      platform: 'mlsd-logistic-regression',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 2] }],
      outputs: [{ name: 'probability', datatype: 'FP64', shape: [-1, 1] }],
      parameters: { feature_names: [...SIMPLE_FEATURES] },
    });
    expect((await service.app.inject({ url: '/v2/models/fraud/ready' })).json()).toEqual({ name: 'fraud', version: '1', ready: true });
    const unknown = await service.app.inject({ url: '/v2/models/spam' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: "Model 'spam' is not served here; this service serves 'fraud'." });
  });

  it('infers P(fraud) for FP32 rows (flat or nested) equal to the model on the same float32 values', async () => {
    const model = await trainTinyModel();
    const models = new MapModelSource().add(1, model, ['champion']);
    const { service } = await serve(models);
    const rows = [
      [40, 40],
      [300, 35.5],
      [12.25, 80],
    ];
    const expected = model.predictProba(denseMatrix(Float32Array.from(rows.flat()), 3, 2, [...SIMPLE_FEATURES]));
    for (const data of [rows.flat(), rows]) {
      const res = await service.app.inject({
        method: 'POST',
        url: '/v2/models/fraud/infer',
        payload: { id: 'req-1', inputs: [{ name: 'features', shape: [3, 2], datatype: 'FP32', data }] },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ model_name: 'fraud', model_version: '1', id: 'req-1' });
      expect(body.outputs[0]).toMatchObject({ name: 'probability', datatype: 'FP64', shape: [3, 1] });
      expect(body.outputs[0].data).toEqual(Array.from(expected));
    }
  });

  it('reaches a given registry version and answers errors as { error } with 4xx', async () => {
    const models = new MapModelSource().add(1, new MisbehavingClassifier({ score: 0.25 })).add(2, new MisbehavingClassifier({ score: 0.75 }), ['champion']);
    const { service } = await serve(models);
    const infer = (url: string, payload: unknown) => service.app.inject({ method: 'POST', url, payload: payload as object });
    const input = { inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 2] }] };
    expect((await infer('/v2/models/fraud/infer', input)).json().outputs[0].data).toEqual([0.75]);
    const v1 = (await infer('/v2/models/fraud/versions/1/infer', input)).json();
    expect(v1).toMatchObject({ model_version: '1', outputs: [{ data: [0.25] }] });
    expect((await service.app.inject({ url: '/v2/models/fraud/versions/1/ready' })).statusCode).toBe(200);
    const missing = await infer('/v2/models/fraud/versions/9/infer', input);
    expect(missing.statusCode).toBe(404);
    expect(Object.keys(missing.json())).toEqual(['error']);
    const badShape = await infer('/v2/models/fraud/infer', { inputs: [{ name: 'x', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3] }] });
    expect(badShape.statusCode).toBe(400);
    expect(badShape.json().error).toMatch(/shape \[2, 2\] \(4 values\) but data holds 3 values/);
    const wrongWidth = await infer('/v2/models/fraud/infer', { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });
    expect(wrongWidth.statusCode).toBe(400);
    expect(wrongWidth.json().error).toMatch(/takes 2 features per row .* got 3/);
    const badType = await infer('/v2/models/fraud/infer', { inputs: [{ name: 'x', shape: [1, 2], datatype: 'BYTES', data: [1, 2] }] });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().error).toMatch(/field 'inputs.0.datatype'.*FP32/);
    const badVersion = await service.app.inject({ url: '/v2/models/fraud/versions/abc' });
    expect(badVersion.statusCode).toBe(400);
  });

  it('reports model readiness 503 (UNAVAILABLE through the error table) and server readiness degraded when no model is loaded', async () => {
    const { service } = await serve(new MapModelSource());
    const model = await service.app.inject({ url: '/v2/models/fraud/ready' });
    expect(model.statusCode).toBe(503);
    expect(model.json().error).toMatch(/No fraud model is loaded/);
    const ready = (await service.app.inject({ url: '/v2/health/ready' })).json();
    expect(ready).toMatchObject({ ready: true, degraded: true, issues: ['no-model'] });
    expect((await service.app.inject({ url: '/v2/health/live' })).statusCode).toBe(200);
  });
});

describe('POST /admin/reload', () => {
  it('refuses without a configured token (403, FORBIDDEN) or with a wrong one (401, UNAUTHORIZED)', async () => {
    const models = new MapModelSource().add(1, await trainTinyModel(), ['champion']);
    const open = await serve(models, { adminToken: undefined });
    const disabled = await open.service.app.inject({ method: 'POST', url: '/admin/reload' });
    expect(disabled.statusCode).toBe(403);
    expect(disabled.json()).toMatchObject({ code: 'FORBIDDEN', error: expect.stringMatching(/--admin-token/) });
    const { service } = await serve(models);
    const missing = await service.app.inject({ method: 'POST', url: '/admin/reload' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    const wrong = await service.app.inject({ method: 'POST', url: '/admin/reload', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('UNAUTHORIZED');
  });

  it('swaps to the new champion atomically under concurrent load: no failed request, every answer from v1 or v2', async () => {
    const models = new MapModelSource().add(1, new MisbehavingClassifier({ score: 0.1 }), ['champion']);
    const { service } = await serve(models, { deadlineMs: 1000 });
    const base = await service.start();
    models.add(2, new MisbehavingClassifier({ score: 0.2 }), ['champion']);
    const answers: { status: number; body: ScoreResult }[] = [];
    const perClient = 40;
    const client = async (worker: number) => {
      for (let i = 0; i < perClient; i++) {
        const res = await fetch(`${base}/v1/score`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(tx(worker * 100_000 + i, 20, worker)),
        });
        answers.push({ status: res.status, body: (await res.json()) as ScoreResult });
      }
    };
    const clients = Array.from({ length: 8 }, (_, w) => client(w));
    // Reload once a quarter of the requests have been answered, while the rest are still coming.
    while (answers.length < 80) await new Promise((resolve) => setImmediate(resolve));
    const reload = await fetch(`${base}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(reload.status).toBe(200);
    expect(await reload.json()).toEqual({ model: 'fraud', previousVersion: 1, version: 2, challengerVersion: null });
    await Promise.all(clients);
    expect(answers).toHaveLength(8 * perClient);
    expect(answers.every((a) => a.status === 200 && a.body.source === 'model')).toBe(true);
    for (const { body } of answers) expect(body.score).toBe(body.modelVersion === 1 ? 0.1 : 0.2);
    // Once swapped, every later answer is v2: versions never go back.
    const firstV2 = answers.findIndex((a) => a.body.modelVersion === 2);
    expect(firstV2).toBeGreaterThan(0);
    // Answers are pushed in completion order per client; across clients a v1 request may finish just after.
    expect(answers.slice(firstV2 + 8).every((a) => a.body.modelVersion === 2)).toBe(true);
  });

  it('keeps the previous model when the reload fails', async () => {
    const models = new MapModelSource().add(1, await trainTinyModel(), ['champion']);
    const { service } = await serve(models);
    models.aliases.set('champion', 9);
    const res = await service.app.inject({ method: 'POST', url: '/admin/reload', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.statusCode).toBe(404);
    expect((await service.app.inject({ method: 'POST', url: '/v1/score', payload: tx(1, 20) })).json()).toMatchObject({ source: 'model', modelVersion: 1 });
  });
});

describe('shadow challenger', () => {
  it('scores with the challenger after the response, logs both scores at debug, and never changes the answer', async () => {
    const challenger = new MisbehavingClassifier({ score: 0.42 });
    const models = new MapModelSource().add(1, new MisbehavingClassifier({ score: 0.1 }), ['champion']).add(2, challenger, ['challenger']);
    const { service, lines } = await serve(models, { logLevel: 'debug' });
    const base = await service.start();
    const callsBefore = challenger.calls;
    const res = await fetch(`${base}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx(5, 20)) });
    // The answer is the champion's; the challenger runs in a later event-loop turn.
    expect(await res.json()).toMatchObject({ score: 0.1, modelVersion: 1, source: 'model' });
    for (let i = 0; i < 400 && challenger.calls === callsBefore; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(challenger.calls).toBe(callsBefore + 1);
    const shadow = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'shadow score');
    expect(shadow).toMatchObject({ level: 20, transactionId: 5, championVersion: 1, championScore: 0.1, challengerVersion: 2, challengerScore: 0.42 });
  });

  it('answers before a slow challenger has scored', async () => {
    const challenger = new MisbehavingClassifier({ score: 0.42, sleepMs: 1500 });
    const models = new MapModelSource().add(1, new MisbehavingClassifier({ score: 0.1 }), ['champion']).add(2, challenger, ['challenger']);
    const { service } = await serve(models);
    const base = await service.start();
    const callsBefore = challenger.calls;
    // The client runs in a process of its own: the challenger's synchronous work holds this process's event loop.
    const client = `await fetch(process.argv[1].replace('/v1/score', '/v2/health/live')); const t = performance.now(); const r = await fetch(process.argv[1], { method: 'POST', headers: { 'content-type': 'application/json' }, body: process.argv[2] }); console.log(JSON.stringify({ ms: performance.now() - t, answer: await r.json() }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', client, `${base}/v1/score`, JSON.stringify(tx(6, 20))]);
    const { ms, answer } = JSON.parse(stdout) as { ms: number; answer: unknown };
    expect(answer).toMatchObject({ score: 0.1, source: 'model' });
    // The answer left before the challenger's 1.5 s of synchronous work.
    expect(ms).toBeLessThan(1000);
    for (let i = 0; i < 400 && challenger.calls === callsBefore; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(challenger.calls).toBe(callsBefore + 1);
  });

  it('writes no shadow line at the default info level (one line per decision), but counts the shadow score', async () => {
    const challenger = new MisbehavingClassifier({ score: 0.42 });
    const models = new MapModelSource().add(1, new MisbehavingClassifier({ score: 0.1 }), ['champion']).add(2, challenger, ['challenger']);
    const { service, lines } = await serve(models);
    const base = await service.start();
    await fetch(`${base}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx(5, 20)) });
    for (let i = 0; i < 400 && !(await service.metrics.registry.metrics()).includes('outcome="scored"'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await service.metrics.registry.metrics()).toMatch(/mlsd_shadow_scores_total\{outcome="scored"\} 1/);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.filter((l) => l.msg === 'shadow score')).toEqual([]);
    expect(parsed.filter((l) => l.msg === 'scored')).toHaveLength(1);
  });

  it('queues shadow jobs up to maxPendingShadow, scores them off the request path in batches, and counts the rest as skipped', async () => {
    const challenger = new MisbehavingClassifier({ score: 0.42 });
    const models = new MapModelSource().add(1, new MisbehavingClassifier({ score: 0.1 }), ['champion']).add(2, challenger, ['challenger']);
    const { service } = await serve(models, { maxPendingShadow: 40 });
    const base = await service.start();
    const callsBefore = challenger.calls;
    const batch = Array.from({ length: 100 }, (_, i) => tx(i + 1, 20, i));
    const res = await fetch(`${base}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    expect(((await res.json()) as unknown[]).length).toBe(100);
    for (let i = 0; i < 400 && !(await service.metrics.registry.metrics()).includes('outcome="scored"} 40'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const metrics = await service.metrics.registry.metrics();
    expect(metrics).toMatch(/mlsd_shadow_scores_total\{outcome="scored"\} 40/);
    expect(metrics).toMatch(/mlsd_shadow_scores_total\{outcome="skipped"\} 60/);
    expect(challenger.calls).toBe(callsBefore + 40);
  });

  it('a throwing challenger only counts a failed shadow score', async () => {
    const models = new MapModelSource()
      .add(1, new MisbehavingClassifier({ score: 0.1 }), ['champion'])
      .add(2, new MisbehavingClassifier({ throws: true }), ['challenger']);
    const { service } = await serve(models);
    const res = await service.app.inject({ method: 'POST', url: '/v1/score', payload: tx(5, 20) });
    expect(res.json()).toMatchObject({ score: 0.1, source: 'model' });
    for (let i = 0; i < 400 && !(await service.metrics.registry.metrics()).includes('outcome="failed"'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await service.metrics.registry.metrics()).toMatch(/mlsd_shadow_scores_total\{outcome="failed"\} 1/);
  });
});

describe('champion/challenger experiment', () => {
  it('lets the challenger answer for the cards the monitor assigns to it, and tells the monitor which arm answered', async () => {
    const models = new MapModelSource()
      .add(1, new MisbehavingClassifier({ score: 0.1 }), ['champion'])
      .add(2, new MisbehavingClassifier({ score: 0.3 }), ['challenger']);
    const seen: { transactionId: string | number; arm: string | undefined; version: number | null }[] = [];
    const { service } = await serve(models, {
      monitor: () => ({
        assignArm: (customerId: number) => (customerId % 2 === 1 ? 'challenger' : 'champion'),
        recordScore: (event) => void seen.push({ transactionId: event.transaction.transactionId, arm: event.arm, version: event.result.modelVersion }),
        recordFeedback: () => undefined,
        report: () => ({ arms: seen.length }),
      }),
    });
    const answers = (await service.app.inject({ method: 'POST', url: '/v1/score', payload: [tx(1, 20, 10), tx(2, 20, 11), tx(3, 20, 12)] })).json();
    expect(answers.map((a: ScoreResult) => [a.modelVersion, a.score])).toEqual([
      [1, 0.1],
      [2, 0.3],
      [1, 0.1],
    ]);
    expect(seen).toEqual([
      { transactionId: 1, arm: 'champion', version: 1 },
      { transactionId: 2, arm: 'challenger', version: 2 },
      { transactionId: 3, arm: 'champion', version: 1 },
    ]);
    expect((await service.app.inject({ url: '/v1/monitoring' })).json()).toMatchObject({ arms: 3, service: { challengerVersion: 2 } });
  });
});

describe('metrics and logs', () => {
  it('exposes latency per route and source, fallback counts by reason, model version and in-flight requests', async () => {
    const models = new MapModelSource().add(3, new MisbehavingClassifier({ throws: true }), ['champion']);
    const { service } = await serve(models);
    await service.app.inject({ method: 'POST', url: '/v1/score', payload: tx(1, 20) });
    await service.app.inject({ method: 'POST', url: '/v1/score', payload: [tx(2, 20), tx(3, 20)] });
    const res = await service.app.inject({ url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    const text = res.body;
    expect(text).toMatch(/mlsd_fallback_total\{reason="model-error"\} 3/);
    expect(text).toMatch(/mlsd_score_duration_seconds_count\{source="fallback"\} 3/);
    expect(text).toMatch(/mlsd_http_request_duration_seconds_count\{route="\/v1\/score",method="POST",status_code="200"\} 2/);
    expect(text).toMatch(/mlsd_model_info\{model="fraud",version="3"\} 1/);
    expect(text).toMatch(/mlsd_in_flight_requests 1/);
    expect(text).toMatch(/mlsd_circuit_state\{dependency="model"\} 0/);
  });

  it('logs decisions with a hashed card id, never the raw card id or the admin token', async () => {
    const models = new MapModelSource().add(1, await trainTinyModel(), ['champion']);
    const { service, lines } = await serve(models, { logHashSalt: 'salt' });
    await service.app.inject({ method: 'POST', url: '/v1/score', payload: tx(77, 20, 987654321) });
    await service.app.inject({ method: 'POST', url: '/admin/reload', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await service.app.inject({ method: 'POST', url: '/admin/reload', headers: { authorization: 'Bearer wrong-token-that-is-long' } });
    const all = lines.join('');
    expect(all).not.toContain('987654321');
    expect(all).not.toContain(ADMIN_TOKEN);
    const scored = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'scored');
    expect(scored).toMatchObject({ transactionId: 77, terminalId: 3, source: 'model' });
    expect(scored.card).toMatch(/^[0-9a-f]{16}$/);
    service.logger.info({ customerId: 987654321, req: { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } } }, 'probe');
    expect(lines.join('')).not.toContain('987654321');
    expect(lines.join('')).not.toContain(ADMIN_TOKEN);
  });
});

describe('graceful shutdown', () => {
  it('drains requests in flight, then closes the feature backend', async () => {
    const models = new MapModelSource().add(1, await trainTinyModel(), ['champion']);
    const { service, features } = await serve(models, { deadlineMs: 5000 });
    const base = await service.start();
    features.delayMs = 300;
    const pending = fetch(`${base}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx(1, 20)) });
    // Close only once the request is inside the model path.
    for (let i = 0; i < 200 && service.scorer.status().inFlight === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(service.scorer.status().inFlight).toBe(1);
    await service.close();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ source: 'model' });
    expect(features.closed).toBe(true);
    await expect(fetch(`${base}/v2/health/live`)).rejects.toThrow();
  });
});
