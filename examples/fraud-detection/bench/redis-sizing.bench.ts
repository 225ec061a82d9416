/**
 * What the Redis online store costs per card and per request, for the serving README's scale-out note (issue 15).
 *
 * On a redis-server of its own (free loopback port, no persistence; so no other client's keys or CPU count):
 * 1. Memory of a materialized state: `fraud simulate` (the Handbook size: 5,000 cards, 10,000 terminals, 183 days),
 *    `fraud train --models lr`, `fraud materialize --store redis://…` (the state as known after the last
 *    transaction), then `INFO memory` and `MEMORY USAGE` (SAMPLES 0, i.e. every member) of 300 keys of each kind:
 *    card histories, terminal histories, feedback-index entries (`tx:<id>`).
 * 2. Cost of live traffic: `fraud serve --store redis://… --redis-prefix live:` (one worker, other defaults but
 *    `--log-level warn`) under autocannon at 10 connections (bench/replay-load-runner.mjs, 5 days of simulated
 *    transactions in time order with fresh ids), `MLSD_BENCH_ROUNDS` loads of 5 s (default 3): req/s, p99 and CPU µs
 *    per request of redis-server and of the service (from /proc); then `MEMORY USAGE` and TTL of the keys live traffic
 *    writes per transaction (`tx:<id>` feedback index, `seen:<id>` idempotency with the saved answer).
 *
 * One command: `pnpm bench redis-sizing` (or `node --import tsx --conditions=@mlsd/source
 * examples/fraud-detection/bench/redis-sizing.bench.ts`); about a minute. Writes `bench/results/redis-sizing.json`
 * and `bench/results/runs/<UTC yyyy-mm-ddThh-mm>-redis-sizing.json`.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { machineDescription, processTreeCpuSeconds } from './process-timing.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const cli = join(root, 'examples/fraud-detection/bin/fraud.mjs');
const rounds = Number(process.env['MLSD_BENCH_ROUNDS'] ?? 3);
const run = promisify(execFile);
const SAMPLE = 300;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

const date = new Date();
const port = await freePort();
const folder = mkdtempSync(join(tmpdir(), 'mlsd-redis-sizing-'));
const children: ChildProcess[] = [];
/** Runs redis-cli with one command per line of `commands`; resolves to the reply lines. */
const cliLines = (commands: string[]): string[] => {
  const done = spawnSync('redis-cli', ['-p', String(port)], { input: `${commands.join('\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 26 });
  return done.stdout.trim().split('\n');
};
const info = (field: string): number => Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(cliLines(['INFO memory']).join('\n'))![1]);
/** Keys of `pattern`, grouped by kind (card history, terminal history, tx index, seen, other). */
const keysByKind = (pattern: string): Record<string, string[]> => {
  const keys = spawnSync('redis-cli', ['-p', String(port), '--scan', '--pattern', pattern], { encoding: 'utf8', maxBuffer: 1 << 28 })
    .stdout.trim()
    .split('\n');
  const kinds: Record<string, string[]> = {};
  for (const key of keys) {
    const kind = /:h:CUSTOMER_ID:/.test(key)
      ? 'cardHistory'
      : /:h:TERMINAL_ID:/.test(key)
        ? 'terminalHistory'
        : /:tx:/.test(key)
          ? 'txIndex'
          : /:seen:/.test(key)
            ? 'seen'
            : 'other';
    (kinds[kind] ??= []).push(key);
  }
  return kinds;
};
/** Count, mean MEMORY USAGE (bytes, every member) over up to 300 keys spread over the list, mean members or TTL. */
const describeKeys = (keys: string[]) => {
  const step = Math.max(1, Math.floor(keys.length / SAMPLE));
  const sample = keys.filter((_, i) => i % step === 0).slice(0, SAMPLE);
  const bytes = cliLines(sample.map((key) => `MEMORY USAGE ${key} SAMPLES 0`)).map(Number);
  const ttls = cliLines(sample.map((key) => `PTTL ${key}`)).map(Number);
  const types = cliLines(sample.slice(0, 1).map((key) => `TYPE ${key}`));
  const members = types[0] === 'zset' ? cliLines(sample.map((key) => `ZCARD ${key}`)).map(Number) : [];
  const mean = (values: number[]) => (values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length));
  return {
    keys: keys.length,
    sampled: sample.length,
    type: types[0],
    meanBytes: mean(bytes),
    meanMembers: mean(members),
    meanTtlHours: Math.round((mean(ttls)! / 3.6e6) * 10) / 10,
  };
};

try {
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  children.push(redis);
  for (let i = 0; i < 100 && cliLines(['PING'])[0] !== 'PONG'; i++) await new Promise((done) => setTimeout(done, 50));
  const url = `redis://127.0.0.1:${port}`;
  const fraud = (...args: string[]) => {
    const done = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
    if (done.status !== 0) throw new Error(`fraud ${args.join(' ')} failed: ${done.stderr}`);
    return done.stdout;
  };
  // 1. A materialized Handbook-size state.
  const history = join(folder, 'transactions.parquet');
  const simulated = JSON.parse(fraud('simulate', '--out', history)) as { rows: number };
  fraud('train', '--input', history, '--out', join(folder, 'train'), '--models', 'lr');
  const emptyBytes = info('used_memory');
  const materialized = JSON.parse(fraud('materialize', '--input', history, '--store', url, '--registry', join(folder, 'train'))) as Record<string, unknown>;
  const usedBytes = info('used_memory');
  const kinds = keysByKind('mlsd:features:*');
  const state = Object.fromEntries(Object.entries(kinds).map(([kind, keys]) => [kind, describeKeys(keys)]));
  const cards = kinds['cardHistory']?.length ?? 0;

  // 2. Live traffic on a prefix of its own.
  const live = join(folder, 'live.csv');
  fraud('simulate', '--days', '5', '--seed', '1', '--out', live);
  const serve = spawn(
    process.execPath,
    [cli, 'serve', '--registry', join(folder, 'train'), '--port', '0', '--store', url, '--redis-prefix', 'live:', '--log-level', 'warn'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(serve);
  let stderr = '';
  const serviceUrl = await new Promise<string>((done, fail) => {
    serve.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(stderr);
      if (found !== null) done(found[1]!);
    });
    serve.once('exit', (code) => fail(new Error(`fraud serve exited ${code}: ${stderr}`)));
  });
  const redisPid = Number(/process_id:(\d+)/.exec(cliLines(['INFO server']).join('\n'))![1]);
  let next = 0;
  const load = async (durationSeconds: number) => {
    const [redisBefore, serveBefore] = [processTreeCpuSeconds(redisPid).total, processTreeCpuSeconds(serve.pid!).total];
    const config = { url: `${serviceUrl}/v1/score`, input: live, connections: 10, durationSeconds, first: next };
    const { stdout } = await run(process.execPath, [join(here, 'replay-load-runner.mjs'), JSON.stringify(config)], { maxBuffer: 1 << 24 });
    const result = JSON.parse(stdout) as {
      requests: number;
      requestsPerSecond: number;
      latencyMs: { p99: number };
      status: Record<string, number>;
      next: number;
    };
    next = result.next;
    const requests = Math.max(1, result.requests);
    return {
      requestsPerSecond: result.requestsPerSecond,
      p99Ms: result.latencyMs.p99,
      status: result.status,
      redisCpuMicrosPerRequest: Math.round(((processTreeCpuSeconds(redisPid).total - redisBefore) / requests) * 1e6),
      serviceCpuMicrosPerRequest: Math.round(((processTreeCpuSeconds(serve.pid!).total - serveBefore) / requests) * 1e6),
    };
  };
  await load(3);
  const loads = [];
  for (let round = 0; round < rounds; round++) loads.push(await load(5));
  const liveKeys = Object.fromEntries(Object.entries(keysByKind('live:*')).map(([kind, keys]) => [kind, describeKeys(keys)]));

  const results = {
    benchmark: 'redis-sizing',
    date: date.toISOString(),
    machine: machineDescription(),
    setup: {
      redis: `redis-server ${spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.trim()} of its own on 127.0.0.1:${port}, no persistence`,
      materialized: `fraud simulate (${simulated.rows} rows, 5,000 cards, 10,000 terminals, 183 days, seed 0); fraud train --models lr; fraud materialize --store redis://… (after the last transaction)`,
      live: `fraud serve --store redis://… --redis-prefix live: --log-level warn (1 worker, logistic-regression champion), autocannon 10 connections, fraud simulate --days 5 --seed 1 replayed with fresh ids, ${rounds} loads of 5 s after a 3 s warm-up`,
      memoryUsage: 'MEMORY USAGE key SAMPLES 0 over up to 300 keys of each kind, spread over the key list',
    },
    materialized: {
      summary: materialized,
      cards,
      usedMemoryBytes: usedBytes - emptyBytes,
      usedMemoryBytesPerCard: Math.round((usedBytes - emptyBytes) / Math.max(1, cards)),
      keys: state,
    },
    live: { loads, keys: liveKeys },
  };
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const resultsDir = join(root, 'bench/results');
  mkdirSync(join(resultsDir, 'runs'), { recursive: true });
  writeFileSync(join(resultsDir, 'redis-sizing.json'), json);
  writeFileSync(join(resultsDir, 'runs', `${date.toISOString().slice(0, 16).replace(':', '-')}-redis-sizing.json`), json);
  process.stdout.write(json);
} finally {
  for (const child of children.reverse()) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(folder, { recursive: true, force: true });
}
