import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScoringService, memoryFeatureBackend, registryModelSource, type ScoringService, type ScoringServiceOptions } from '@mlsd/serving';
import { HANDBOOK_SERVICE, type HandbookAnswer } from '../test-support/handbook-service.js';
import { trainedRegistry, type TrainedRegistry } from '../test-support/trained-registry.js';

// Issue 13, row by row, through HTTP on the real stack (registry, feature pipeline, memory store): requests that
// pass validation must never switch the model off for everybody or corrupt the feature state.

const ADMIN_TOKEN = 'hostile-traffic-admin-token';
let trained: TrainedRegistry;
const services: ScoringService[] = [];

beforeAll(async () => {
  trained = await trainedRegistry({ customers: 100, days: 7, seed: 13 });
});
afterAll(async () => {
  for (const service of services) await service.close();
  await trained.remove();
});

async function serve(overrides: Partial<ScoringServiceOptions> = {}): Promise<ScoringService> {
  const service = await createScoringService({
    ...HANDBOOK_SERVICE,
    models: registryModelSource(trained.registry),
    features: memoryFeatureBackend(),
    port: 0,
    deadlineMs: 2000,
    adminToken: ADMIN_TOKEN,
    defaultMetrics: false,
    overload: { maxEventLoopDelayMs: 10_000 },
    logLevel: 'silent',
    ...overrides,
  });
  services.push(service);
  return service;
}

type Tx = { TRANSACTION_ID: number; TX_DATETIME: number | string; CUSTOMER_ID: number; TERMINAL_ID: number; TX_AMOUNT: number };

/** Rows `from`..`to` of the simulated table as request bodies, in time order. */
function transactions(from: number, to: number): Tx[] {
  const { table } = trained;
  const out: Tx[] = [];
  for (let i = from; i < to; i++) {
    out.push({
      TRANSACTION_ID: table.numeric('TRANSACTION_ID')[i]!,
      TX_DATETIME: table.numeric('TX_DATETIME')[i]!,
      CUSTOMER_ID: table.numeric('CUSTOMER_ID')[i]!,
      TERMINAL_ID: table.numeric('TERMINAL_ID')[i]!,
      TX_AMOUNT: table.numeric('TX_AMOUNT')[i]!,
    });
  }
  return out;
}

async function post(service: ScoringService, body: unknown): Promise<{ status: number; json: any }> {
  const res = await service.app.inject({ method: 'POST', url: '/v1/score', payload: body as object });
  return { status: res.statusCode, json: res.json() };
}

async function circuits(service: ScoringService): Promise<{ model: string; store: string }> {
  return (await service.app.inject({ url: '/v2/health/ready' })).json().circuits;
}

