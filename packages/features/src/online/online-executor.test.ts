import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MlsdError } from '@mlsd/data';
import {
  MemoryStateStore,
  OnlineFeatureExecutor,
  RedisStateStore,
  computeFeatures,
  handbookFeatures,
  type FeatureDefinition,
  type FeatureStateStore,
} from '@mlsd/features';
import { randomTransactions } from '../test-support/random-transactions.js';
import { replay } from '../test-support/replay.js';

const D = 86_400_000;
const T0 = Date.UTC(2018, 3, 2);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `mlsd:test:features:${process.pid}:${Date.now()}:`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
const redisStores: RedisStateStore[] = [];
let prefixCount = 0;
function redisStore(): RedisStateStore {
  const store = new RedisStateStore({ redis, prefix: `${PREFIX}${prefixCount++}:` });
  redisStores.push(store);
  return store;
}

afterAll(async () => {
  for (const store of redisStores) await store.clear();
  expect(await redis.keys(`${PREFIX}*`)).toEqual([]);
  await redis.quit();
});

// The Handbook set plus every other aggregate, a second delayed-label entity with another delay, and row expressions.
const DEFINITIONS: FeatureDefinition[] = [
  ...handbookFeatures(),
  ...(['sum', 'min', 'max', 'std'] as const).map(
    (agg) => ({ kind: 'window', entity: 'TERMINAL_ID', column: 'TX_AMOUNT', agg, window: '3d' }) as const,
  ),
  { kind: 'delayed-label', entity: 'CUSTOMER_ID', label: 'TX_FRAUD', window: '5d', delay: '2d', output: 'rate' },
  { kind: 'ratio-to-window-mean', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', window: '7d' },
  { kind: 'log1p', column: 'TX_AMOUNT' },
];

const stores: [string, () => FeatureStateStore][] = [
  ['memory', () => new MemoryStateStore()],
  ['redis', redisStore],
];

describe.each(stores)('OnlineFeatureExecutor with the %s store', (_, makeStore) => {
  it('replayed in time order with delayed feedback, equals the offline executor on every row (1e-9 relative)', async () => {
    const table = randomTransactions(500, 5, { customers: 12, terminals: 6, days: 40 });
    const offline = computeFeatures(table, DEFINITIONS);
    const executor = new OnlineFeatureExecutor(DEFINITIONS, { store: makeStore(), lateness: 0 });
    const online = await replay(executor, table, 2 * D);
    let nonZeroRisk = 0;
    const mismatches: string[] = [];
    offline.columnNames.forEach((name, f) => {
      const expected = offline.numeric(name);
      for (let row = 0; row < table.rowCount; row++) {
        const a = online[row]![f]!;
        const b = expected[row]!;
        if (!(Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)))) mismatches.push(`${name} row ${row}: online ${a}, offline ${b}`);
        if (name.startsWith('TERMINAL_ID_RISK') && b > 0) nonZeroRisk++;
      }
    });
    expect(mismatches).toEqual([]);
    // The comparison covered risk values that depend on fed-back labels, not only zeros.
    expect(nonZeroRisk).toBeGreaterThan(100);
    await executor.close();
  });

  it('computes from the state before the event, then records it; peek records nothing', async () => {
    const executor = new OnlineFeatureExecutor(
      [
        { kind: 'window', name: 'n', entity: 'CUSTOMER_ID', agg: 'count', window: '1d' },
        { kind: 'window', name: 'sum', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg: 'sum', window: '1d' },
        { kind: 'delayed-label', name: 'risk', entity: 'CUSTOMER_ID', label: 'TX_FRAUD', window: '1d', delay: '1d', output: 'rate' },
      ],
      { store: makeStore() },
    );
    const event = (id: number, t: number, amount: number) => ({ TRANSACTION_ID: id, TX_DATETIME: T0 + t, CUSTOMER_ID: 'c-1', TX_AMOUNT: amount });
    expect(Array.from(await executor.observe(event(1, 0, 10)))).toEqual([1, 10, 0]);
    expect(Array.from(await executor.peek(event(2, 1000, 5)))).toEqual([2, 15, 0]);
    expect(Array.from(await executor.observe(event(3, 1000, 7)))).toEqual([2, 17, 0]);
    expect(await executor.feedback({ transactionId: 1, label: 1 })).toBe(1);
    expect(await executor.feedback({ transactionId: '1', label: 1 })).toBe(1); // "1" and 1 name the same transaction
    expect(await executor.feedback({ transactionId: 'unknown', label: 1 })).toBe(0);
    // At 1d + 500 ms the delayed window (-500 ms, 500 ms] holds transaction 1 (fraud) only.
    expect(Array.from(await executor.observe(event(4, D + 500, 1)))).toEqual([2, 8, 1]);
    // Feedback by entity and time relabels transaction 3 (at 1000 ms); at 1d + 1000 ms the delayed window
    // (1000 ms - 1d, 1000 ms] holds transactions 1 and 3, both now fraud.
    expect(await executor.feedback({ keys: { CUSTOMER_ID: 'c-1' }, time: T0 + 1000, label: true })).toBe(1);
    expect(Array.from(await executor.observe(event(5, D + 1000, 1)))).toEqual([2, 2, 1]);
    await executor.close();
  });

  it('accepts events up to the lateness bound and rejects later ones without changing state', async () => {
    const executor = new OnlineFeatureExecutor([{ kind: 'window', name: 'n', entity: 'CUSTOMER_ID', agg: 'count', window: '1d' }], {
      store: makeStore(),
      lateness: '1h',
    });
    const at = (id: number, t: number) => ({ TRANSACTION_ID: id, TX_DATETIME: T0 + t, CUSTOMER_ID: 7 });
    await executor.observe(at(1, 2 * 3_600_000));
    // 30 minutes late: accepted, and it sees only events up to its own time.
    expect(Array.from(await executor.observe(at(2, 90 * 60_000)))).toEqual([1]);
    const error = await executor.observe(at(3, 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlsdError);
    expect((error as MlsdError).code).toBe('INVALID_INPUT');
    expect((error as MlsdError).message).toMatch(/Event 3 at 2018-04-02T00:00:00.000Z is 7200000 ms older than the latest event of CUSTOMER_ID 7.*lateness bound is 3600000 ms/);
    expect(Array.from(await executor.peek(at(4, 3 * 3_600_000)))).toEqual([3]);
    await executor.close();
  });

  it('names the event and field of a missing key or a non-finite value', async () => {
    const executor = new OnlineFeatureExecutor(handbookFeatures(), { store: makeStore() });
    const good = { TRANSACTION_ID: 'tx-9', TX_DATETIME: T0, CUSTOMER_ID: 1, TERMINAL_ID: 2, TX_AMOUNT: 3 };
    await expect(executor.observe({ ...good, CUSTOMER_ID: undefined })).rejects.toThrow(/Event tx-9: entity key "CUSTOMER_ID" is missing/);
    await expect(executor.observe({ ...good, TX_AMOUNT: Number.NaN })).rejects.toThrow(/Event tx-9: field "TX_AMOUNT" is NaN; windowed features need a finite number/);
    await expect(executor.observe({ ...good, TX_DATETIME: '2018-04-02' })).rejects.toThrow(/field "TX_DATETIME" is "2018-04-02"; give the event time as epoch milliseconds/);
    await expect(executor.feedback({ keys: { MERCHANT: 1 }, time: T0, label: 1 })).rejects.toThrow(/entity "MERCHANT"; the features keep state for: CUSTOMER_ID, TERMINAL_ID/);
    await executor.close();
  });

  it('evicts events older than the longest window plus delay plus lateness', async () => {
    const store = makeStore();
    const executor = new OnlineFeatureExecutor(
      [{ kind: 'delayed-label', name: 'r', entity: 'TERMINAL_ID', label: 'TX_FRAUD', window: '2d', delay: '1d', output: 'count' }],
      { store, lateness: 0 },
    );
    for (let day = 0; day < 20; day++) await executor.observe({ TX_DATETIME: T0 + day * D, TERMINAL_ID: 4 });
    // Retention 3d: the events of days 17, 18 and 19 remain.
    const held = store instanceof MemoryStateStore ? store.eventCount : await redis.zcard(`${PREFIX}${prefixCount - 1}:h:TERMINAL_ID:4`);
    expect(held).toBe(3);
    expect(Array.from(await executor.peek({ TX_DATETIME: T0 + 20 * D, TERMINAL_ID: 4 }))).toEqual([2]);
    await executor.close();
  });
});

