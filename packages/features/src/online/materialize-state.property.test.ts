import fc from 'fast-check';
import { describe, it } from 'vitest';
import { computeFeatures, handbookFeatures, materializeState, MemoryStateStore, OnlineFeatureExecutor, type FeatureDefinition } from '@mlsd/features';
import { randomTransactions } from '../test-support/random-transactions.js';
import { replay } from '../test-support/replay.js';

const D = 86_400_000;

// The Handbook set with a second, shorter label delay (the snapshot's labels follow the shortest one) and std.
const DEFINITIONS: FeatureDefinition[] = [
  ...handbookFeatures(),
  { kind: 'delayed-label', entity: 'TERMINAL_ID', label: 'TX_FRAUD', window: '3d', delay: '1d', output: 'count' },
  { kind: 'window', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg: 'std', window: '2d' },
];

describe('materializeState + MemoryStateStore.importState (property)', () => {
  it('for any table and any --until, every event from until on gets the offline features; importing twice changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 }),
        async (seed, at, twice, lateness) => {
          const table = randomTransactions(220, seed, { customers: 6, terminals: 4, days: 30 });
          const times = table.numeric('TX_DATETIME');
          const start = Date.UTC(2018, 3, 1);
          // Any time over the table's span, sometimes exactly an event time (ties at `until` go to the replay).
          const until = at < 0.2 ? times[Math.floor(at * 5 * table.rowCount)]! : start + Math.round(at * 31 * D);
          const executor = new OnlineFeatureExecutor(DEFINITIONS, { store: new MemoryStateStore(), lateness: `${lateness}m` });
          const snapshot = materializeState(table, executor, { until });
          await executor.importState(snapshot);
          if (twice) await executor.importState(snapshot);
          const online = await replay(executor, table, 1 * D, until);
          const offline = computeFeatures(table, DEFINITIONS);
          offline.columnNames.forEach((name, f) => {
            const expected = offline.numeric(name);
            for (let row = 0; row < table.rowCount; row++) {
              if (times[row]! < until) continue;
              const a = online[row]![f]!;
              const b = expected[row]!;
              if (!(a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)))) {
                throw new Error(`${name} row ${row} (until ${new Date(until).toISOString()}): online ${a}, offline ${b}`);
              }
            }
          });
        },
      ),
      { seed: 15, numRuns: 40 },
    );
  });
});
