import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { defineSchema, MlsdError } from '@mlsd/data';
import {
  MemoryStateStore,
  OnlineFeatureExecutor,
  RedisClusterStateStore,
  RedisStateStore,
  computeFeatures,
  handbookFeatures,
  type FeatureDefinition,
  type FeatureStateStore,
} from '@mlsd/features';
import { randomTransactions } from '../test-support/random-transactions.js';
import { OwnRedisCluster } from '../test-support/own-redis-cluster.js';
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

// A Redis Cluster of three masters of the test's own: the same contract suite runs against RedisClusterStateStore.
let ownCluster: OwnRedisCluster | undefined;
const clusterStores: RedisClusterStateStore[] = [];
beforeAll(async () => {
  ownCluster = await OwnRedisCluster.start();
}, 40_000);
function clusterStore(): RedisClusterStateStore {
  const store = new RedisClusterStateStore({ cluster: ownCluster!.nodes, prefix: `${PREFIX}${prefixCount++}:` });
  clusterStores.push(store);
  return store;
}

afterAll(async () => {
  for (const store of clusterStores) await store.close();
  await ownCluster?.stop();
  for (const store of redisStores) await store.clear();
  expect(await redis.keys(`${PREFIX}*`)).toEqual([]);
  await redis.quit();
});

