import type { DuckDBConnection } from '@duckdb/node-api';
import type DuckDBBindings from '@duckdb/node-bindings';
import { duckdbApi, duckdbBindings } from './duckdb-module.js';

/** How far DuckDB may run ahead of {@link readDoubleColumns}' copying (its `streaming_buffer_size`). */
const STREAM_BUFFER = '256MB';

/** Rows per DuckDB data chunk (its standard vector size). */
export const CHUNK_ROWS = 2048;

/**
 * Runs `sql`, whose columns must all be DOUBLE, and returns each column as one Float64Array, copied chunk by chunk
 * from DuckDB's own column buffers (one `Float64Array.set` per column and chunk, no per-value JavaScript). A NULL
 * becomes NaN; write `coalesce(x, 'NaN'::DOUBLE)` in the query to spare the validity scan. `expectedRows` sizes the
 * arrays (an upper bound is fine: the result is trimmed to the rows read). Leaves the connection's
 * `streaming_buffer_size` at 256 MiB (see below).
 */
export async function readDoubleColumns(connection: DuckDBConnection, sql: string, expectedRows: number): Promise<Float64Array[]> {
  const bindings = duckdbBindings();
  // Streamed, not materialised, so a large result is never held twice (a materialised copy of the Handbook columns
  // cost ~30k page faults, ~0.25 s CPU). DuckDB's threads run ahead of this loop only while its buffer has room: at
  // the default 976 KiB the query ran on one thread (Handbook ingest 0.89-1.03 s), at 256 MiB on all (0.48 s).
  await connection.run(`SET streaming_buffer_size = '${STREAM_BUFFER}'`);
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

/** Distinct names for the scans registered by {@link registerDoubleColumnsScan} (one connection may register many). */
let scanCount = 0;

/**
 * Registers on `connection` a table macro that reads one Float64Array per column (equal lengths) as DOUBLE columns
 * `c0, c1, …`, in row order, and returns its name: `SELECT … FROM <name>()`. Each 2,048-row chunk is filled with one
 * memory copy per column (no value passes through JavaScript one by one), and every DuckDB thread takes chunks while
 * the rows keep their order: the macro reads a table of row numbers (which DuckDB scans in parallel and in order)
 * through a scalar function that returns a chunk's rows of every column at once. A COPY to Parquet from it runs on
 * every core (the Handbook features: 0.85 → 0.50 s wall); a scan function written in JavaScript runs on one. NaN stays
 * NaN (use `nullif(x, 'NaN'::DOUBLE)` to turn it into NULL). The arrays must not change while a query runs.
 */
export async function registerDoubleColumnsScan(connection: DuckDBConnection, columns: readonly Float64Array[]): Promise<string> {
  const bindings = duckdbBindings();
  const { BIGINT, DOUBLE, STRUCT, DuckDBScalarFunction } = duckdbApi();
  const rows = columns[0]?.length ?? 0;
  for (const column of columns) {
    if (column.length !== rows)
      throw new RangeError(`registerDoubleColumnsScan: columns differ in length (${column.length} and ${rows} rows); pass equal-length columns.`);
  }
  const name = `mlsd_double_columns_${++scanCount}`;
  const fields = columns.map((_, k) => `c${k}`);
  const rowsFunction = DuckDBScalarFunction.create({
    name: `${name}_rows`,
    returnType: STRUCT(Object.fromEntries(fields.map((field) => [field, DOUBLE]))),
    parameterTypes: [BIGINT],
    // Placeholder: the raw function below replaces it, so each call costs no wrapper objects per column.
    mainFunction: () => undefined,
  });
  bindings.scalar_function_set_function(rowsFunction.scalar_function, (info, input, output) => {
    try {
      copyRows(input, output, columns);
    } catch (error) {
      bindings.scalar_function_set_error(info, `${name}: ${(error as Error).message}`);
    }
  });
  connection.registerScalarFunction(rowsFunction);
  await connection.run(`CREATE TEMP TABLE ${name}_index AS SELECT range AS i FROM range(${rows})`);
  await connection.run(
    `CREATE TEMP MACRO ${name}() AS TABLE SELECT ${fields.map((field) => `r.${field} AS ${field}`).join(', ')} FROM (SELECT ${name}_rows(i) AS r FROM ${name}_index)`,
  );
  return name;
}

/** Fills the struct vector `output` with the rows of `columns` whose numbers are in `input`'s one BIGINT vector. */
function copyRows(input: DuckDBBindings.DataChunk, output: DuckDBBindings.Vector, columns: readonly Float64Array[]): void {
  const bindings = duckdbBindings();
  const size = bindings.data_chunk_get_size(input);
  if (size === 0) return;
  const raw = bindings.vector_get_data(bindings.data_chunk_get_vector(input, 0), size * 8);
  const rowNumbers = new BigInt64Array(raw.buffer, raw.byteOffset, size);
  const first = Number(rowNumbers[0]);
  // A table scan hands over consecutive row numbers: one copy per column. Anything else is gathered row by row.
  const consecutive = Number(rowNumbers[size - 1]) - first === size - 1;
  for (let k = 0; k < columns.length; k++) {
    const column = columns[k]!;
    const child = bindings.struct_vector_get_child(output, k);
    if (consecutive) {
      bindings.copy_data_to_vector(child, 0, column.buffer as ArrayBuffer, column.byteOffset + first * 8, size * 8);
      continue;
    }
    const bytes = bindings.vector_get_data(child, size * 8);
    const out = new Float64Array(bytes.buffer, bytes.byteOffset, size);
    for (let i = 0; i < size; i++) out[i] = column[Number(rowNumbers[i])]!;
  }
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
