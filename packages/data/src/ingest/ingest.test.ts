import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSchema, ingest, isMlsdError, type MlsdError, simulateTransactions, TRANSACTION_SCHEMA, writeTable } from '@mlsd/data';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mlsd-ingest-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const HEADER = 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD,TX_FRAUD_SCENARIO';
/** Line numbers of the file are in the comments: the header is line 1. */
const BROKEN_CSV = [
  HEADER, // 1
  '0,2018-04-01 00:00:31,596,3156,57.16,0,0', // 2 ok
  '1,2018-04-01T00:02:10,4961,3412,81.51,0,0', // 3 ok, ISO "T" form
  '2,2018-04-01 00:07:56,abc,1365,146.00,0,0', // 4 CUSTOMER_ID not an integer
  '3,2018-04-01 00:09:29,4128,8737,-64.49,0,0', // 5 negative amount
  '4,2018-04-01 00:10:34,927,9906,50.99,2,0', // 6 label 2
  '5,not a date,568,8803,40.00,0,0', // 7 bad timestamp
  '6,2018-04-01 00:11:00,1,2,,0,0', // 8 missing amount
  '', // 9 blank: skipped, not a row
  '7,2018-04-01 00:12:00,1,2,3.5,0', // 10 one field short
  '1,2018-04-01 00:13:00,1,2,3.5,0,0', // 11 duplicate id 1 (first on line 3)
  '8,2018-04-01 00:14:00,1,2,3.5,1,0,extra', // 12 one field too many
  '9,2018-04-01 00:15:00,1,2,12.5,1,', // 13 ok, optional scenario empty
  '10,2018-04-01 00:16:00,1.5,2,x,0,0', // 14 two bad values
  '"11",2018-04-01 00:17:00,3,4,"1,5",0,0', // 15 quoted "1,5" is not a number
  '12,2018-04-01 00:18:00,5,6,7.25,true,1', // 16 ok, label true
].join('\n');

const NOT_INTEGER = 'is not an integer (whole number within ±2^53)';
const NOT_NUMBER = 'is not a finite number';

