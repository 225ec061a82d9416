import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ColumnTable, defineSchema, ingest, simulateTransactions, TRANSACTION_SCHEMA, writeTable, type Column } from '@mlsd/data';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mlsd-write-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function expectSameColumns(actual: ColumnTable, expected: ColumnTable): void {
  expect(actual.columnNames).toEqual(expected.columnNames);
  expect(actual.rowCount).toBe(expected.rowCount);
  for (const name of expected.columnNames) {
    const a = actual.column(name);
    const e = expected.column(name);
    expect(a.type, name).toBe(e.type);
    const values = (c: Column): unknown[] => (c.type === 'category' ? Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k])) : Array.from(c.values));
    expect(values(a), name).toEqual(values(e));
  }
}

describe('writeTable', () => {
  const table = simulateTransactions({ customers: 50, terminals: 100, days: 10, seed: 3 });

  it.each(['csv', 'parquet', 'jsonl'])('round-trips the transaction table through %s and ingest', async (extension) => {
    const path = join(folder, `transactions.${extension}`);
    await writeTable(table, path);
    const back = await ingest(path, { schema: TRANSACTION_SCHEMA });
    expect(back.rejects).toEqual([]);
    expectSameColumns(back.table, table);
  });

  it('writes the Handbook CSV format: header in table order, timestamps as YYYY-MM-DD HH:MM:SS', async () => {
    const path = join(folder, 'format.csv');
    const small = new ColumnTable({
      TRANSACTION_ID: { type: 'integer', values: Float64Array.of(0, 1) },
      TX_DATETIME: { type: 'timestamp', values: Float64Array.of(Date.UTC(2018, 3, 1, 0, 0, 31), Date.UTC(2018, 8, 30, 23, 59, 59, 250)) },
      TX_AMOUNT: { type: 'float', values: Float64Array.of(57.16, Number.NaN) },
      TX_FRAUD: { type: 'label', values: Uint8Array.of(0, 1) },
      NOTE: { type: 'category', codes: Int32Array.of(0, -1), dictionary: ['a, "b"'] },
    });
    await writeTable(small, path);
    expect(await readFile(path, 'utf8')).toBe(
      'TRANSACTION_ID,TX_DATETIME,TX_AMOUNT,TX_FRAUD,NOTE\n0,2018-04-01 00:00:31,57.16,0,"a, ""b"""\n1,2018-09-30 23:59:59.250,,1,\n',
    );
    const schema = defineSchema('small', [
      { name: 'TRANSACTION_ID', type: 'integer', role: 'id' },
      { name: 'TX_DATETIME', type: 'timestamp', role: 'event-time' },
      { name: 'TX_AMOUNT', type: 'float', role: 'feature', required: false },
      { name: 'TX_FRAUD', type: 'label', role: 'label' },
      { name: 'NOTE', type: 'category', role: 'feature', required: false },
    ]);
    for (const extension of ['csv', 'parquet', 'jsonl']) {
      const again = join(folder, `small.${extension}`);
      await writeTable(small, again);
      expectSameColumns((await ingest(again, { schema })).table, small);
    }
  });
});
