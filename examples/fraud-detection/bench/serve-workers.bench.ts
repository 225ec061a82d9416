/**
 * `fraud serve --workers 1` against `--workers 2` on the Redis store (issue 15, "Several workers on one machine").
 *
 * Both services are started as a user starts them: `bin/fraud.mjs serve --registry DIR --store redis://… --workers N`
 * with every other default (info logs on stdout — to a file here —, monitoring on), on a registry trained by the CLI
 * at a small scale (`fraud simulate` + `fraud train --models lr,gbdt`: trees as champion, logistic regression in
 * shadow). Their feature state lives in a redis-server this bench starts on a free loopback port (no persistence),
 * so no other client's commands share its core or its CPU count; with `MLSD_BENCH_REDIS=redis://…` it uses that
 * server instead, under a key prefix of this run (`mlsd:bench:serve-workers:<stamp>:`, deleted at the end). Load: autocannon in its own process (bench/replay-load-runner.mjs), the simulator's
 * transactions in time order with fresh ids, 10 connections, `MLSD_BENCH_ROUNDS` rounds (default 3) alternating the
 * two services.
 *
 * Measured per service: req/s and client p50 / p99 at 10 connections (min / median / max over the rounds), CPU µs
 * per request of the service's processes (primary + workers, from /proc) and of redis-server (from /proc, when
 * readable), and status codes. On 2 cores the load generator and Redis share the machine with the workers, so
 * `--workers 2` shows what a second process buys here, not on a bigger box.
 *
 * One command: `pnpm bench serve-workers` (or `node --import tsx --conditions=@mlsd/source
 * examples/fraud-detection/bench/serve-workers.bench.ts`); about 1.5 minutes. Writes `bench/results/serve-workers.json`
 * and `bench/results/runs/<UTC yyyy-mm-ddThh-mm>-serve-workers.json`.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RedisStateStore } from '@mlsd/features';
import { buildFraudCliIfStale, machineDescription, processTreeCpuSeconds } from './process-timing.js';
import { trainServingRegistry } from './serving-registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const cli = join(root, 'examples/fraud-detection/bin/fraud.mjs');
const rounds = Number(process.env['MLSD_BENCH_ROUNDS'] ?? 3);
const seconds = 8;
const ownRedis = process.env['MLSD_BENCH_REDIS'] === undefined ? await startOwnRedis() : undefined;
const redisUrl = process.env['MLSD_BENCH_REDIS'] ?? `redis://127.0.0.1:${ownRedis!.port}`;
const run = promisify(execFile);
const date = new Date();
const stamp = date.toISOString().slice(0, 16).replace(':', '-');
const prefix = `mlsd:bench:serve-workers:${stamp}:`;

/** A redis-server on a free loopback port, without persistence; resolves once it answers PING. */
async function startOwnRedis(): Promise<{ port: number; child: ChildProcess }> {
  const port = await new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return { port, child };
    await new Promise((done) => setTimeout(done, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not start`);
}

/** What one autocannon load reports (replay-load-runner.mjs). */
interface Load {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null; readonly max: number | null };
  readonly status: { readonly '2xx': number; readonly '4xx': number; readonly '5xx': number };
  readonly errors: number;
  readonly next: number;
}

interface Service {
  readonly workers: number;
  readonly child: ChildProcess;
  readonly url: string;
}

/** redis-server's process id, when it runs on this machine (INFO server); null otherwise. */
function redisPid(): number | null {
  const url = new URL(redisUrl);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') return null;
  const info = spawnSync('redis-cli', ['-u', redisUrl, 'INFO', 'server'], { encoding: 'utf8' });
  const found = /process_id:(\d+)/.exec(info.stdout ?? '');
  return found === null ? null : Number(found[1]);
}

/** Starts `fraud serve --workers N` on the Redis store; resolves once every worker listens. */
async function startService(registry: string, workers: number, logFd: number): Promise<Service> {
  const args = [cli, 'serve', '--registry', registry, '--port', '0', '--store', redisUrl, '--redis-prefix', prefix, '--workers', String(workers)];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', logFd, 'pipe'] });
  let stderr = '';
  return new Promise<Service>((done, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url === undefined) return;
      // The service's CPU is read over its whole process tree; with several workers, wait until all of them listen.
      if (workers === 1 || /\d+ workers listening/.test(stderr)) done({ workers, child, url });
    });
    child.once('exit', (code) => fail(new Error(`fraud serve --workers ${workers} exited ${code} before listening: ${stderr}`)));
  });
}

async function stop(service: Service): Promise<void> {
  if (service.child.exitCode !== null) return;
  const exited = new Promise((done) => service.child.once('exit', done));
  service.child.kill('SIGTERM');
  await exited;
}

let next = 0;
/** One autocannon load at 10 connections, with the CPU the service's processes and Redis spent on it. */
async function load(service: Service, transactions: string, durationSeconds: number) {
  const redis = redisPid();
  const cpuOf = () => processTreeCpuSeconds(service.child.pid!).total;
  const [serviceBefore, redisBefore] = [cpuOf(), redis === null ? 0 : processTreeCpuSeconds(redis).total];
  const config = { url: `${service.url}/v1/score`, input: transactions, connections: 10, durationSeconds, first: next };
  const { stdout } = await run(process.execPath, [join(here, 'replay-load-runner.mjs'), JSON.stringify(config)], { maxBuffer: 1 << 24 });
  const result = JSON.parse(stdout) as Load;
  next = result.next;
  const requests = Math.max(1, result.requests);
  return {
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    status: result.status,
    errors: result.errors,
    serviceCpuMicrosPerRequest: Math.round(((cpuOf() - serviceBefore) / requests) * 1e6),
    redisCpuMicrosPerRequest: redis === null ? null : Math.round(((processTreeCpuSeconds(redis).total - redisBefore) / requests) * 1e6),
  };
}

function spread(values: readonly (number | null)[]) {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  return { min: sorted[0] ?? null, median: sorted[Math.floor(sorted.length / 2)] ?? null, max: sorted[sorted.length - 1] ?? null, runs: values };
}

buildFraudCliIfStale(root);
const machineBefore = machineDescription();
const folder = mkdtempSync(join(tmpdir(), 'mlsd-serve-workers-bench-'));
const services: Service[] = [];
const logFd = openSync(join(folder, 'serve.log'), 'w');
try {
  const { transactions, registry, roles } = trainServingRegistry(cli, root, folder);

  const one = await startService(registry, 1, logFd);
  services.push(one);
  const two = await startService(registry, 2, logFd);
  services.push(two);
  // Warm-up (JIT in every worker, the first windows in Redis), not reported.
  await load(one, transactions, 3);
  await load(two, transactions, 3);

  const byWorkers: Record<'1' | '2', Awaited<ReturnType<typeof load>>[]> = { '1': [], '2': [] };
  for (let round = 0; round < rounds; round++) {
    byWorkers['1'].push(await load(one, transactions, seconds));
    byWorkers['2'].push(await load(two, transactions, seconds));
  }
  const summary = (runs: Awaited<ReturnType<typeof load>>[]) => ({
    requestsPerSecond: spread(runs.map((r) => r.requestsPerSecond)),
    p50Ms: spread(runs.map((r) => r.p50Ms)),
    p99Ms: spread(runs.map((r) => r.p99Ms)),
    serviceCpuMicrosPerRequest: spread(runs.map((r) => r.serviceCpuMicrosPerRequest)),
    redisCpuMicrosPerRequest: spread(runs.map((r) => r.redisCpuMicrosPerRequest)),
    status: runs.map((r) => ({ ...r.status, errors: r.errors })),
  });
  const results = {
    benchmark: 'serve-workers',
    date: date.toISOString(),
    machine: { ...machineBefore, loadAverageBefore: machineBefore.loadAverage, loadAverageAfter: machineDescription().loadAverage },
    setup: {
      redis: ownRedis === undefined ? `${redisUrl} (MLSD_BENCH_REDIS), shared with its other clients` : 'a redis-server of its own (no persistence)',
      serve: `node bin/fraud.mjs serve --registry DIR --port 0 --store ${redisUrl} --redis-prefix ${prefix} --workers N (other defaults: info logs to a file, monitoring); champion ${roles.champion}, challenger ${roles.challenger} in shadow`,
      traffic: `fraud simulate --customers 1000 --terminals 2000 --days 50 --seed 0, replayed in time order with fresh ids; autocannon in its own process, 10 connections, ${seconds} s per load, ${rounds} rounds alternating --workers 1 and 2`,
      cpu: 'serviceCpuMicrosPerRequest: user + system CPU of the primary and its workers per answered request (/proc); redisCpuMicrosPerRequest: the same for redis-server (other clients included when it is shared)',
    },
    workers1: summary(byWorkers['1']),
    workers2: summary(byWorkers['2']),
  };
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const resultsDir = join(root, 'bench/results');
  mkdirSync(join(resultsDir, 'runs'), { recursive: true });
  writeFileSync(join(resultsDir, 'serve-workers.json'), json);
  writeFileSync(join(resultsDir, 'runs', `${stamp}-serve-workers.json`), json);
  process.stdout.write(json);
} finally {
  for (const service of services) await stop(service);
  closeSync(logFd);
  rmSync(folder, { recursive: true, force: true });
  if (ownRedis === undefined) {
    const store = new RedisStateStore({ redis: redisUrl, prefix });
    await store.clear();
    await store.close();
  } else {
    const exited = new Promise((done) => ownRedis.child.once('exit', done));
    ownRedis.child.kill('SIGTERM');
    await exited;
  }
}
