import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTransactions } from '@mlsd/data';
import { FeaturePipeline, handbookFeatures, RedisStateStore } from '@mlsd/features';
import { FileModelRegistry, LogisticRegression } from '@mlsd/models';

const ROOT = resolve(import.meta.dirname, '../../../..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Keys of this run only, removed afterwards: the tests share the machine's Redis with others.
const PREFIX = `mlsd:test:workers:${randomUUID()}:`;
let registryDir: string;

beforeAll(async () => {
  registryDir = await mkdtemp(join(tmpdir(), 'mlsd-serve-workers-'));
  const table = simulateTransactions({ customers: 50, terminals: 100, days: 5, seed: 3 });
  const names = handbookFeatures().map((f) => f.name!);
  const pipeline = new FeaturePipeline({ features: handbookFeatures(), transforms: [{ kind: 'standard-scale', columns: names }] }).fit(table);
  const model = await new LogisticRegression({ classWeight: 'balanced' }).fit(pipeline.transform(table), table.labels('TX_FRAUD'));
  const registry = new FileModelRegistry(registryDir);
  const entry = await registry.register('fraud', model, { featurePipeline: pipeline.toJSON() });
  await registry.setAlias('fraud', 'champion', entry.version);
});

afterAll(async () => {
  await rm(registryDir, { recursive: true, force: true });
  const store = new RedisStateStore({ redis: REDIS_URL, prefix: PREFIX });
  await store.clear();
  await store.close();
});

/** Starts `fraud serve ARGS` as a child process, as `pnpm fraud serve` does; `waitFor` matches its stderr. */
function startServe(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', 'examples/fraud-detection/src/cli.ts', 'serve', ...args], {
    cwd: ROOT,
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const waitFor = async (pattern: RegExp, ms = 20_000): Promise<RegExpExecArray> => {
    for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
      const match = pattern.exec(stderr);
      if (match !== null) return match;
      await new Promise((done) => setTimeout(done, 25));
    }
    throw new Error(`no ${pattern} on stderr after ${ms} ms: ${stderr}`);
  };
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

/** POSTs JSON on a connection of its own (no keep-alive), so the primary hands each request to the next worker. */
function post(url: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request(`${url}${path}`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', fail);
    req.end(JSON.stringify(body));
  });
}

const START = Date.parse('2018-04-20T10:00:00Z');
const transaction = (id: number) => ({ TRANSACTION_ID: id, TX_DATETIME: START + id * 1000, CUSTOMER_ID: id % 7, TERMINAL_ID: id % 5, TX_AMOUNT: 20 + id });

/** Worker ids on the decision lines (`msg: "scored"`) of stdout, by transaction id. */
function workerOfTransaction(stdout: string): Map<number, number> {
  const workers = new Map<number, number>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const record = JSON.parse(line) as { msg?: string; transactionId?: number; worker?: number };
    if (record.msg === 'scored' && record.transactionId !== undefined && record.worker !== undefined) workers.set(record.transactionId, record.worker);
  }
  return workers;
}

describe('fraud serve --workers', () => {
  it('serves one port from 2 workers sharing Redis: both answer, merged metrics, a repeated id counts once, feedback, a killed worker is replaced, SIGTERM drains', async () => {
    const serve = startServe([
      '--registry',
      registryDir,
      '--port',
      '0',
      '--workers',
      '2',
      '--store',
      REDIS_URL,
      '--redis-prefix',
      PREFIX,
      '--metrics-port',
      '0',
    ]);
    try {
      const pids = (await serve.waitFor(/2 workers listening \(pids (\d+), (\d+)\)/)).slice(1).map(Number);
      const url = (await serve.waitFor(/listening on (http:\/\/\S+)/))[1]!;

      // Fresh connections go round-robin: both workers score.
      for (let id = 1; id <= 6; id++) expect((await post(url, '/v1/score', transaction(id))).status).toBe(200);
      await expect.poll(() => workerOfTransaction(serve.output().stdout).size).toBe(6);
      expect(new Set(workerOfTransaction(serve.output().stdout).values())).toEqual(new Set([1, 2]));
      // The primary's /metrics merges both workers: all 6 decisions, and the loaded model once (max, not a sum).
      const metricsUrl = (await serve.waitFor(/metrics of all workers merged on (http:\/\/\S+)/))[1]!;
      const merged = await (await fetch(metricsUrl)).text();
      const decisions = [...merged.matchAll(/^mlsd_decisions_total\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(decisions).toBe(6);
      expect(merged).toMatch(/^mlsd_model_info\{[^}]*version="1"[^}]*\} 1$/m);

      // The same id sent again, on whichever worker, is a duplicate: the store's claim is shared.
      const first = await post(url, '/v1/score', transaction(100));
      expect(first.body).toMatchObject({ transactionId: 100 });
      expect(first.body['duplicate']).toBeUndefined();
      for (let i = 0; i < 3; i++) {
        const again = await post(url, '/v1/score', transaction(100));
        expect(again.body).toMatchObject({ transactionId: 100, duplicate: true, score: first.body['score'] });
      }

      // A label for an event scored by either worker reaches the shared store.
      for (const id of [1, 2]) {
        const feedback = await post(url, '/v1/feedback', { transactionId: id, fraud: true });
        expect(feedback.status).toBe(200);
        expect(feedback.body).toMatchObject({ transactionId: id, accepted: true });
      }

      // A worker killed outright is replaced, and the port keeps answering.
      process.kill(pids[0]!, 'SIGKILL');
      await serve.waitFor(/worker \d+ \(pid \d+\) died \(signal SIGKILL\); starting a replacement \(1 of at most 5 a minute\)/);
      await serve.waitFor(/worker 3 \(pid \d+\) listening, replacing a worker that died/);
      for (let id = 200; id < 204; id++) expect((await post(url, '/v1/score', transaction(id))).status).toBe(200);

      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      expect(serve.output().stderr).toMatch(/serve: SIGTERM, draining 2 workers/);
      expect(serve.output().stderr.match(/serve: stopped\n/g)).toHaveLength(2);
      expect(serve.output().stderr).toMatch(/serve: all workers stopped\n/);
    } finally {
      serve.child.kill('SIGKILL');
    }
  }, 30_000);

  it('refuses --workers 2 on the memory store, naming the flag and the shared stores', async () => {
    const serve = startServe(['--registry', registryDir, '--workers', '2']);
    expect(await serve.exited).toBe(1);
    expect(serve.output().stderr).toMatch(
      /error: --workers 2 needs a store the workers share, and --store is "memory".*use --store redis:\/\/host:port or redis-cluster:\/\//,
    );
  });

  it('exits 1 when a worker fails at start, and says so', async () => {
    const serve = startServe([
      '--registry',
      registryDir,
      '--port',
      '0',
      '--workers',
      '2',
      '--store',
      REDIS_URL,
      '--rules',
      join(registryDir, 'no-such-rules.json'),
    ]);
    expect(await serve.exited).toBe(1);
    expect(serve.output().stderr).toMatch(/error: .*no-such-rules\.json/);
    expect(serve.output().stderr).toMatch(/serve: worker \d \(pid \d+\) failed to start \(exit code 1\); stopping the others/);
  }, 20_000);
});