describe('OnlineFeatureExecutor options', () => {
  it('rejects unknown options and a store shared by other definitions', () => {
    expect(() => new OnlineFeatureExecutor(handbookFeatures(), { latenes: '1m' } as never)).toThrow(
      /Unknown online executor option "latenes"; valid: store, time, id, lateness/,
    );
    const store = new MemoryStateStore();
    new OnlineFeatureExecutor(handbookFeatures(), { store });
    expect(() => new OnlineFeatureExecutor(handbookFeatures().slice(0, 5), { store })).toThrow(/already serves executors with other feature definitions/);
  });
});

describe('MemoryStateStore feedback index', () => {
  it('finds every transaction by id after thousands of events (its ring of recent events grows), and no unknown one', async () => {
    const executor = new OnlineFeatureExecutor(
      [{ kind: 'delayed-label', name: 'rate', entity: 'CUSTOMER_ID', label: 'TX_FRAUD', window: '10d', delay: '1d', output: 'rate' }],
      { store: new MemoryStateStore() },
    );
    const n = 3_000;
    for (let id = 0; id < n; id++) await executor.observe({ TRANSACTION_ID: id, TX_DATETIME: T0 + id * 60_000, CUSTOMER_ID: 7 });
    const changed: number[] = [];
    // Ids given as strings name the same events ("42" and 42 alike).
    for (let id = 0; id < n; id += 3) changed.push(await executor.feedback({ transactionId: String(id), label: 1 }));
    expect(changed).toEqual(new Array<number>(n / 3).fill(1));
    expect(await executor.feedback({ transactionId: n, label: 1 })).toBe(0);
    // Every event lies in the delayed window (t - 11d, t - 1d] of an event 1 day after the last: rate 1000 / 3000.
    const [rate] = await executor.peek({ TX_DATETIME: T0 + n * 60_000 + D, CUSTOMER_ID: 7 });
    expect(rate).toBe(1 / 3);
    await executor.close();
  });
});