// The Handbook set plus every other aggregate, a second delayed-label entity with another delay, and row expressions.
const DEFINITIONS: FeatureDefinition[] = [
  ...handbookFeatures(),
  ...(['sum', 'min', 'max', 'std'] as const).map((agg) => ({ kind: 'window', entity: 'TERMINAL_ID', column: 'TX_AMOUNT', agg, window: '3d' }) as const),
  { kind: 'delayed-label', entity: 'CUSTOMER_ID', label: 'TX_FRAUD', window: '5d', delay: '2d', output: 'rate' },
  { kind: 'ratio-to-window-mean', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', window: '7d' },
  { kind: 'log1p', column: 'TX_AMOUNT' },
];

const stores: [string, () => FeatureStateStore][] = [
  ['memory', () => new MemoryStateStore()],
  ['redis', redisStore],
  ['redis-cluster', clusterStore],
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

  it('records a late event in time order within the lateness bound, scores a later one without recording it', async () => {
    const executor = new OnlineFeatureExecutor([{ kind: 'window', name: 'n', entity: 'CUSTOMER_ID', agg: 'count', window: '1d' }], {
      store: makeStore(),
      lateness: '1h',
    });
    const at = (id: number, t: number) => ({ TRANSACTION_ID: id, TX_DATETIME: T0 + t, CUSTOMER_ID: 7 });
    expect(await executor.observeEvent(at(1, 2 * 3_600_000))).toMatchObject({ late: false, recorded: true, duplicate: false });
    // 30 minutes late: recorded in time order, and it sees only events up to its own time (itself).
    const within = await executor.observeEvent(at(2, 90 * 60_000));
    expect([Array.from(within.features), within.late, within.recorded]).toEqual([[1], true, true]);
    // 2 hours late: scored from the state as it is (events up to its time: none) and not recorded.
    const beyond = await executor.observeEvent(at(3, 0));
    expect([Array.from(beyond.features), beyond.late, beyond.recorded]).toEqual([[1], true, false]);
    expect(Array.from(await executor.peek(at(4, 3 * 3_600_000)))).toEqual([3]);
    await executor.close();
  });

  it('answers a repeated id as a duplicate with the saved answer and changes no state', async () => {
    const executor = new OnlineFeatureExecutor([{ kind: 'window', name: 'sum', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg: 'sum', window: '1d' }], {
      store: makeStore(),
    });
    const tx = (id: number | string, t: number, amount: number) => ({ TRANSACTION_ID: id, TX_DATETIME: T0 + t, CUSTOMER_ID: 7, TX_AMOUNT: amount });
    expect(await executor.observeEvent(tx(1, 0, 10))).toMatchObject({ duplicate: false, recorded: true });
    await executor.saveAnswer(1, '{"score":0.25}');
    // A client retry (also with another amount, and the id as a string) changes nothing and gets the first answer.
    for (const retry of [tx(1, 0, 10), tx('1', 1000, 500)]) {
      const again = await executor.observeEvent(retry);
      expect([again.duplicate, again.recorded, again.answer]).toEqual([true, false, '{"score":0.25}']);
    }
    expect(Array.from(await executor.peek(tx(2, 2000, 1)))).toEqual([11]);
    // A duplicate before any answer was saved: still nothing recorded, no answer to repeat.
    await executor.observe(tx(2, 2000, 1));
    expect(await executor.observeEvent(tx(2, 2000, 1))).toMatchObject({ duplicate: true, recorded: false, answer: undefined });
    expect(Array.from(await executor.peek(tx(3, 3000, 0)))).toEqual([11]);
    await executor.close();
  });

  it('holds a label for an unknown id and applies it when the event arrives late', async () => {
    const executor = new OnlineFeatureExecutor(
      [{ kind: 'delayed-label', name: 'rate', entity: 'CUSTOMER_ID', label: 'TX_FRAUD', window: '2d', delay: '1d', output: 'rate' }],
      { store: makeStore() },
    );
    // Feedback first: the store does not know transaction 5 yet, so nothing is labelled now.
    expect(await executor.feedback({ transactionId: 5, label: 1 })).toBe(0);
    await executor.observe({ TRANSACTION_ID: 5, TX_DATETIME: T0, CUSTOMER_ID: 7 });
    await executor.observe({ TRANSACTION_ID: 6, TX_DATETIME: T0 + 1000, CUSTOMER_ID: 7 });
    // Labelled again: counted once (the event is labelled, not labelled twice).
    expect(await executor.feedback({ transactionId: 5, label: 1 })).toBe(1);
    expect(Array.from(await executor.peek({ TX_DATETIME: T0 + D + 2000, CUSTOMER_ID: 7 }))).toEqual([0.5]);
    await executor.close();
  });

  it('refuses out-of-bounds times and values before they touch the state', async () => {
    const executor = new OnlineFeatureExecutor(handbookFeatures(), {
      store: makeStore(),
      clock: () => T0,
      schema: defineSchema('tx', [{ name: 'TX_AMOUNT', type: 'float', role: 'feature', min: 0, max: 1e9 }]),
    });
    const good = { TRANSACTION_ID: 1, TX_DATETIME: T0, CUSTOMER_ID: 1, TERMINAL_ID: 2, TX_AMOUNT: 3 };
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ TX_DATETIME: 1e16 }, /field "TX_DATETIME" is 10000000000000000, outside the JavaScript date range/],
      [{ TX_DATETIME: Date.UTC(9999, 11, 31) }, /field "TX_DATETIME" is 9999-12-31T00:00:00.000Z, more than the horizon of 86400000 ms/],
      [{ TX_DATETIME: 1_522_627_200 }, /ambiguous with epoch seconds/],
      [{ TX_AMOUNT: 1e308 }, /field "TX_AMOUNT" is 1e\+308, above the maximum 1000000000/],
      [{ TX_AMOUNT: -1 }, /field "TX_AMOUNT" is -1, below the minimum 0/],
    ];
    for (const [change, message] of refused) {
      const error = await executor.observe({ ...good, ...change }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MlsdError);
      expect((error as MlsdError).code).toBe('INVALID_INPUT');
      expect((error as MlsdError).message).toMatch(message);
    }
    // Nothing was recorded: the first valid event of the card counts 1.
    expect((await executor.peek(good))[executor.featureNames.indexOf('CUSTOMER_ID_NB_TX_1DAY_WINDOW')]).toBe(1);
    // Without a schema bound, windowed values are still kept within ±1e15 (1e308 twice would make a mean Infinity).
    const plain = new OnlineFeatureExecutor(handbookFeatures(), { store: new MemoryStateStore() });
    await expect(plain.observe({ ...good, TX_AMOUNT: 1e308 })).rejects.toThrow(/beyond ±1000000000000000, the bound of windowed values/);
    await executor.close();
  });

  it('names the event and field of a missing key or a non-finite value', async () => {
    const executor = new OnlineFeatureExecutor(handbookFeatures(), { store: makeStore() });
    const good = { TRANSACTION_ID: 'tx-9', TX_DATETIME: T0, CUSTOMER_ID: 1, TERMINAL_ID: 2, TX_AMOUNT: 3 };
    await expect(executor.observe({ ...good, CUSTOMER_ID: undefined })).rejects.toThrow(/Event tx-9: entity key "CUSTOMER_ID" is missing/);
    await expect(executor.observe({ ...good, TX_AMOUNT: Number.NaN })).rejects.toThrow(
      /Event tx-9: field "TX_AMOUNT" is NaN; windowed features need a finite number/,
    );
    await expect(executor.observe({ ...good, TX_DATETIME: '2018-04-02' })).rejects.toThrow(
      /field "TX_DATETIME" is "2018-04-02"; give the event time as epoch milliseconds/,
    );
    await expect(executor.feedback({ keys: { MERCHANT: 1 }, time: T0, label: 1 })).rejects.toThrow(
      /entity "MERCHANT"; the features keep state for: CUSTOMER_ID, TERMINAL_ID/,
    );
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
    const held =
      store instanceof MemoryStateStore
        ? store.eventCount
        : store instanceof RedisClusterStateStore
          ? await heldInCluster(`{${PREFIX}${prefixCount - 1}:h:TERMINAL_ID:4}`)
          : await redis.zcard(`${PREFIX}${prefixCount - 1}:h:TERMINAL_ID:4`);
    expect(held).toBe(3);
    expect(Array.from(await executor.peek({ TX_DATETIME: T0 + 20 * D, TERMINAL_ID: 4 }))).toEqual([2]);
    await executor.close();
  });
});

