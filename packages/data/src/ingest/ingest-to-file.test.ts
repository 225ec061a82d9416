import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ColumnTable,
  defineSchema,
  ingest,
  ingestToFile,
  isMlsdError,
  type IngestOptions,
  type MlsdError,
  type Schema,
  simulateTransactions,
  TRANSACTION_SCHEMA,
  writeTable,
} from '@mlsd/data';
import { sqlString, withDuckDB } from '@mlsd/data/duckdb';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mlsd-ingest-to-file-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const HEADER = 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD,TX_FRAUD_SCENARIO';
/** Bad values of every kind, malformed lines, and repeated ids (after a bad row, twice, and on a bad row). */
const BROKEN_CSV = [
  HEADER, // 1
  '0,2018-04-01 00:00:31,596,3156,57.16,0,0', // 2 ok
  '1,2018-04-01T00:02:10,4961,3412,81.51,0,0', // 3 ok
  '2,2018-04-01 00:07:56,abc,1365,146.00,0,0', // 4 CUSTOMER_ID not an integer
  '3,2018-04-01 00:09:29,4128,8737,-64.49,0,0', // 5 negative amount
  '1,2018-04-01 00:09:30,1,2,3.5,2,0', // 6 repeats id 1 but the label is bad: a bad value only
  '5,not a date,568,8803,40.00,0,0', // 7 bad timestamp
  '', // 8 blank
  '7,2018-04-01 00:12:00,1,2,3.5,0', // 9 one field short
  '1.0,2018-04-01 00:13:00,1,2,3.5,0,0', // 10 repeats id 1 (as 1.0)
  '8,2018-04-01 00:14:00,1,2,3.5,1,0,extra', // 11 one field too many
  '9,2018-04-01 00:15:00,1,2,12.5,1,', // 12 ok, scenario missing
  '10,2018-04-01 00:16:00,1.5,2,x,0,0', // 13 two bad values
  ' 11 ,2018-04-01 00:17:00+02:00,3,4,1e2,true,1', // 14 ok: spaces, zone offset, exponent, label true
  '1,2018-04-01 00:18:00,5,6,7.25,0,1', // 15 repeats id 1 again
  '11,2018-04-01 00:19:00,5,6,-0,0,1', // 16 repeats id 11
].join('\n');

/** The typed path (`ingest` then `writeTable`) and `ingestToFile` on the same input give the same everything. */
async function expectSamePaths(input: string, options: IngestOptions, name: string): Promise<void> {
  const typedOut = join(folder, `${name}-typed.parquet`);
  const fastOut = join(folder, `${name}-fast.parquet`);
  const typedRejects = join(folder, `${name}-typed-rejects.csv`);
  const fastRejects = join(folder, `${name}-fast-rejects.csv`);
  const typed = await ingest(input, { ...options, rejectsPath: typedRejects });
  await writeTable(typed.table, typedOut);
  const fast = await ingestToFile(input, fastOut, { ...options, rejectsPath: fastRejects });

  expect(fast.acceptedRows).toBe(typed.acceptedRows);
  expect(fast.rejectedRows).toBe(typed.rejectedRows);
  expect(fast.rejects).toEqual(typed.rejects);
  expect(await readFile(fastRejects, 'utf8')).toBe(await readFile(typedRejects, 'utf8'));
  // Reading a file back verifies its content hash; the stored hashes must also be the same string.
  expect(tableValues((await ingest(fastOut, { schema: options.schema })).table)).toEqual(tableValues(typed.table));
  expect(await storedHash(fastOut)).toBe(await storedHash(typedOut));
  expect(await parquetSchema(fastOut)).toEqual(await parquetSchema(typedOut));
}

/** Every column as plain arrays (categories as their text), -0 kept apart from 0. */
function tableValues(table: ColumnTable): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of table.columnNames) {
    const column = table.column(name);
    if (column.type === 'category') out[name] = Array.from(column.codes, (c) => (c < 0 ? null : column.dictionary[c]));
    else out[name] = Array.from(column.values as ArrayLike<number>, (v) => (Object.is(v, -0) ? '-0' : v));
  }
  return out;
}

