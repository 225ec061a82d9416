import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeaturePipeline } from '@mlsd/features';
import type { LogisticRegression } from '@mlsd/models';
import { clickEvents, clickTable, registerClickModel } from '../test-support/click-events.js';

const ROOT = resolve(import.meta.dirname, '../../../..');
let dir: string;
let rulesFile: string;
let trained: { pipeline: FeaturePipeline; model: LogisticRegression };

// A click model trained and registered through the library's public API, on a schema with string ids.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-cli-'));
  trained = await registerClickModel(join(dir, 'registry'));
  rulesFile = join(dir, 'rules.json');
  await writeFile(
    rulesFile,
    JSON.stringify({
      rules: [
        { field: 'price', operator: '>', value: 150, decision: 'block', reason: 'price-above-150' },
        { field: 'device', operator: 'in', value: ['tablet'], decision: 'review', reason: 'tablet' },
      ],
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts `mlsd serve ARGS` as a child process, as the package's bin runs it. */
function startMlsd(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', 'packages/serving/src/cli/mlsd.ts', 'serve', ...args], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const listening = new Promise<string>((done, fail) => {
    child.stderr.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) done(match[1]!);
    });
    void exited.then((code) => fail(new Error(`mlsd serve exited with ${code}: ${stderr}`)));
  });
  listening.catch(() => undefined);
  return { child, listening, exited, stderr: () => stderr };
}