describe('OnlineFeatureExecutor.observeEventSync on the memory store', () => {
  it('returns what observeEvent resolves to, event by event (features, late, duplicates, answers), and throws what it rejects with', async () => {
    const table = randomTransactions(400, 11, { customers: 10, terminals: 5, days: 30 });
    const options = { lateness: '1h' as const, clock: () => T0 + 40 * D };
    const asyncExecutor = new OnlineFeatureExecutor(DEFINITIONS, { store: new MemoryStateStore(), ...options });
    const syncExecutor = new OnlineFeatureExecutor(DEFINITIONS, { store: new MemoryStateStore(), ...options });
    expect(syncExecutor.synchronous).toBe(true);
    const times = table.numeric('TX_DATETIME');
    const customers = table.numeric('CUSTOMER_ID');
    const terminals = table.numeric('TERMINAL_ID');
    const amounts = table.numeric('TX_AMOUNT');
    for (let row = 0; row < table.rowCount; row++) {
      // Every 7th event comes again (a retry), every 11th two hours late: duplicates and lateness both happen.
      const id = row % 7 === 6 ? row - 1 : row;
      const time = times[row]! - (row % 11 === 10 ? 2 * 3_600_000 : 0);
      const event = { TRANSACTION_ID: id, TX_DATETIME: time, CUSTOMER_ID: customers[row]!, TERMINAL_ID: terminals[row]!, TX_AMOUNT: amounts[row]! };
      const expected = await asyncExecutor.observeEvent(event);
      const actual = syncExecutor.observeEventSync(event);
      expect({ ...actual, features: Array.from(actual.features) }).toEqual({ ...expected, features: Array.from(expected.features) });
      if (row % 5 === 0) {
        await asyncExecutor.saveAnswer(id, `answer ${id}`);
        await syncExecutor.saveAnswer(id, `answer ${id}`);
      }
    }
    const bad = { TRANSACTION_ID: 9_999, TX_DATETIME: 1_522_627_200, CUSTOMER_ID: 1, TERMINAL_ID: 1, TX_AMOUNT: 1 };
    const rejected = await asyncExecutor.observeEvent(bad).catch((error: unknown) => error);
    expect(() => syncExecutor.observeEventSync(bad)).toThrow((rejected as Error).message);
    await asyncExecutor.close();
    await syncExecutor.close();
  });

  it('refuses a store that has no synchronous form, saying which to use', () => {
    const memory = new MemoryStateStore();
    // The memory store seen through the asynchronous part of the contract only (as a remote store offers it).
    const remoteLike: FeatureStateStore = {
      attach: (layout) => memory.attach(layout),
      observe: (event, record, compute) => memory.observe(event, record, compute),
      label: (target, label) => memory.label(target, label),
      saveAnswer: (id, answer) => memory.saveAnswer(id, answer),
      importState: (snapshot, options) => memory.importState(snapshot, options),
      close: () => memory.close(),
    };
    const executor = new OnlineFeatureExecutor(handbookFeatures(), { store: remoteLike });
    expect(executor.synchronous).toBe(false);
    expect(() => executor.observeEventSync({ TRANSACTION_ID: 1, TX_DATETIME: T0, CUSTOMER_ID: 1, TERMINAL_ID: 2, TX_AMOUNT: 3 })).toThrow(
      /needs a store in this process/,
    );
  });
});

