import { describe, expect, it } from 'vitest';
import { ColumnTable, MlsdError, type Column } from '@mlsd/data';
import { computeFeatures, computeFeaturesInParallel, FeatureWorkers, handbookFeatures, type FeatureDefinition } from '@mlsd/features';
import { randomTransactions } from '../test-support/random-transactions.js';

/** Every value of every column, bit for bit (NaN and -0 included). */
function expectIdentical(actual: ColumnTable, expected: ColumnTable): void {
  expect(actual.columnNames).toEqual(expected.columnNames);
  for (const name of expected.columnNames) {
    const a = new Uint8Array(actual.numeric(name).buffer, actual.numeric(name).byteOffset, actual.rowCount * 8);
    const e = new Uint8Array(expected.numeric(name).buffer, expected.numeric(name).byteOffset, expected.rowCount * 8);
    expect(Buffer.compare(a, e), name).toBe(0);
  }
}

/** Three entity columns (one a category), every kind of feature, interleaved in definition order. */
const MIXED: FeatureDefinition[] = [
  { kind: 'window', name: 'term_max', entity: 'TERMINAL_ID', column: 'TX_AMOUNT', agg: 'max', window: '3d' },
  { kind: 'column', name: 'amount', column: 'TX_AMOUNT' },
  { kind: 'window', name: 'cust_std', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', agg: 'std', window: '7d' },
  { kind: 'delayed-label', name: 'term_rate', entity: 'TERMINAL_ID', label: 'TX_FRAUD', window: '7d', delay: '2d', output: 'rate' },
  { kind: 'calendar', name: 'night', flag: 'night', nightHours: [0, 6] },
  { kind: 'window', name: 'region_n', entity: 'REGION', agg: 'count', window: '1d' },
  { kind: 'ratio-to-window-mean', name: 'cust_ratio', entity: 'CUSTOMER_ID', column: 'TX_AMOUNT', window: '14d' },
  { kind: 'log1p', name: 'log_amount', column: 'TX_AMOUNT' },
  { kind: 'window', name: 'region_min', entity: 'REGION', column: 'TX_AMOUNT', agg: 'min', window: '2d' },
];

function withRegion(table: ColumnTable): ColumnTable {
  const columns = new Map<string, Column>();
  for (const name of table.columnNames) columns.set(name, table.column(name));
  const codes = Int32Array.from(table.numeric('CUSTOMER_ID'), (id) => id % 4);
  columns.set('REGION', { type: 'category', codes, dictionary: ['north', 'east', 'south', 'west'] });
  return new ColumnTable(columns);
}

describe('computeFeaturesInParallel', () => {
  it('equals the single-thread executor bit for bit on the Handbook features (rows out of time order, ties)', async () => {
    const table = randomTransactions(3_000, 11, { customers: 40, terminals: 25, days: 60 });
    expectIdentical(await computeFeaturesInParallel(table, handbookFeatures(), { threads: 2 }), computeFeatures(table, handbookFeatures()));
  });

  it('equals it with three entities (one a category) on two and four threads, and on one thread', async () => {
    const table = withRegion(randomTransactions(2_000, 5));
    const expected = computeFeatures(table, MIXED);
    for (const threads of [1, 2, 4]) expectIdentical(await computeFeaturesInParallel(table, MIXED, { threads }), expected);
  });

  it('runs on workers started ahead, for several calls, more shares than workers included', async () => {
    const workers = FeatureWorkers.start(1);
    try {
      const table = withRegion(randomTransactions(1_500, 8));
      for (const definitions of [MIXED, handbookFeatures()]) {
        expectIdentical(await computeFeaturesInParallel(table, definitions, { workers }), computeFeatures(table, definitions));
      }
      // Two calls at once on one worker: the second share waits for it.
      const [a, b] = await Promise.all([computeFeaturesInParallel(table, MIXED, { workers }), computeFeaturesInParallel(table, MIXED, { workers })]);
      expectIdentical(a, b);
    } finally {
      await workers.close();
    }
  });

  it('throws the error the single-thread executor throws, from a worker thread too', async () => {
    const table = randomTransactions(500, 3);
    const labels = Uint8Array.from(table.labels('TX_FRAUD'));
    labels[17] = 2;
    const columns = new Map<string, Column>();
    for (const name of table.columnNames) columns.set(name, name === 'TX_FRAUD' ? { type: 'integer', values: Float64Array.from(labels) } : table.column(name));
    const bad = new ColumnTable(columns);
    const single = (() => {
      try {
        computeFeatures(bad, handbookFeatures());
      } catch (error) {
        return error as MlsdError;
      }
      throw new Error('computeFeatures accepted a label of 2');
    })();
    // The label is read by the terminal features, the second entity: a worker thread computes them.
    const parallel = await computeFeaturesInParallel(bad, handbookFeatures(), { threads: 2 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(parallel).toBeInstanceOf(MlsdError);
    expect((parallel as MlsdError).code).toBe(single.code);
    expect((parallel as MlsdError).message).toBe(single.message);
    expect((parallel as MlsdError).location).toEqual({ row: 17, column: 'TX_FRAUD' });
  });

  it('rejects a thread count that is not a whole number >= 1, naming the option', async () => {
    await expect(computeFeaturesInParallel(randomTransactions(10, 1), handbookFeatures(), { threads: 0 })).rejects.toThrow(
      /threads must be a whole number >= 1/,
    );
  });
});