async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe('mlsd serve', () => {
  it('serves a non-fraud model with string ids: model answers from online features, feedback by string id', async () => {
    const log = join(dir, 'predictions.jsonl');
    const serve = startMlsd([
      '--registry',
      join(dir, 'registry'),
      '--model',
      'clicks',
      '--port',
      '0',
      '--rules',
      rulesFile,
      '--prediction-log',
      log,
      '--log-level',
      'warn',
      '--deadline-ms',
      '5000',
    ]);
    try {
      const url = await serve.listening;
      expect(serve.stderr()).toMatch(/clicks v1, store memory/);
      // The service runs in a child process of the command, started with the service's V8 flags (serve-launcher.ts).
      const [service] = (await readFile(`/proc/${serve.child.pid}/task/${serve.child.pid}/children`, 'utf8')).split(' ').filter((id) => id !== '');
      expect(await readFile(`/proc/${service}/cmdline`, 'utf8')).toContain('--max-semi-space-size=8');
      // (A generous deadline: on a loaded box a 20 ms budget turns some answers into model-timeout.)
      // A fresh stream of events within one hour: the delayed click rate (1-day delay) sees no label yet online or offline.
      const { events } = clickEvents(40, 9, 1 / 24);
      const answers: any[] = [];
      for (const event of events.slice(0, 10)) {
        const { status, json } = await post(`${url}/v1/score`, { ...event, ts: new Date(event.ts).toISOString(), clicked: 1, extra: 'ignored' });
        expect(status, JSON.stringify(json)).toBe(200);
        answers.push(json);
      }
      const batch = await post(`${url}/v1/score`, events.slice(10));
      expect(batch.status).toBe(200);
      answers.push(...batch.json);
      // The answers are the model's on the features of each event computed from the ones before it, exactly as the
      // offline pipeline computes them over the whole stream.
      const expected = trained.model.predictProba(trained.pipeline.transform(clickTable(events)));
      answers.forEach((answer, i) => {
        expect(Object.keys(answer).sort(), JSON.stringify(answer)).toEqual(['decision', 'id', 'latencyMs', 'modelVersion', 'reasons', 'score', 'source']);
        expect(answer).toMatchObject({ id: events[i]!.event_id, source: 'model', modelVersion: 1 });
        expect(answer.score).toBeCloseTo(expected[i]!, 10);
      });
      const users = new Set(events.map((e) => e.user));
      expect(users.size).toBeLessThan(events.length); // repeat users: the per-user windows carry state

      const feedback = await post(`${url}/v1/feedback`, { id: events[3]!.event_id, label: 1 });
      expect(feedback).toEqual({ status: 200, json: { id: events[3]!.event_id, label: 1, accepted: true, featureStoreEvents: 1 } });
      const batchFeedback = await post(`${url}/v1/feedback`, [
        { id: events[4]!.event_id, label: false },
        { id: 'never-scored', label: 1 },
      ]);
      expect(batchFeedback.json).toEqual([
        { id: events[4]!.event_id, label: 0, accepted: true, featureStoreEvents: 1 },
        { id: 'never-scored', label: 1, accepted: true, featureStoreEvents: 0 },
      ]);
      const bad = await post(`${url}/v1/score`, { ...events[0]!, user: '' });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatch(/field 'user': expected a non-empty string/);
      const ready = await fetch(`${url}/v2/health/ready`);
      expect(ready.status).toBe(200);
      const monitoring = await fetch(`${url}/v1/monitoring`);
      expect(monitoring.status).toBe(200);
      expect(((await monitoring.json()) as { quality: unknown }).quality).toMatchObject({ scored: 40, labelled: 2 });
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      // The prediction log keeps the string ids: the event id, and the user as the experiment unit.
      const records = (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.filter((r) => r['type'] === 'score')).toHaveLength(40);
      expect(records.find((r) => r['type'] === 'score')).toMatchObject({
        transactionId: events[0]!.event_id,
        customerId: events[0]!.user,
        terminalId: null,
        amount: null,
      });
      expect(records.filter((r) => r['type'] === 'feedback').map((r) => r['transactionId'])).toEqual([
        events[3]!.event_id,
        events[4]!.event_id,
        'never-scored',
      ]);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  it('answers with the rules file when the model path is off (feature store unreachable)', async () => {
    const store = `redis://127.0.0.1:${await closedPort()}`;
    const serve = startMlsd([
      '--registry',
      join(dir, 'registry'),
      '--model',
      'clicks',
      '--port',
      '0',
      '--store',
      store,
      '--rules',
      rulesFile,
      '--log-level',
      'error',
    ]);
    try {
      const url = await serve.listening;
      const [event] = clickEvents(1, 5).events;
      const expensive = await post(`${url}/v1/score`, { ...event, price: 180, device: 'phone' });
      expect(expensive.json).toMatchObject({
        id: event!.event_id,
        source: 'fallback',
        fallbackReason: 'store-error',
        decision: 'block',
        score: 0.8,
        reasons: [{ rule: 'price-above-150' }],
      });
      const tablet = await post(`${url}/v1/score`, { ...event, event_id: 'x-2', price: 20, device: 'tablet' });
      expect(tablet.json).toMatchObject({ id: 'x-2', source: 'fallback', decision: 'review', score: 0.5, reasons: [{ rule: 'tablet' }] });
      const plain = await post(`${url}/v1/score`, { ...event, event_id: 'x-3', price: 20, device: 'phone' });
      expect(plain.json).toMatchObject({ id: 'x-3', source: 'fallback', decision: 'allow', score: 0, reasons: [] });
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  it('refuses a broken rules file before starting, naming the rule and the field', async () => {
    const broken = join(dir, 'broken.json');
    await writeFile(
      broken,
      JSON.stringify({
        rules: [
          { field: 'price', operator: '>', value: 1, decision: 'block', reason: 'a' },
          { field: 'price', operator: 'bigger', value: 1, decision: 'block', reason: 'b' },
        ],
      }),
    );
    const serve = startMlsd(['--registry', join(dir, 'registry'), '--model', 'clicks', '--port', '0', '--rules', broken]);
    expect(await serve.exited).toBe(1);
    expect(serve.stderr()).toMatch(/error: Rules file ".*broken\.json": rules\[1\]\.operator: expected one of >, >=/);
  });

  it('refuses --workers 3 on the memory store, and a --workers that is not a whole number from 1', async () => {
    const memory = startMlsd(['--registry', join(dir, 'registry'), '--model', 'clicks', '--workers', '3']);
    expect(await memory.exited).toBe(1);
    expect(memory.stderr()).toMatch(/error: --workers 3 needs a store the workers share, and --store is "memory".*redis-cluster:\/\//);
    const zero = startMlsd(['--registry', join(dir, 'registry'), '--model', 'clicks', '--workers', '0']);
    expect(await zero.exited).not.toBe(0);
    expect(zero.stderr()).toMatch(/--workers <n>' argument '0' is invalid\. expected a whole number of processes 1-64/);
  });
});
