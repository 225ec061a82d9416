import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbApi, duckdbBindings } from './duckdb-module.js';

/** Rows per DuckDB data chunk (its standard vector size). */
export const CHUNK_ROWS = 2048;

/**
 * Runs `sql`, whose columns must all be DOUBLE, and returns each column as one Float64Array, copied chunk by chunk
 * from DuckDB's own column buffers (one `Float64Array.set` per column and chunk, no per-value JavaScript). A NULL
 * becomes NaN; write `coalesce(x, 'NaN'::DOUBLE)` in the query to spare the validity scan. `expectedRows` sizes the
 * arrays (an upper bound is fine: the result is trimmed to the rows read).
 */
export async function readDoubleColumns(connection: DuckDBConnection, sql: string, expectedRows: number): Promise<Float64Array[]> {
  const bindings = duckdbBindings();
  // Streamed, not materialised: DuckDB's threads fill a small buffer while the chunks are copied here, so the
  // result is never held twice (a materialised copy of the Handbook columns cost ~30k page faults, ~0.25 s CPU).
  const result = await connection.stream(sql);
  const width = result.columnCount;
  let capacity = Math.max(expectedRows, 0);
  let columns: Float64Array[] = Array.from({ length: width }, () => new Float64Array(capacity));
  let offset = 0;
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const size = chunk.rowCount;
    if (offset + size > capacity) {
      capacity = Math.max(offset + size, capacity * 2);
      columns = columns.map((column) => grow(column, capacity));
    }
    for (let k = 0; k < width; k++) {
      const vector = bindings.data_chunk_get_vector(chunk.chunk, k);
      const bytes = bindings.vector_get_data(vector, size * 8);
      const out = columns[k]!;
      out.set(new Float64Array(bytes.buffer, bytes.byteOffset, size), offset);
      const validity = bindings.vector_get_validity(vector, Math.ceil(size / 64) * 8);
      if (validity) markNulls(validity, size, out, offset);
    }
    offset += size;
  }
  return offset === capacity ? columns : columns.map((column) => column.subarray(0, offset));
}

/** Scan threads of an `anyOrder` scan: more than DuckDB runs, so its own thread setting decides. */
const ANY_ORDER_THREADS = 1024;

/** Distinct names for the scan functions registered by {@link registerDoubleColumnsScan} (one connection may register many). */
let scanCount = 0;

/**
 * Registers on `connection` a table function that reads one Float64Array per column (equal lengths) as DOUBLE
 * columns `c0, c1, …`, in row order, and returns its name: `SELECT … FROM <name>()`. Each 2,048-row chunk is filled
 * with one memory copy per column (no value passes through JavaScript one by one); every read of it scans the
 * arrays from the start, on one thread, so the rows keep their order (a query may read it more than once). NaN stays NaN (use
 * `nullif(x, 'NaN'::DOUBLE)` to turn it into NULL). The arrays must not change while a query runs.
 *
 * `options.anyOrder`: every DuckDB thread takes chunks, so rows arrive in no fixed order; for queries whose answer
 * does not depend on row order (counts, sums, `bit_xor` of hashes), which then run on all cores.
 */
export async function registerDoubleColumnsScan(
  connection: DuckDBConnection,
  columns: readonly Float64Array[],
  options: { readonly anyOrder?: boolean } = {},
): Promise<string> {
  const bindings = duckdbBindings();
  const { DOUBLE, DuckDBTableFunction } = duckdbApi();
  const rows = columns[0]?.length ?? 0;
  for (const column of columns) {
    if (column.length !== rows)
      throw new RangeError(`registerDoubleColumnsScan: columns differ in length (${column.length} and ${rows} rows); pass equal-length columns.`);
  }
  const name = `mlsd_double_columns_${++scanCount}`;
  const scan = DuckDBTableFunction.create({
    name,
    bindFunction: (bind) => {
      for (let k = 0; k < columns.length; k++) bind.addResultColumn(`c${k}`, DOUBLE);
      bind.setCardinality(rows, true);
    },
    initFunction: (init) => {
      // Each scan keeps its own cursor, so one query may read the function twice (a self-join, a CTE used twice).
      init.setInitData({ next: 0 });
      // The cursor is safe to share: DuckDB's threads call the JavaScript scan one at a time, on its one thread.
      init.setMaxThreads(options.anyOrder === true ? ANY_ORDER_THREADS : 1);
    },
    mainFunction: (info, output) => {
      const cursor = info.getInitData() as { next: number };
      const start = cursor.next;
      const size = Math.min(CHUNK_ROWS, rows - start);
      output.rowCount = size;
      for (let k = 0; k < columns.length && size > 0; k++) {
        const column = columns[k]!;
        bindings.copy_data_to_vector(bindings.data_chunk_get_vector(output.chunk, k), 0, column.buffer as ArrayBuffer, column.byteOffset + start * 8, size * 8);
      }
      cursor.next = start + size;
    },
  });
  connection.registerTableFunction(scan);
  return name;
}

/**
 * Appends rows to the DuckDB table `table`, whose columns must all be DOUBLE, from one Float64Array per column
 * (equal lengths), through {@link registerDoubleColumnsScan} and one `INSERT … SELECT`: about half the CPU of
 * DuckDB's appender, which re-appends every chunk row group by row group. A query that reads the rows once is
 * cheaper still straight from the scan (materialising a table costs DuckDB more than the scan itself).
 */
export async function appendDoubleColumns(connection: DuckDBConnection, table: string, columns: readonly Float64Array[]): Promise<void> {
  const name = await registerDoubleColumnsScan(connection, columns);
  await connection.run(`INSERT INTO ${table} SELECT * FROM ${name}()`);
}

function grow(column: Float64Array, capacity: number): Float64Array {
  const out = new Float64Array(capacity);
  out.set(column);
  return out;
}

/** Sets NaN where DuckDB's validity mask (64-bit little-endian words, bit set = valid) marks a NULL. */
function markNulls(validity: Uint8Array, size: number, out: Float64Array, offset: number): void {
  for (let byte = 0; byte * 8 < size; byte++) {
    const bits = validity[byte]!;
    if (bits === 0xff) continue;
    for (let bit = 0; bit < 8 && byte * 8 + bit < size; bit++) if ((bits & (1 << bit)) === 0) out[offset + byte * 8 + bit] = Number.NaN;
  }
}