describe('issue 13: one request can never hurt another', () => {
  it('TX_DATETIME 1e16 is a 400 naming the field and the bound; it opens no circuit and the next batch is model-scored', async () => {
    const service = await serve({ circuitBreaker: { failureThreshold: 2 } });
    const [first, ...rest] = transactions(0, 7);
    expect((await post(service, first)).json.source).toBe('model');
    for (let i = 0; i < 3; i++) {
      const bad = await post(service, { ...first, TRANSACTION_ID: 90_000 + i, TX_DATETIME: 1e16 });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatch(/field 'TX_DATETIME' is 10000000000000000, outside the JavaScript date range/);
    }
    const batch = await post(service, rest.slice(0, 5));
    expect(batch.status).toBe(200);
    expect(batch.json.map((a: HandbookAnswer) => a.source)).toEqual(['model', 'model', 'model', 'model', 'model']);
    expect(await circuits(service)).toEqual({ model: 'closed', store: 'closed' });
  });

  it("TX_DATETIME '9999-12-31 23:59:59' is refused (horizon), so the terminal's later payments are still scored and recorded", async () => {
    const service = await serve();
    const [a, b] = transactions(0, 2);
    const future = await post(service, { ...a, TX_DATETIME: '9999-12-31 23:59:59' });
    expect(future.status).toBe(400);
    expect(future.json.error).toMatch(/field 'TX_DATETIME' is 9999-12-31T23:59:59.000Z, more than the horizon of 86400000 ms ahead/);
    // Epoch seconds are refused too, rather than read as January 1970.
    expect((await post(service, { ...a, TX_DATETIME: Math.floor((a!.TX_DATETIME as number) / 1000) })).json.error).toMatch(/ambiguous with epoch seconds/);
    for (const tx of [a, { ...b!, TERMINAL_ID: a!.TERMINAL_ID }]) {
      const answer = await post(service, tx);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ source: 'model' });
      expect(answer.json.late).toBeUndefined();
    }
  });

  it('TX_AMOUNT 1e308 is a 400 (above the schema maximum); the model circuit stays closed for a 6-item batch', async () => {
    const service = await serve({ circuitBreaker: { failureThreshold: 2 } });
    const txs = transactions(0, 8);
    for (let i = 0; i < 2; i++) {
      const bad = await post(service, { ...txs[0]!, TRANSACTION_ID: 80_000 + i, TX_AMOUNT: 1e308 });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatch(/TX_AMOUNT/);
    }
    const batch = await post(service, txs.slice(0, 6));
    expect(batch.json.map((a: HandbookAnswer) => a.source)).toEqual(new Array(6).fill('model'));
    expect(await circuits(service)).toEqual({ model: 'closed', store: 'closed' });
  });

  it('a TRANSACTION_ID sent again gets the first answer, marked duplicate, and changes no state (also with another amount)', async () => {
    const once = await serve();
    const twice = await serve();
    const [a, b, c] = transactions(0, 3);
    // The same card for all three, so that a double count would show in c's features.
    const card = { CUSTOMER_ID: a!.CUSTOMER_ID };
    const first = await post(twice, { ...a, ...card });
    const retry = await post(twice, { ...a, ...card });
    const other = await post(twice, { ...a, ...card, TX_AMOUNT: 5000 });
    expect(retry.json).toMatchObject({ transactionId: a!.TRANSACTION_ID, duplicate: true, score: first.json.score, decision: first.json.decision });
    expect(other.json).toMatchObject({ duplicate: true, score: first.json.score, decision: first.json.decision });
    expect(first.json.duplicate).toBeUndefined();
    await post(once, { ...a, ...card });
    for (const tx of [b, c]) {
      const expected = await post(once, { ...tx, ...card });
      expect((await post(twice, { ...tx, ...card })).json.score).toBe(expected.json.score);
    }
  });

  it("an event 10 minutes older than the card's latest gets a decision (late: true), even a 5,000 payment", async () => {
    const service = await serve();
    const reference = await serve();
    const [a, b] = transactions(0, 2);
    const later = { ...b!, CUSTOMER_ID: a!.CUSTOMER_ID, TX_DATETIME: (a!.TX_DATETIME as number) + 20 * 60_000 };
    await post(service, a);
    await post(service, later);
    const late = await post(service, { ...a!, TRANSACTION_ID: 70_000, TX_DATETIME: (a!.TX_DATETIME as number) + 10 * 60_000, TX_AMOUNT: 5000 });
    expect(late.status).toBe(200);
    expect(late.json).toMatchObject({ transactionId: 70_000, late: true, source: 'model' });
    expect(['allow', 'review', 'block']).toContain(late.json.decision);
    // Beyond the 5-minute lateness bound it is not recorded: the card's next event sees what the reference sees.
    await post(reference, a);
    await post(reference, later);
    const next = { ...a!, TRANSACTION_ID: 70_001, TX_DATETIME: (a!.TX_DATETIME as number) + 30 * 60_000 };
    expect((await post(service, next)).json.score).toBe((await post(reference, next)).json.score);
  });

  it('a batch with a late item answers every item; a retry of the batch changes nothing', async () => {
    const service = await serve();
    const reference = await serve();
    const txs = transactions(0, 4).map((tx, i) => ({ ...tx, CUSTOMER_ID: 1, TX_DATETIME: Date.UTC(2018, 3, 3) + i * 60 * 60_000 }));
    // Item 2 is 2 hours older than item 1 (beyond the lateness bound), items 0, 1 and 3 are in order.
    txs[2] = { ...txs[2]!, TX_DATETIME: (txs[1]!.TX_DATETIME as number) - 2 * 60 * 60_000 };
    const first = await post(service, txs);
    expect(first.status).toBe(200);
    expect(first.json.map((a: HandbookAnswer) => a.late ?? false)).toEqual([false, false, true, false]);
    const retry = await post(service, txs);
    expect(retry.json.map((a: HandbookAnswer) => [a.duplicate, a.score])).toEqual(first.json.map((a: HandbookAnswer) => [true, a.score]));
    await post(reference, txs);
    const next = { ...txs[3]!, TRANSACTION_ID: 60_000, TX_DATETIME: (txs[3]!.TX_DATETIME as number) + 60_000 };
    expect((await post(service, next)).json.score).toBe((await post(reference, next)).json.score);
  });

  it('reports feedback for an unknown id (200, 0 events) and counts feedback for the same id once', async () => {
    const service = await serve();
    const [a] = transactions(0, 1);
    const unknown = await service.app.inject({ method: 'POST', url: '/v1/feedback', payload: { transactionId: 123_456, fraud: true } });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({ transactionId: 123_456, accepted: true, featureStoreEvents: 0 });
    await post(service, a);
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await service.app.inject({ method: 'POST', url: '/v1/feedback', payload: { transactionId: a!.TRANSACTION_ID, fraud: true } });
      counts.push(res.json().featureStoreEvents);
    }
    // Two entity histories (card, terminal) hold the event: labelled, and the second label confirms, not adds.
    expect(counts).toEqual([2, 2]);
  });
});