describe('OnlineFeatureExecutor options', () => {
  it('rejects unknown options and a store shared by other definitions', () => {
    expect(() => new OnlineFeatureExecutor(handbookFeatures(), { latenes: '1m' } as never)).toThrow(
      /Unknown online executor option "latenes"; valid: store, time, id, lateness, schema, horizon/,
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

/** ZCARD of one key of the test's cluster, asked of the master that owns its slot. */
async function heldInCluster(key: string): Promise<number> {
  const client = new Redis.Cluster(ownCluster!.nodes);
  try {
    return await client.zcard(key);
  } finally {
    await client.quit();
  }
}

describe('OnlineFeatureExecutor on the memory store: the idempotency window', () => {
  it('repeats an id only within the window, then records it again; other ids expire in their own time', async () => {
    let clock = 0;
    const executor = new OnlineFeatureExecutor([{ kind: 'window', name: 'n', entity: 'CUSTOMER_ID', agg: 'count', window: '1d' }], {
      store: new MemoryStateStore({ now: () => clock }),
      idempotency: '1s',
    });
    const tx = (id: number, t: number) => ({ TRANSACTION_ID: id, TX_DATETIME: T0 + t, CUSTOMER_ID: 7 });
    expect(await executor.observeEvent(tx(1, 0))).toMatchObject({ duplicate: false, recorded: true });
    await executor.saveAnswer(1, 'first');
    clock = 600;
    expect(await executor.observeEvent(tx(2, 10))).toMatchObject({ duplicate: false, recorded: true });
    clock = 999;
    expect(await executor.observeEvent(tx(1, 20))).toMatchObject({ duplicate: true, recorded: false, answer: 'first' });
    // Id 1 was seen at 0: from 1000 on it is new again (its answer forgotten); id 2, seen at 600, still repeats.
    clock = 1000;
    expect(await executor.observeEvent(tx(1, 30))).toMatchObject({ duplicate: false, recorded: true, answer: undefined });
    expect(await executor.observeEvent(tx(2, 40))).toMatchObject({ duplicate: true, recorded: false });
    clock = 1600;
    expect(await executor.observeEvent(tx(2, 50))).toMatchObject({ duplicate: false, recorded: true });
    expect(await executor.observeEvent(tx(1, 60))).toMatchObject({ duplicate: true, recorded: false, answer: undefined });
    // Four events recorded (1, 2, 1 again, 2 again), and the peeked one counts itself.
    expect(Array.from(await executor.peek(tx(9, 70)))).toEqual([5]);
    await executor.close();
  });
});

describe('OnlineFeatureExecutor on the memory store: the bound on remembered ids', () => {
  it('forgets the oldest ids first past maxIds, for duplicates and feedback by id, and never fails an event', async () => {
    const executor = new OnlineFeatureExecutor([{ kind: 'window', name: 'n', entity: 'CUSTOMER_ID', agg: 'count', window: '1d' }], {
      store: new MemoryStateStore({ maxIds: 64 }),
    });
    const tx = (id: number, t: number) => ({ TRANSACTION_ID: id, TX_DATETIME: T0 + t, CUSTOMER_ID: 7 });
    for (let id = 0; id < 200; id++) expect(await executor.observeEvent(tx(id, id))).toMatchObject({ duplicate: false, recorded: true });
    // The last 64 ids are remembered; the first ones are not.
    expect(await executor.observeEvent(tx(199, 300))).toMatchObject({ duplicate: true, recorded: false });
    expect(await executor.observeEvent(tx(140, 300))).toMatchObject({ duplicate: true, recorded: false });
    expect(await executor.observeEvent(tx(136, 300))).toMatchObject({ duplicate: true, recorded: false });
    expect(await executor.feedback({ transactionId: 150, label: 1 })).toBe(1);
    expect(await executor.feedback({ transactionId: 3, label: 1 })).toBe(0);
    expect(await executor.observeEvent(tx(3, 400))).toMatchObject({ duplicate: false, recorded: true });
    // 136 was the oldest remembered: recording 3 again made room by forgetting it, and 135 was gone already.
    expect(await executor.observeEvent(tx(136, 500))).toMatchObject({ duplicate: false, recorded: true });
    expect(await executor.observeEvent(tx(135, 600))).toMatchObject({ duplicate: false, recorded: true });
    expect(() => new MemoryStateStore({ maxIds: 0 })).toThrow(/"maxIds" must be a whole number from 1 to 2\^24, got 0/);
    await executor.close();
  });
});