describe('ingest: a CSV with broken rows', () => {
  it('accepts the valid rows and rejects every bad value with its line, column, raw value and reason', async () => {
    const path = join(folder, 'broken.csv');
    await writeFile(path, BROKEN_CSV);
    const result = await ingest(path, { schema: TRANSACTION_SCHEMA });

    expect(result.acceptedRows).toBe(4);
    expect(result.rejectedRows).toBe(10);
    expect(Array.from(result.table.numeric('TRANSACTION_ID'))).toEqual([0, 1, 9, 12]);
    expect(Array.from(result.table.numeric('TX_DATETIME'))).toEqual([
      Date.UTC(2018, 3, 1, 0, 0, 31),
      Date.UTC(2018, 3, 1, 0, 2, 10),
      Date.UTC(2018, 3, 1, 0, 15, 0),
      Date.UTC(2018, 3, 1, 0, 18, 0),
    ]);
    expect(Array.from(result.table.numeric('TX_AMOUNT'))).toEqual([57.16, 81.51, 12.5, 7.25]);
    expect(Array.from(result.table.labels('TX_FRAUD'))).toEqual([0, 0, 1, 1]);
    expect(Array.from(result.table.numeric('TX_FRAUD_SCENARIO'))).toEqual([0, 0, Number.NaN, 1]);
    expect(result.table.columnNames).toEqual(TRANSACTION_SCHEMA.columns.map((c) => c.name));

    const rejects = result.rejects.map((r) => [r.line, r.column, r.rawValue, r.reason.startsWith('malformed line') ? 'malformed' : r.reason]);
    expect(rejects).toEqual([
      [4, 'CUSTOMER_ID', 'abc', NOT_INTEGER],
      [5, 'TX_AMOUNT', '-64.49', 'is below the minimum 0'],
      [6, 'TX_FRAUD', '2', 'is not a label (expected 0 or 1)'],
      [7, 'TX_DATETIME', 'not a date', 'is not a timestamp (expected YYYY-MM-DD HH:MM:SS or YYYY-MM-DDTHH:MM:SS)'],
      [8, 'TX_AMOUNT', '', 'is missing (required column)'],
      [10, 'TX_FRAUD_SCENARIO', '7,2018-04-01 00:12:00,1,2,3.5,0', 'malformed'],
      [11, 'TRANSACTION_ID', '1', 'is a duplicate TRANSACTION_ID (first on line 3)'],
      [12, '', '8,2018-04-01 00:14:00,1,2,3.5,1,0,extra', 'malformed'],
      [14, 'CUSTOMER_ID', '1.5', NOT_INTEGER],
      [14, 'TX_AMOUNT', 'x', NOT_NUMBER],
      [15, 'TX_AMOUNT', '1,5', NOT_NUMBER],
    ]);
    expect(result.rejects[5]!.reason).toMatch(/malformed line: .*Expected Number of Columns: 7 Found: 6/);
    expect(result.rejects[7]!.reason).toMatch(/Expected Number of Columns: 7 Found: 8/);
  });

  it('writes the rejects as CSV and as JSON lines', async () => {
    const path = join(folder, 'broken-for-file.csv');
    await writeFile(path, BROKEN_CSV);
    const csvPath = join(folder, 'rejects.csv');
    const jsonPath = join(folder, 'rejects.jsonl');
    const result = await ingest(path, { schema: TRANSACTION_SCHEMA, rejectsPath: csvPath });
    await ingest(path, { schema: TRANSACTION_SCHEMA, rejectsPath: jsonPath });

    const csvLines = (await readFile(csvPath, 'utf8')).trimEnd().split('\n');
    expect(csvLines[0]).toBe('line,column,rawValue,reason');
    expect(csvLines).toHaveLength(result.rejects.length + 1);
    expect(csvLines[1]).toBe(`4,CUSTOMER_ID,abc,${NOT_INTEGER}`);
    expect(csvLines[11]).toBe(`15,TX_AMOUNT,"1,5",${NOT_NUMBER}`);
    const jsonLines = (await readFile(jsonPath, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(jsonLines).toEqual(result.rejects);
  });

  it("fails at the first bad row with onInvalidRow: 'fail'", async () => {
    const path = join(folder, 'broken-fail.csv');
    await writeFile(path, BROKEN_CSV);
    const error = await ingest(path, { schema: TRANSACTION_SCHEMA, onInvalidRow: 'fail' }).catch((e: unknown) => e);
    expect(isMlsdError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as MlsdError).message).toContain('line 4, column CUSTOMER_ID: "abc" is not an integer');
    expect((error as MlsdError).location).toMatchObject({ file: path, line: 4, column: 'CUSTOMER_ID' });
  });

  it('throws REJECT_LIMIT past maxRejectRatio, after writing the rejects', async () => {
    const path = join(folder, 'broken-limit.csv');
    await writeFile(path, BROKEN_CSV);
    const rejectsPath = join(folder, 'limit-rejects.csv');
    const error = await ingest(path, { schema: TRANSACTION_SCHEMA, maxRejectRatio: 0.5, rejectsPath }).catch((e: unknown) => e);
    expect(isMlsdError(error, 'REJECT_LIMIT')).toBe(true);
    expect((error as MlsdError).message).toContain('10 of 14 rows rejected');
    expect((await readFile(rejectsPath, 'utf8')).split('\n')[1]).toMatch(/^4,CUSTOMER_ID/);
    // 10/14 = 0.714 is within a limit of 0.75.
    const ok = await ingest(path, { schema: TRANSACTION_SCHEMA, maxRejectRatio: 0.75 });
    expect(ok.acceptedRows).toBe(4);
  });
});

describe('ingest: file and schema errors', () => {
  it('names the missing file and the expected schema', async () => {
    const path = join(folder, 'nope.csv');
    const error = await ingest(path, { schema: TRANSACTION_SCHEMA }).catch((e: unknown) => e);
    expect(isMlsdError(error, 'NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('TX_AMOUNT (float, feature, min 0, max 1000000000)');
  });

  it('suggests the closest name for a misspelt column', async () => {
    const path = join(folder, 'misspelt.csv');
    await writeFile(path, `${HEADER.replace('TX_AMOUNT', 'TX_AMMOUNT')}\n0,2018-04-01 00:00:31,1,2,3.5,0,0\n`);
    const error = await ingest(path, { schema: TRANSACTION_SCHEMA }).catch((e: unknown) => e);
    expect(isMlsdError(error, 'SCHEMA_MISMATCH')).toBe(true);
    expect((error as Error).message).toContain('lacks the required column "TX_AMOUNT" (did you mean "TX_AMMOUNT"?)');
    expect((error as Error).message).toContain('Expected schema "transactions"');
    expect((error as MlsdError).location).toMatchObject({ file: path, column: 'TX_AMOUNT' });
  });

  it('tolerates a missing optional column', async () => {
    const path = join(folder, 'no-scenario.csv');
    await writeFile(path, 'TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD\n0,2018-04-01 00:00:31,1,2,3.5,0\n');
    const result = await ingest(path, { schema: TRANSACTION_SCHEMA });
    expect(result.table.has('TX_FRAUD_SCENARIO')).toBe(false);
    expect(result.acceptedRows).toBe(1);
  });

  it('refuses an empty file and a header without rows', async () => {
    const empty = join(folder, 'empty.csv');
    await writeFile(empty, '');
    await expect(ingest(empty, { schema: TRANSACTION_SCHEMA })).rejects.toThrow(/is empty \(0 bytes\)\. Expected a header/);
    const headerOnly = join(folder, 'header-only.csv');
    await writeFile(headerOnly, `${HEADER}\n`);
    await expect(ingest(headerOnly, { schema: TRANSACTION_SCHEMA })).rejects.toThrow(/has no data rows/);
  });

  it('rejects unknown options and extensions, naming the valid ones', async () => {
    await expect(ingest('x.csv', { schema: TRANSACTION_SCHEMA, onInvalid: 'fail' } as never)).rejects.toThrow(
      /Unknown ingest option "onInvalid"; valid options are schema, onInvalidRow, maxRejectRatio, rejectsPath/,
    );
    await expect(ingest('x.xlsx', { schema: TRANSACTION_SCHEMA })).rejects.toThrow(/use one of \.csv/);
  });
});

describe('ingest: timestamps', () => {
  it('reads both Handbook forms, fractions and zone offsets as the right UTC instant, and refuses a date alone', async () => {
    const schema = defineSchema('times', [{ name: 'at', type: 'timestamp', role: 'event-time' }]);
    const path = join(folder, 'times.csv');
    await writeFile(
      path,
      'at\n2018-04-01 00:00:31\n2018-04-01T00:00:31\n2018-04-01 02:00:31+02\n2018-04-01T00:00:31Z\n2018-04-01 00:00:31.250\n 2018-04-01 00:00:31 \n2018-04-01\n2018-02-30 00:00:00\n',
    );
    const result = await ingest(path, { schema });
    const t = Date.UTC(2018, 3, 1, 0, 0, 31);
    expect(Array.from(result.table.numeric('at'))).toEqual([t, t, t, t, t + 250, t]);
    expect(result.rejects.map((r) => [r.line, r.rawValue])).toEqual([
      [8, '2018-04-01'],
      [9, '2018-02-30 00:00:00'],
    ]);
  });
});

describe('ingest: JSON lines and categories', () => {
  it('rejects a line that is not JSON and keeps line numbers across blank lines', async () => {
    const schema = defineSchema('events', [
      { name: 'id', type: 'integer', role: 'id', unique: true },
      { name: 'kind', type: 'category', role: 'feature' },
      { name: 'score', type: 'float', role: 'feature', required: false },
    ]);
    const path = join(folder, 'events.jsonl');
    await writeFile(
      path,
      ['{"id":1,"kind":"a","score":0.5}', '', '{bad', '{"id":2,"kind":"b"}', '{"id":3,"kind":"a","score":"x"}', '[1,2]', '{"id":4,"kind":""}'].join('\n'),
    );
    const result = await ingest(path, { schema });
    expect(result.acceptedRows).toBe(2);
    const kind = result.table.column('kind');
    expect(kind.type === 'category' && Array.from(kind.codes, (c) => kind.dictionary[c])).toEqual(['a', 'b']);
    expect(Array.from(result.table.numeric('score'))).toEqual([0.5, Number.NaN]);
    expect(result.rejects.map((r) => [r.line, r.column, r.rawValue, r.reason])).toEqual([
      [3, '', '{bad', 'is not a JSON object'],
      [5, 'score', 'x', NOT_NUMBER],
      [6, '', '[1,2]', 'is not a JSON object'],
      [7, 'kind', '', 'is missing (required column)'],
    ]);
  });
});

describe('ingest: value bounds', () => {
  it('rejects amounts above the schema maximum and timestamps after maxEventTime or outside the Date range, naming line, column and bound', async () => {
    const path = join(folder, 'bounds.csv');
    await writeFile(
      path,
      [
        HEADER,
        '0,2018-04-01 00:00:31,1,2,57.16,0,0', // 2 ok
        '1,9999-12-31 23:59:59,1,2,10.00,0,0', // 3 far in the future
        '2,2018-04-01 00:01:00,1,2,1e308,0,0', // 4 amount above the maximum
        '3,290000-01-01 00:00:00,1,2,10.00,0,0', // 5 beyond the JavaScript date range (DuckDB reads it)
        '4,2018-04-01 00:02:00,1,2,1000000000,0,0', // 6 ok: the maximum is inclusive
      ].join('\n'),
    );
    const result = await ingest(path, { schema: TRANSACTION_SCHEMA, maxEventTime: Date.UTC(2019, 0, 1) });
    expect(Array.from(result.table.numeric('TRANSACTION_ID'))).toEqual([0, 4]);
    expect(result.rejects.map((r) => [r.line, r.column, r.reason])).toEqual([
      [3, 'TX_DATETIME', 'is after the latest accepted event time 2019-01-01T00:00:00.000Z (maxEventTime: the clock plus one day by default)'],
      [4, 'TX_AMOUNT', 'is above the maximum 1000000000'],
      [5, 'TX_DATETIME', 'is outside the JavaScript date range (±8640000000000000 epoch ms)'],
    ]);
    // The default bound is the clock plus one day: 9999-12-31 is refused without any option.
    const byDefault = await ingest(path, { schema: TRANSACTION_SCHEMA });
    expect(byDefault.rejects.map((r) => r.line)).toEqual([3, 4, 5]);
  });
});

describe('ingest: Parquet files are verified', () => {
  it('never returns changed values from a file with one flipped byte: each flip is refused as corrupt or changes nothing (issue 13)', async () => {
    const table = simulateTransactions({ seed: 3, customers: 20, terminals: 50, days: 3 });
    const path = join(folder, 'verified.parquet');
    await writeTable(table, path);
    const good = await ingest(path, { schema: TRANSACTION_SCHEMA });
    const bytes = await readFile(path);
    const flipped = join(folder, 'flipped.parquet');
    const outcomes = { corrupt: 0, unreadable: 0, unchanged: 0 };
    // Every 40th byte from the first page to the footer: data pages, page headers, statistics, the footer.
    for (let pos = 4; pos < bytes.length - 8; pos += Math.ceil(bytes.length / 40)) {
      const copy = Buffer.from(bytes);
      copy[pos]! ^= 0x01;
      await writeFile(flipped, copy);
      try {
        const read = await ingest(flipped, { schema: TRANSACTION_SCHEMA });
        for (const name of ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT']) {
          expect(Array.from(read.table.numeric(name)), `byte ${pos}, column ${name}`).toEqual(Array.from(good.table.numeric(name)));
        }
        outcomes.unchanged++;
      } catch (error) {
        expect(isMlsdError(error)).toBe(true);
        if (isMlsdError(error, 'CORRUPT_ARTIFACT')) {
          expect((error as Error).message).toMatch(/^Parquet file ".*flipped\.parquet" is corrupt: /);
          outcomes.corrupt++;
        } else {
          // A footer flip: undecodable, or a column name changed (SCHEMA_MISMATCH naming the columns): the file is named.
          expect((error as Error).message).toMatch(/flipped\.parquet"/);
          outcomes.unreadable++;
        }
      }
    }
    // Flips inside data pages decode to other values: those must be caught by the content hash.
    expect(outcomes.corrupt).toBeGreaterThan(0);
  });
});