async function storedHash(path: string): Promise<string> {
  return withDuckDB(async (connection) => {
    const reader = await connection.runAndReadAll(
      `SELECT CAST(value AS VARCHAR) FROM parquet_kv_metadata(${sqlString(path)}) WHERE CAST(key AS VARCHAR) = 'mlsd.content-hash'`,
    );
    return String(reader.getColumnsJS()[0]![0]);
  });
}

async function parquetSchema(path: string): Promise<unknown[]> {
  return withDuckDB(async (connection) => (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRowsJS());
}

describe('ingestToFile', () => {
  it('writes the same Parquet table, rejects and counts as ingest + writeTable on a CSV with bad, malformed and repeated rows', async () => {
    const input = join(folder, 'broken.csv');
    await writeFile(input, BROKEN_CSV);
    await expectSamePaths(input, { schema: TRANSACTION_SCHEMA }, 'broken');
    const fast = await ingestToFile(input, join(folder, 'broken-check.parquet'), { schema: TRANSACTION_SCHEMA });
    // Known values, so that two equally wrong paths cannot pass.
    expect(fast.acceptedRows).toBe(4);
    expect(fast.rejects.filter((r) => r.reason.startsWith('is a duplicate')).map((r) => [r.line, r.rawValue, r.reason])).toEqual([
      [10, '1', 'is a duplicate TRANSACTION_ID (first on line 3)'],
      [15, '1', 'is a duplicate TRANSACTION_ID (first on line 3)'],
      [16, '11', 'is a duplicate TRANSACTION_ID (first on line 14)'],
    ]);
    expect(fast.rejects.map((r) => r.line)).toEqual([4, 5, 6, 7, 9, 10, 11, 13, 13, 15, 16]);
  });

  it('agrees with the typed path on a JSON-lines file with unique categories, optional columns and two unique columns', async () => {
    const schema: Schema = defineSchema('events', [
      { name: 'id', type: 'integer', role: 'id', unique: true },
      { name: 'code', type: 'category', role: 'entity-key', unique: true },
      { name: 'at', type: 'timestamp', role: 'event-time', required: false },
      { name: 'y', type: 'label', role: 'label', required: false },
      { name: 'kind', type: 'category', role: 'feature', required: false },
    ]);
    const input = join(folder, 'events.jsonl');
    const lines = [
      '{"id":1,"code":"a","at":"2020-01-01 00:00:00","y":1,"kind":"x"}',
      '{"id":2,"code":" b ","kind":""}', // optional values missing
      '{"id":3,"code":"a","y":"0"}', // repeats code a (first on line 1)
      '{"id":2,"code":"c"}', // repeats id 2
      '{"id":4,"code":"c","at":"2020-01-01"}', // date alone: bad, so code c is not taken
      'not json',
      '{"id":5,"code":"c","y":"true","kind":"z"}', // c first here: line 4 was set aside for its id first
      '{"id":6,"code":"b"}', // repeats code b (trimmed)
    ];
    await writeFile(input, lines.join('\n'));
    await expectSamePaths(input, { schema }, 'events');
    const fast = await ingestToFile(input, join(folder, 'events-check.parquet'), { schema });
    expect(fast.rejects.filter((r) => r.reason.startsWith('is a duplicate')).map((r) => [r.line, r.column, r.rawValue])).toEqual([
      [3, 'code', 'a'],
      [4, 'id', '2'],
      [8, 'code', 'b'],
    ]);
  });

  it('agrees with the typed path on a clean simulated file, and keeps file order', async () => {
    const table = simulateTransactions({ customers: 60, terminals: 120, days: 12, seed: 7 });
    const input = join(folder, 'clean.csv');
    await writeTable(table, input);
    await expectSamePaths(input, { schema: TRANSACTION_SCHEMA }, 'clean');
    const back = await ingest(join(folder, 'clean-fast.parquet'), { schema: TRANSACTION_SCHEMA });
    expect(Array.from(back.table.numeric('TRANSACTION_ID'))).toEqual(Array.from(table.numeric('TRANSACTION_ID')));
  });

  it('agrees with the typed path when the only bad rows are repeated ids (ingest reads such a file in one pass)', async () => {
    const input = join(folder, 'repeats.csv');
    const rows = [
      HEADER,
      '5,2018-04-01 00:00:31,1,2,1.5,0,0',
      '6,2018-04-01 00:00:32,1,2,2.5,1,',
      '',
      '5,2018-04-01 00:00:33,3,4,3.5,0,1',
      '7,2018-04-01 00:00:34,3,4,4.5,0,1',
    ];
    await writeFile(input, rows.join('\n'));
    await expectSamePaths(input, { schema: TRANSACTION_SCHEMA }, 'repeats');
    const typed = await ingest(input, { schema: TRANSACTION_SCHEMA });
    expect(typed.rejects.map((r) => [r.line, r.column, r.rawValue, r.reason])).toEqual([
      [5, 'TRANSACTION_ID', '5', 'is a duplicate TRANSACTION_ID (first on line 2)'],
    ]);
    expect(Array.from(typed.table.numeric('TRANSACTION_ID'))).toEqual([5, 6, 7]);
  });

  it('finds repeats among ids spread wider than its bitmap check covers (counted distinct instead)', async () => {
    const input = join(folder, 'wide-ids.csv');
    const rows = [
      HEADER,
      '-3,2018-04-01 00:00:31,1,2,1.5,0,0',
      '1099511627776,2018-04-01 00:00:32,1,2,2.5,1,0',
      '1099511627776,2018-04-01 00:00:33,3,4,3.5,0,1',
    ];
    await writeFile(input, rows.join('\n'));
    await expectSamePaths(input, { schema: TRANSACTION_SCHEMA }, 'wide-ids');
    const fast = await ingestToFile(input, join(folder, 'wide-ids-check.parquet'), { schema: TRANSACTION_SCHEMA });
    expect(fast.rejects.map((r) => [r.line, r.rawValue])).toEqual([[4, '1099511627776']]);
  });

  it('agrees with the typed path on a Parquet input (verified) with repeated rows and amounts above the maximum', async () => {
    const table = simulateTransactions({ customers: 30, terminals: 60, days: 5, seed: 11 });
    // Rows 3 and 7 again at the end (repeated ids), and one amount above the schema's maximum.
    const rows = Int32Array.from([...Array.from({ length: table.rowCount }, (_, i) => i), 3, 7]);
    const repeated = table.take(rows);
    const amounts = Float64Array.from(repeated.numeric('TX_AMOUNT'));
    amounts[5] = 2e9;
    const input = join(folder, 'repeated.parquet');
    await writeTable(repeated.withColumn('TX_AMOUNT', { type: 'float', values: amounts }), input);
    await expectSamePaths(input, { schema: TRANSACTION_SCHEMA }, 'parquet-input');
    const fast = await ingestToFile(input, join(folder, 'parquet-input-check.parquet'), { schema: TRANSACTION_SCHEMA });
    expect(fast.rejects.map((r) => [r.line, r.column])).toEqual([
      [6, 'TX_AMOUNT'],
      [table.rowCount + 1, 'TRANSACTION_ID'],
      [table.rowCount + 2, 'TRANSACTION_ID'],
    ]);
  });

  it('writes nothing to out past maxRejectRatio, but the rejects file; other formats go through writeTable', async () => {
    const input = join(folder, 'limit.csv');
    await writeFile(input, BROKEN_CSV);
    const out = join(folder, 'limit.parquet');
    const rejectsPath = join(folder, 'limit-rejects.csv');
    const error = await ingestToFile(input, out, { schema: TRANSACTION_SCHEMA, maxRejectRatio: 0.5, rejectsPath }).catch((e: unknown) => e);
    expect(isMlsdError(error, 'REJECT_LIMIT')).toBe(true);
    expect((error as MlsdError).message).toContain('10 of 14 rows rejected');
    await expect(stat(out)).rejects.toThrow();
    expect((await readFile(rejectsPath, 'utf8')).split('\n')[1]).toMatch(/^4,CUSTOMER_ID/);

    const csvOut = join(folder, 'limit-out.csv');
    const viaTable = await ingestToFile(input, csvOut, { schema: TRANSACTION_SCHEMA });
    expect(viaTable.acceptedRows).toBe(4);
    expect((await readFile(csvOut, 'utf8')).split('\n')[0]).toBe(HEADER);

    const unwritable = await ingestToFile(input, join(folder, 'no-such-folder', 'x.parquet'), { schema: TRANSACTION_SCHEMA }).catch((e: unknown) => e);
    expect(isMlsdError(unwritable, 'IO_ERROR')).toBe(true);
    expect((unwritable as MlsdError).message).toContain('no-such-folder');
  });
});
