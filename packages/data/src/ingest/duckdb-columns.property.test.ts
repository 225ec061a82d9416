import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendDoubleColumns, readDoubleColumns, registerDoubleColumnsScan, withDuckDB } from '@mlsd/data/duckdb';

/** Edge doubles: zeros of both signs, the extremes, the smallest subnormal, infinities, NaN, 2^53 ± 1. */
const EDGES = [0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity, Number.NaN, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2];
const value = fc.oneof(fc.double(), fc.constantFrom(...EDGES));

/** Columns of equal length, as subarrays at a random offset of a larger buffer (as a table's slices are). */
const columnsArbitrary = fc
  .record({
    width: fc.integer({ min: 1, max: 4 }),
    rows: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 2040, max: 4200 })),
    offset: fc.integer({ min: 0, max: 5 }),
  })
  .chain(({ width, rows, offset }) =>
    fc
      .array(fc.array(value, { minLength: rows + offset, maxLength: rows + offset }), { minLength: width, maxLength: width })
      .map((lists) => lists.map((list) => Float64Array.from(list).subarray(offset))),
  );

/** Bit-exact: NaN equals NaN, -0 differs from 0. */
function sameBits(actual: Float64Array, expected: Float64Array): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) return false;
  return true;
}

describe('appendDoubleColumns + readDoubleColumns', () => {
  it('round-trip any typed columns bit for bit (NaN, ±0, ±Infinity, subnormals, chunk boundaries, offsets)', async () => {
    await fc.assert(
      fc.asyncProperty(columnsArbitrary, fc.integer({ min: 1, max: 3 }), async (columns, appends) => {
        const read = await withDuckDB(async (connection) => {
          await connection.run(`CREATE TABLE t (${columns.map((_, k) => `c${k} DOUBLE`).join(', ')}, i BIGINT DEFAULT 0)`);
          // Several appends to one table on one connection: each scan function gets its own name.
          for (let a = 0; a < appends; a++) await appendDoubleColumns(connection, 't(' + columns.map((_, k) => `c${k}`).join(', ') + ')', columns);
          return readDoubleColumns(connection, `SELECT ${columns.map((_, k) => `c${k}`).join(', ')} FROM t`, 0);
        });
        const rows = columns[0]!.length;
        for (let k = 0; k < columns.length; k++) {
          expect(read[k]!.length).toBe(rows * appends);
          for (let a = 0; a < appends; a++) expect(sameBits(read[k]!.subarray(a * rows, (a + 1) * rows), columns[k]!)).toBe(true);
        }
      }),
      { numRuns: 40, seed: 16 },
    );
  });

  it('serves a query that reads the scan twice at once, each read whole', async () => {
    await fc.assert(
      fc.asyncProperty(columnsArbitrary, async (columns) => {
        const rows = columns[0]!.length;
        const index = Float64Array.from({ length: rows }, (_, i) => i);
        const [counts] = await withDuckDB(async (connection) => {
          const scan = await registerDoubleColumnsScan(connection, [index, ...columns]);
          // Both branches of the union run at once, on DuckDB's two threads: a cursor shared between them loses rows.
          return readDoubleColumns(
            connection,
            `SELECT CAST(count(*) AS DOUBLE) FROM (SELECT c0 FROM ${scan}() UNION ALL SELECT c0 FROM ${scan}()) GROUP BY c0 HAVING count(*) = 2`,
            rows,
          );
        });
        expect(counts!.length).toBe(rows);
      }),
      { numRuns: 20, seed: 16 },
    );
  });

  it('keeps row order while two DuckDB threads read the scan, and a filter after it sees the right rows', async () => {
    const rows = 300_007;
    const a = Float64Array.from({ length: rows }, (_, i) => i);
    const b = Float64Array.from({ length: rows }, (_, i) => Math.sin(i) * 1e6);
    const [read, filtered] = await withDuckDB(async (connection) => {
      await connection.run('SET threads = 2');
      const scan = await registerDoubleColumnsScan(connection, [a, b]);
      const all = await readDoubleColumns(connection, `SELECT c0, c1 FROM ${scan}()`, rows);
      // Rows whose index is a multiple of 7: DuckDB hands the filter's survivors on, never a gap to the scan.
      const some = await readDoubleColumns(connection, `SELECT c0, c1 FROM ${scan}() WHERE c0 % 7 = 0`, rows);
      return [all, some];
    });
    expect(sameBits(read![0]!, a)).toBe(true);
    expect(sameBits(read![1]!, b)).toBe(true);
    const sevens = Float64Array.from({ length: Math.ceil(rows / 7) }, (_, i) => i * 7);
    expect(sameBits(filtered![0]!, sevens)).toBe(true);
    expect(
      sameBits(
        filtered![1]!,
        sevens.map((i) => b[i]!),
      ),
    ).toBe(true);
  });

  it('reads NULL as NaN', async () => {
    const [column] = await withDuckDB((connection) =>
      readDoubleColumns(connection, 'SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END::DOUBLE FROM range(5000) r(i)', 10),
    );
    expect(column!.length).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(Object.is(column![i], i % 3 === 0 ? Number.NaN : i)).toBe(true);
  });

  it('refuses columns of different lengths, naming both', async () => {
    await expect(
      withDuckDB(async (connection) => {
        await connection.run('CREATE TABLE t (a DOUBLE, b DOUBLE)');
        await appendDoubleColumns(connection, 't', [new Float64Array(3), new Float64Array(2)]);
      }),
    ).rejects.toThrow(/2 and 3 rows/);
  });
});
