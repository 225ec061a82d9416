import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MlsdError } from '@mlsd/data';
import {
  MemoryStateStore,
  OnlineFeatureExecutor,
  RedisStateStore,
  computeFeatures,
  handbookFeatures,
  materializeState,
  type FeatureDefinition,
  type FeatureStateStore,
} from '@mlsd/features';
import { eventOrder, randomTransactions } from '../test-support/random-transactions.js';
import { replay } from '../test-support/replay.js';

const D = 86_400_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `mlsd:test:materialize:${process.pid}:${Date.now()}:`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
const redisStores: RedisStateStore[] = [];
function redisStore(): RedisStateStore {
  const store = new RedisStateStore({ redis, prefix: `${PREFIX}${redisStores.length}:` });
  redisStores.push(store);
  return store;
}

afterAll(async () => {
  for (const store of redisStores) await store.clear();
  expect(await redis.keys(`${PREFIX}*`)).toEqual([]);
  await redis.quit();
});

// The Handbook set plus every other aggregate and a second, shorter label delay on the same label column.
const DEFINITIONS: FeatureDefinition[] = [
  ...handbookFeatures(),
  ...(['sum', 'min', 'max', 'std'] as const).map((agg) => ({ kind: 'window', entity: 'TERMINAL_ID', column: 'TX_AMOUNT', agg, window: '3d' }) as const),
  { kind: 'delayed-label', entity: 'CUSTOMER_ID', label: 'TX_FRAUD', window: '5d', delay: '2d', output: 'rate' },
  { kind: 'ratio-to-window-mean', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', window: '7d' },
];

const stores: [string, () => FeatureStateStore][] = [
  ['memory', () => new MemoryStateStore()],
  ['redis', redisStore],
];

/** |a - b| <= 1e-12 relative (exact for counts, flags and label rates). */
function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
}

describe.each(stores)('materializeState into the %s store', (_, makeStore) => {
  it.each([0, 1, 2])('every event after `until` (seed %i) gets the offline features, labels fed back only once due', async (seed) => {
    const table = randomTransactions(600, seed, { customers: 10, terminals: 6, days: 45 });
    const offline = computeFeatures(table, DEFINITIONS);
    const times = table.numeric('TX_DATETIME');
    const order = eventOrder(table);
    // An `until` between events (and one exactly at an event time): the state holds the events before it.
    const pivot = order[Math.floor(order.length * 0.6)]!;
    const until = seed === 2 ? times[pivot]! : times[pivot]! - 1;
    const executor = new OnlineFeatureExecutor(DEFINITIONS, { store: makeStore(), lateness: 0 });
    const snapshot = materializeState(table, executor, { until });
    expect(snapshot.times.every((t) => t < until && t > until - executor.stateLayout.retentionMs)).toBe(true);
    expect(await executor.importState(snapshot)).toBeGreaterThan(0);
    // Labels not known at `until` come through feedback when due, as in production.
    const online = await replay(executor, table, 2 * D, until);
    const mismatches: string[] = [];
    let checked = 0;
    offline.columnNames.forEach((name, f) => {
      const expected = offline.numeric(name);
      for (let row = 0; row < table.rowCount; row++) {
        if (times[row]! < until) continue;
        checked++;
        if (!close(online[row]![f]!, expected[row]!)) mismatches.push(`${name} row ${row}: online ${online[row]![f]} offline ${expected[row]}`);
      }
    });
    expect(checked).toBeGreaterThan(200);
    expect(mismatches.slice(0, 5)).toEqual([]);
    await executor.close();
  });

  it('imports into an executor with other idempotency and pending-label times (they do not shape the state)', async () => {
    const table = randomTransactions(80, 7);
    const snapshot = materializeState(table, new OnlineFeatureExecutor(DEFINITIONS));
    const executor = new OnlineFeatureExecutor(DEFINITIONS, { store: makeStore(), idempotency: '1h', pendingLabels: '5m' });
    expect(await executor.importState(snapshot)).toBeGreaterThan(0);
    await executor.close();
  });

  it('refuses a snapshot of other feature definitions, naming what to do', async () => {
    const table = randomTransactions(50, 3);
    const other = new OnlineFeatureExecutor([{ kind: 'window', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg: 'sum', window: '1d' }]);
    const executor = new OnlineFeatureExecutor(DEFINITIONS, { store: makeStore() });
    const error = await executor.importState(materializeState(table, other)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlsdError);
    expect((error as MlsdError).message).toMatch(/Materialize the snapshot again/);
    await expect(executor.store.importState(materializeState(table, other))).rejects.toThrow(/another state layout/);
    await executor.close();
  });
});

