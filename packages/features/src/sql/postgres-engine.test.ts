import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFeatures, handbookFeatures, type FeatureDefinition } from '@mlsd/features';
import { randomTransactions } from '../test-support/random-transactions.js';
import { expectParity } from '../test-support/sql-parity.js';
import { computeFeaturesInPostgres } from './postgres-engine.js';

/** A real server (CI's .ci/run starts it): 127.0.0.1:5432, trust auth, database `test`. */
const URL = process.env.MLSD_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const definition: fc.Arbitrary<FeatureDefinition> = fc.oneof(
  fc.record({
    kind: fc.constant('window' as const),
    entity: fc.constantFrom('CUSTOMER_ID', 'TERMINAL_ID'),
    column: fc.constant('TX_AMOUNT'),
    agg: fc.constantFrom('count' as const, 'sum' as const, 'mean' as const),
    window: fc.constantFrom('1s', '1h', '1d', '7d'),
  }),
  fc.record({
    kind: fc.constant('delayed-label' as const),
    entity: fc.constantFrom('CUSTOMER_ID', 'TERMINAL_ID'),
    label: fc.constant('TX_FRAUD'),
    window: fc.constantFrom('1h', '1d', '5d'),
    delay: fc.constantFrom('1s', '1d'),
    output: fc.constantFrom('count' as const, 'rate' as const),
  }),
  fc.record({
    kind: fc.constant('ratio-to-window-mean' as const),
    entity: fc.constant('TERMINAL_ID'),
    column: fc.constant('TX_AMOUNT'),
    window: fc.constantFrom('1d', '2d'),
  }),
  fc.record({
    kind: fc.constant('calendar' as const),
    flag: fc.constantFrom('weekend' as const, 'night' as const),
    utcOffsetMinutes: fc.constantFrom(0, 90, -300),
  }),
);

describe('computeFeaturesInPostgres (compiled SQL on a PostgreSQL server)', () => {
  it('equals the typed executor on the Handbook features over random events with tied times', async () => {
    const table = randomTransactions(3000, 11, { days: 60 });
    expectParity(await computeFeaturesInPostgres(table, handbookFeatures(), URL), computeFeatures(table, handbookFeatures()));
  });

  it('equals the typed executor for random definitions and random events with ties (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(definition, { minLength: 1, maxLength: 4, selector: (d) => JSON.stringify(d) }),
        fc.integer({ min: 1, max: 1000 }),
        async (definitions, seed) => {
          const named = definitions.map((d, k) => ({ ...d, name: `f${k}` }));
          const table = randomTransactions(300, seed, { days: 10, customers: 5, terminals: 4 });
          expectParity(await computeFeaturesInPostgres(table, named, URL), computeFeatures(table, named));
        },
      ),
      { numRuns: 10, seed: 16 },
    );
  });

  it('names the server and how to fix the URL when it cannot connect', async () => {
    const table = randomTransactions(10, 1);
    await expect(computeFeaturesInPostgres(table, handbookFeatures(), 'postgres://nobody:secret@127.0.0.1:1/none')).rejects.toThrow(
      /PostgreSQL at postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none failed/,
    );
  });
});
