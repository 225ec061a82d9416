import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { simulateTransactions, type ColumnTable } from '@mlsd/data';
import { MemoryStateStore, OnlineFeatureExecutor, RedisStateStore, handbookFeatures, type FeatureStateStore } from '@mlsd/features';

// Online executor throughput: the 15 Handbook features per event, replayed in time order as a serving process
// would see them (observe = features from the state before the event, then record it), with every fraud label fed
// back 7 days after its transaction. Memory store: median of 3 runs over the first 500,000 events of the simulated
// Handbook-scale data set (more than the 37-day state horizon); Redis store: one run over 20,000 events.
// MLSD_BENCH_SCALE=small: a 60-day, 500-customer simulation, 50,000 / 5,000 events. Writes
// bench/results/features-online.json at the repo root.
const small = process.env.MLSD_BENCH_SCALE === 'small';
const simulation = small ? { customers: 500, terminals: 1_000, days: 60, seed: 1 } : { seed: 1 };
const table = simulateTransactions(simulation);
const memoryEvents = Math.min(table.rowCount, small ? 50_000 : 500_000);
const redisEvents = Math.min(table.rowCount, small ? 5_000 : 20_000);
const DELAY_MS = 7 * 86_400_000;

interface Run {
  readonly events: number;
  readonly ms: number;
  /** Process CPU time of the run (all threads). */
  readonly cpuMs: number;
  readonly eventsPerSecond: number;
  readonly feedbacks: number;
  readonly latencyUs: { readonly p50: number; readonly p99: number };
}

/** Replays the first `count` events of `data` (time order) through a fresh executor on `store`. */
async function replay(data: ColumnTable, count: number, store: FeatureStateStore): Promise<Run> {
  const executor = new OnlineFeatureExecutor(handbookFeatures(), { store, lateness: 0 });
  const id = data.numeric('TRANSACTION_ID');
  const time = data.numeric('TX_DATETIME');
  const customer = data.numeric('CUSTOMER_ID');
  const terminal = data.numeric('TERMINAL_ID');
  const amount = data.numeric('TX_AMOUNT');
  const fraud = data.labels('TX_FRAUD');
  const latencies = new Float64Array(count);
  let fed = 0;
  let feedbacks = 0;
  const usage = process.cpuUsage();
  const start = performance.now();
  for (let row = 0; row < count; row++) {
    while (time[fed]! + DELAY_MS <= time[row]!) {
      if (fraud[fed] === 1) {
        await executor.feedback({ transactionId: id[fed]!, label: 1 });
        feedbacks++;
      }
      fed++;
    }
    const before = performance.now();
    await executor.observe({ TRANSACTION_ID: id[row], TX_DATETIME: time[row], CUSTOMER_ID: customer[row], TERMINAL_ID: terminal[row], TX_AMOUNT: amount[row] });
    latencies[row] = (performance.now() - before) * 1_000;
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(usage);
  latencies.sort();
  await executor.close();
  return {
    events: count,
    ms,
    cpuMs: (used.user + used.system) / 1_000,
    eventsPerSecond: Math.round(count / (ms / 1_000)),
    feedbacks,
    latencyUs: { p50: latencies[Math.floor(count * 0.5)]!, p99: latencies[Math.floor(count * 0.99)]! },
  };
}

const memoryRuns: Run[] = [];
for (let r = 0; r < 3; r++) memoryRuns.push(await replay(table, memoryEvents, new MemoryStateStore()));
const memory = [...memoryRuns].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond)[1]!;

let redis: Run | { readonly error: string };
const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, lazyConnect: true });
const store = new RedisStateStore({ redis: client, prefix: `mlsd:bench:features:${process.pid}:${Date.now()}:` });
try {
  await client.connect();
  redis = await replay(table, redisEvents, store);
} catch (error) {
  redis = { error: (error as Error).message };
} finally {
  await store.clear().catch(() => 0);
  client.disconnect();
}

const target = 100_000;
const results = {
  benchmark: 'features-online',
  date: new Date().toISOString(),
  scale: small ? 'small' : 'full',
  simulation,
  rows: table.rowCount,
  features: handbookFeatures().length,
  node: process.version,
  cpus: cpus().length,
  loadAverage: loadavg(),
  note: 'sequential awaited observe() calls incl. label feedback, on a shared 2-core machine (other jobs running): noisy and pessimistic',
  memory: { ...memory, runsEventsPerSecond: memoryRuns.map((run) => run.eventsPerSecond) },
  redis,
  targetEventsPerSecond: target,
  meetsTarget: memory.eventsPerSecond >= target,
};
const dir = join(import.meta.dirname, '../../../bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'features-online.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `features-online: memory store ${memory.eventsPerSecond} events/s median over ${memory.events} events ` +
    `(${Math.round(memory.events / (memory.cpuMs / 1_000))} per CPU-second, load ${loadavg()[0]!.toFixed(1)}) ` +
    `(p50 ${memory.latencyUs.p50.toFixed(1)} µs, p99 ${memory.latencyUs.p99.toFixed(1)} µs; target >= ${target}); ` +
    ('error' in redis ? `redis: ${redis.error}` : `redis store ${redis.eventsPerSecond} events/s (p50 ${redis.latencyUs.p50.toFixed(0)} µs)`),
);
