import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMlsdError } from '@mlsd/data';
import {
  handbookFeatures,
  materializeState,
  MemoryStateStore,
  OnlineFeatureExecutor,
  RedisClusterStateStore,
  type FeatureDefinition,
  type FeatureStateStore,
} from '@mlsd/features';
import { OwnRedisCluster } from '../test-support/own-redis-cluster.js';
import { eventOrder, randomTransactions } from '../test-support/random-transactions.js';
import { replay } from '../test-support/replay.js';

// The cluster store against the memory store, the reference: random event sequences (late, repeated, labelled,
// invalid) and an imported snapshot must give the same features, event by event.

const D = 86_400_000;
const PREFIX = `mlsd:test:cluster-parity:${process.pid}:`;
const DEFINITIONS: FeatureDefinition[] = [
  ...handbookFeatures(),
  { kind: 'window', entity: 'TERMINAL_ID', column: 'TX_AMOUNT', agg: 'std', window: '2d' },
  { kind: 'delayed-label', entity: 'CUSTOMER_ID', label: 'TX_FRAUD', window: '5d', delay: '1d', output: 'rate' },
];

let ownCluster: OwnRedisCluster | undefined;
const clusterStores: RedisClusterStateStore[] = [];
let prefixCount = 0;
beforeAll(async () => {
  ownCluster = await OwnRedisCluster.start();
}, 40_000);
afterAll(async () => {
  for (const store of clusterStores) await store.close();
  await ownCluster?.stop();
});
function clusterStore(): RedisClusterStateStore {
  const store = new RedisClusterStateStore({ cluster: ownCluster!.nodes, prefix: `${PREFIX}${prefixCount++}:` });
  clusterStores.push(store);
  return store;
}

/** What an executor answered to one step: the features, the number of events a label updated, or the error code. */
async function outcome(step: () => Promise<Float64Array | number>): Promise<number[] | string> {
  try {
    const answer = await step();
    return typeof answer === 'number' ? [answer] : Array.from(answer);
  } catch (error) {
    if (isMlsdError(error)) return error.code;
    throw error;
  }
}

/** One step of a client: an event of the table (again: a duplicate), a label, or an event with a broken amount. */
const step = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('event' as const), row: fc.nat(59) }), weight: 6 },
  fc.record({ kind: fc.constant('label' as const), row: fc.nat(69), fraud: fc.boolean() }),
  fc.record({ kind: fc.constant('broken' as const), row: fc.nat(59) }),
);

describe('RedisClusterStateStore against MemoryStateStore', () => {
  it('random event sequences (out of order, repeated, labelled, invalid) get the same features and outcomes (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.array(step, { minLength: 1, maxLength: 60 }), async (seed, steps) => {
        // Rows are not in time order: with a 1-day lateness bound some late events are recorded, others refused.
        const table = randomTransactions(60, seed, { customers: 4, terminals: 3, days: 6 });
        const executors = [new MemoryStateStore(), clusterStore()].map(
          (store: FeatureStateStore) => new OnlineFeatureExecutor(DEFINITIONS, { store, lateness: '1d', clock: () => Date.UTC(2018, 3, 8) }),
        );
        const event = (row: number, broken: boolean) => {
          const values: Record<string, number> = {};
          for (const name of table.columnNames) if (name !== 'TX_FRAUD') values[name] = table.numeric(name)[row]!;
          if (broken) values['TX_AMOUNT'] = Number.NaN;
          return values;
        };
        for (const [i, s] of steps.entries()) {
          const [memory, cluster] = await Promise.all(
            executors.map((executor) =>
              outcome(() =>
                s.kind === 'label' ? executor.feedback({ transactionId: s.row, label: s.fraud }) : executor.observe(event(s.row, s.kind === 'broken')),
              ),
            ),
          );
          if (JSON.stringify(cluster) !== JSON.stringify(memory)) {
            throw new Error(`step ${i} ${JSON.stringify(s)}: cluster ${JSON.stringify(cluster)}, memory ${JSON.stringify(memory)}`);
          }
        }
        for (const executor of executors) await executor.close();
      }),
      { seed: 15, numRuns: 40 },
    );
  }, 60_000);

  it('a materialized snapshot imported into the cluster gives every later event the memory store features', async () => {
    const table = randomTransactions(400, 4, { customers: 8, terminals: 5, days: 30 });
    const times = table.numeric('TX_DATETIME');
    const until = times[eventOrder(table)[240]!]! - 1;
    const [memory, cluster] = [new MemoryStateStore(), clusterStore()].map(
      (store: FeatureStateStore) => new OnlineFeatureExecutor(DEFINITIONS, { store, lateness: 0 }),
    );
    const snapshot = materializeState(table, memory!, { until });
    expect(await cluster!.importState(snapshot)).toBe(await memory!.importState(snapshot));
    // Importing into the cluster twice changes nothing (members are keyed by event).
    await cluster!.importState(snapshot);
    const expected = await replay(memory!, table, 1 * D, until);
    const online = await replay(cluster!, table, 1 * D, until);
    let compared = 0;
    for (let row = 0; row < table.rowCount; row++) {
      if (times[row]! < until) continue;
      expect(Array.from(online[row]!), `row ${row}`).toEqual(Array.from(expected[row]!));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
    await memory!.close();
    await cluster!.close();
  });
});
