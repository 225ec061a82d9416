import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeFeatures, handbookFeatures, type FeatureDefinition } from '@mlsd/features';
import { randomTransactions } from '../test-support/random-transactions.js';
import { expectParity } from '../test-support/sql-parity.js';
import { compileFeatureSql } from './compile-sql.js';
import { computeFeaturesInDuckDB } from './duckdb-engine.js';

/** Random SQL-compilable definitions: windows of several lengths, delayed labels, ratios, calendar flags. */
const definition: fc.Arbitrary<FeatureDefinition> = fc.oneof(
  fc.record({
    kind: fc.constant('window' as const),
    entity: fc.constantFrom('CUSTOMER_ID', 'TERMINAL_ID'),
    column: fc.constant('TX_AMOUNT'),
    agg: fc.constantFrom('count' as const, 'sum' as const, 'mean' as const),
    window: fc.constantFrom('1s', '1h', '12h', '1d', '3d', '7d'),
  }),
  fc.record({
    kind: fc.constant('delayed-label' as const),
    entity: fc.constantFrom('CUSTOMER_ID', 'TERMINAL_ID'),
    label: fc.constant('TX_FRAUD'),
    window: fc.constantFrom('1h', '1d', '5d'),
    delay: fc.constantFrom('1s', '1d', '2d'),
    output: fc.constantFrom('count' as const, 'rate' as const),
  }),
  fc.record({
    kind: fc.constant('ratio-to-window-mean' as const),
    entity: fc.constant('CUSTOMER_ID'),
    column: fc.constant('TX_AMOUNT'),
    window: fc.constantFrom('1d', '2d'),
  }),
  fc.record({
    kind: fc.constant('calendar' as const),
    flag: fc.constantFrom('weekend' as const, 'night' as const),
    utcOffsetMinutes: fc.constantFrom(0, 90, -300),
  }),
  fc.record({ kind: fc.constant('log1p' as const), column: fc.constant('TX_AMOUNT') }),
);

describe('computeFeaturesInDuckDB (compiled SQL in embedded DuckDB)', () => {
  it('equals the typed executor on the Handbook features over random events with tied times', async () => {
    const table = randomTransactions(3000, 7, { days: 60 });
    expectParity(await computeFeaturesInDuckDB(table, handbookFeatures()), computeFeatures(table, handbookFeatures()));
  });

  it('equals the typed executor for random definitions and random events with ties (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(definition, { minLength: 1, maxLength: 5, selector: (d) => JSON.stringify(d) }),
        fc.integer({ min: 1, max: 1000 }),
        async (definitions, seed) => {
          const named = definitions.map((d, k) => ({ ...d, name: `f${k}` }));
          const table = randomTransactions(400, seed, { days: 10, customers: 5, terminals: 4 });
          expectParity(await computeFeaturesInDuckDB(table, named), computeFeatures(table, named));
        },
      ),
      { numRuns: 25, seed: 16 },
    );
  });

  it('keeps the window bound exclusive: an event exactly one window earlier is out, a tie later in the file is out', async () => {
    const { ColumnTable } = await import('@mlsd/data');
    const day = 86_400_000;
    const t0 = Date.UTC(2018, 3, 2);
    const table = new ColumnTable({
      TX_DATETIME: { type: 'timestamp', values: Float64Array.of(t0, t0 + day, t0 + day, t0 + day) },
      CUSTOMER_ID: { type: 'integer', values: Float64Array.of(1, 1, 1, 2) },
      TX_AMOUNT: { type: 'float', values: Float64Array.of(10, 20, 30, 40) },
    });
    const out = await computeFeaturesInDuckDB(table, [{ kind: 'window', name: 'n', entity: 'CUSTOMER_ID', agg: 'count', window: '1d' }]);
    expect(Array.from(out.numeric('n'))).toEqual([1, 1, 2, 1]);
  });

  it('refuses min, max and std windows, naming the feature and the typed engine', () => {
    expect(() =>
      compileFeatureSql([{ kind: 'window', name: 'top', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg: 'max', window: '1d' }], {
        source: 't',
        time: 'T',
        order: 'r',
      }),
    ).toThrow(/"top".*--engine typed/);
  });
});