describe('issue 13: reloads and challengers', () => {
  it('sheds no request during 10 reloads under load, even when loading a model stalls the event loop', async () => {
    const source = registryModelSource(trained.registry);
    const slowSource = {
      async load(ref: string) {
        const model = await source.load(ref);
        // A large model's JSON parse: the loop is blocked for 300 ms.
        const until = performance.now() + 300;
        while (performance.now() < until);
        return model;
      },
    };
    const service = await serve({ models: slowSource, overload: { maxEventLoopDelayMs: 200, sampleIntervalMs: 50 } });
    const txs = transactions(0, 400);
    let next = 0;
    let stop = false;
    const reasons: string[] = [];
    const client = async (): Promise<void> => {
      while (!stop && next < txs.length) {
        const answer = await post(service, txs[next++]);
        reasons.push(answer.json.fallbackReason ?? answer.json.source);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    for (let i = 0; i < 10; i++) {
      const res = await service.app.inject({ method: 'POST', url: '/admin/reload', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.statusCode).toBe(200);
    }
    stop = true;
    await Promise.all(clients);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.filter((r) => r === 'overload')).toEqual([]);
  });

  it('a corrupt challenger is logged, counted in /metrics and visible in readiness', async () => {
    const version = await trained.registerAnother({ C: 0.5, alias: 'challenger' });
    const file = join(trained.dir, 'fraud', 'versions', String(version), 'model.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/"C": 0.5/, '"C": 0.6'));
    const lines: string[] = [];
    const service = await serve({ logLevel: 'info', logStream: { write: (line: string) => void lines.push(line) } });
    const ready = (await service.app.inject({ url: '/v2/health/ready' })).json();
    expect(ready.challengerVersion).toBeNull();
    expect(ready.issues.some((issue: string) => /^challenger-load-failed: .*model\.json does not match its checksum/.test(issue))).toBe(true);
    const metrics = (await service.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/mlsd_model_load_failures_total\{alias="challenger"\} 1/);
    expect(lines.some((line) => line.includes('"level":50') && line.includes('challenger failed to load'))).toBe(true);
    await writeFile(file, text);
    await trained.registry.setAlias('fraud', 'challenger', 1);
  });
});
