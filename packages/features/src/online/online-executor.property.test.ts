import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { defineSchema, isMlsdError } from '@mlsd/data';
import { MemoryStateStore, OnlineFeatureExecutor, RedisStateStore, handbookFeatures, type FeatureStateStore } from '@mlsd/features';

// Issue 13: whatever a client sends about one entity (valid, invalid, out of bounds, duplicate, late), the state of
// every other entity is exactly what it would be without it, and a refused event is refused as INVALID_INPUT
// (never a RangeError or any other error that a caller could take for a store failure).

const D = 86_400_000;
const T0 = Date.UTC(2018, 3, 1);
const SCHEMA = defineSchema('tx', [{ name: 'TX_AMOUNT', type: 'float', role: 'feature', min: 0, max: 1e9 }]);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `mlsd:test:property:${process.pid}:${Date.now()}:`;
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
const redisStores: RedisStateStore[] = [];
let prefixes = 0;

afterAll(async () => {
  for (const store of redisStores) await store.clear();
  await redis.quit();
});

/** The watched entity: customer 1000 at terminal 1000, its events with ids 1_000_000 + i, one hour apart. */
const watched = (i: number, amount: number) => ({
  TRANSACTION_ID: 1_000_000 + i,
  TX_DATETIME: T0 + i * 3_600_000,
  CUSTOMER_ID: 1000,
  TERMINAL_ID: 1000,
  TX_AMOUNT: amount,
});

// Mostly valid values (so that many events are recorded), with every kind of invalid one mixed in.
const anyTime = fc.oneof(
  { arbitrary: fc.integer({ min: -10, max: 30 }).map((h) => T0 + h * 3_600_000), weight: 6 },
  fc.constantFrom(1e16, -1e16, Number.NaN, Number.POSITIVE_INFINITY, 1_522_540_800, 0, -1, Date.UTC(9999, 11, 31), T0 + 40 * D),
  fc.double(),
);
const anyAmount = fc.oneof(
  { arbitrary: fc.double({ min: 0, max: 1000, noNaN: true }), weight: 6 },
  fc.constantFrom(1e308, -1e308, -0.01, Number.NaN, Number.POSITIVE_INFINITY, 1e9, 1e9 + 1),
  fc.double(),
);
const anyKey = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 4 }), weight: 6 }, fc.constantFrom('', Number.NaN, null, 'c-1', 1.5));
/** Another entity's event, valid or not; ids never collide with the watched entity's (ids are global keys). */
const otherEvent = fc.record({
  TRANSACTION_ID: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(undefined)),
  TX_DATETIME: anyTime,
  CUSTOMER_ID: anyKey,
  TERMINAL_ID: anyKey,
  TX_AMOUNT: anyAmount,
});

async function run(makeStore: () => FeatureStateStore, others: readonly (Record<string, unknown> | null)[], amounts: readonly number[]): Promise<void> {
  const clock = () => T0 + D;
  const plain = new OnlineFeatureExecutor(handbookFeatures(), { store: makeStore(), schema: SCHEMA, clock });
  const exposed = new OnlineFeatureExecutor(handbookFeatures(), { store: makeStore(), schema: SCHEMA, clock });
  let next = 0;
  for (const other of others) {
    if (other === null) {
      // The watched entity's next event, in both executors.
      if (next < amounts.length) {
        await plain.observe(watched(next, amounts[next]!));
        await exposed.observe(watched(next, amounts[next]!));
        next++;
      }
      continue;
    }
    try {
      await exposed.observe(other);
      // A client retry of the same event, and a label for it: both allowed, neither may touch the watched entity.
      await exposed.observe(other);
      if (typeof other.TRANSACTION_ID === 'number') await exposed.feedback({ transactionId: other.TRANSACTION_ID, label: 1 });
    } catch (error) {
      expect(isMlsdError(error, 'INVALID_INPUT'), String(error)).toBe(true);
    }
  }
  const probe = { TX_DATETIME: T0 + 30 * 3_600_000, CUSTOMER_ID: 1000, TERMINAL_ID: 1000, TX_AMOUNT: 10 };
  expect(Array.from(await exposed.peek(probe))).toEqual(Array.from(await plain.peek(probe)));
  await plain.close();
  await exposed.close();
}

const scenario = fc.tuple(
  fc.array(fc.option(otherEvent, { nil: null, freq: 3 }), { maxLength: 40 }),
  fc.array(fc.double({ min: 0, max: 500, noNaN: true }), { minLength: 1, maxLength: 8 }),
);

describe('online executor under random events (fast-check)', () => {
  it('memory store: random valid and invalid events never change another entity state, and are refused only as INVALID_INPUT', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, ([others, amounts]) => run(() => new MemoryStateStore(), others, amounts)),
      { numRuns: 150, seed: 13 },
    );
  });

  it('redis store: the same property', async () => {
    const store = () => {
      const s = new RedisStateStore({ redis, prefix: `${PREFIX}${prefixes++}:` });
      redisStores.push(s);
      return s;
    };
    await fc.assert(
      fc.asyncProperty(scenario, ([others, amounts]) => run(store, others, amounts)),
      { numRuns: 25, seed: 13 },
    );
  });
});