describe('RedisStateStore.importState', () => {
  it('writes the members, scores, arrival order and TTLs the observe script writes for the same events and labels', async () => {
    const table = randomTransactions(400, 6, { customers: 8, terminals: 5, days: 30 });
    const until = Date.UTC(2018, 3, 25);
    const imported = redisStore();
    const importer = new OnlineFeatureExecutor(DEFINITIONS, { store: imported, lateness: 0 });
    const snapshot = materializeState(table, importer, { until });
    await importer.importState(snapshot);
    // The same events observed one by one in event order, then the labels known at `until` fed back. The whole
    // table lies inside the retention, so both stores number the events alike (sequence numbers included).
    const observed = redisStore();
    const observer = new OnlineFeatureExecutor(DEFINITIONS, { store: observed, lateness: 0 });
    const times = table.numeric('TX_DATETIME');
    const fraud = table.labels('TX_FRAUD');
    const rows = eventOrder(table).filter((row) => times[row]! < until);
    for (const row of rows) {
      const event: Record<string, number> = {};
      for (const name of table.columnNames) if (name !== 'TX_FRAUD') event[name] = table.numeric(name)[row]!;
      await observer.observe(event);
    }
    for (const row of rows) if (times[row]! <= until - 2 * D) await observer.feedback({ transactionId: row, label: fraud[row] === 1 });
    const prefixOf = (store: RedisStateStore) => (store as unknown as { prefix: string }).prefix;
    const historyKeys = async (store: RedisStateStore) => (await redis.keys(`${prefixOf(store)}h:*`)).map((key) => key.slice(prefixOf(store).length)).sort();
    const keys = await historyKeys(imported);
    expect(keys.length).toBeGreaterThan(5);
    const oldest = until - importer.stateLayout.retentionMs;
    let compared = 0;
    for (const key of await historyKeys(observed)) {
      const expected = await redis.zrangebyscore(`${prefixOf(observed)}${key}`, `(${oldest}`, '+inf', 'WITHSCORES');
      const got = await redis.zrangebyscore(`${prefixOf(imported)}${key}`, `(${oldest}`, '+inf', 'WITHSCORES');
      expect(got, key).toEqual(expected);
      compared += expected.length / 2;
      if (expected.length > 0) {
        const ttl = await redis.pttl(`${prefixOf(imported)}${key}`);
        expect(ttl).toBeGreaterThan(importer.stateLayout.retentionMs - 60_000);
        expect(ttl).toBeLessThanOrEqual(importer.stateLayout.retentionMs);
      }
    }
    expect(compared).toBe(snapshot.times.length * 2);
    // The arrival counter continues after the imported events.
    expect(await redis.get(`${prefixOf(imported)}seq`)).toBe(String(snapshot.times.length));
  });
});

describe('materializeState', () => {
  it('keeps labels known at `until` (events at least the shortest delay before it) and indexes the rest for feedback', () => {
    const table = randomTransactions(300, 4, { days: 20 });
    const executor = new OnlineFeatureExecutor(DEFINITIONS);
    const until = Date.UTC(2018, 3, 15);
    const snapshot = materializeState(table, executor, { until });
    const fraud = table.labels('TX_FRAUD');
    const ids = snapshot.ids as Float64Array;
    for (let i = 0; i < snapshot.times.length; i++) {
      const known = snapshot.times[i]! <= until - 2 * D;
      expect(snapshot.labels[i]).toBe(known ? fraud[ids[i]!] : 0);
      expect(i >= snapshot.feedbackFrom).toBe(!known);
    }
  });

  it('names the row of a non-finite windowed value', () => {
    const table = randomTransactions(20, 5);
    const amounts = table.numeric('TX_AMOUNT');
    amounts[7] = Number.NaN;
    expect(() => materializeState(table, new OnlineFeatureExecutor(DEFINITIONS))).toThrow(/Column "TX_AMOUNT" row 7 is NaN/);
  });
});
