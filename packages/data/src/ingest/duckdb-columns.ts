import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';

/** Rows per DuckDB data chunk (its standard vector size). */
export const CHUNK_ROWS = 2048;

/**
 * Runs `sql`, whose columns must all be DOUBLE, and returns each column as one Float64Array, copied chunk by chunk
 * from DuckDB's own column buffers (one `Float64Array.set` per column and chunk, no per-value JavaScript). A NULL
 * becomes NaN; write `coalesce(x, 'NaN'::DOUBLE)` in the query to spare the validity scan. `expectedRows` sizes the
 * arrays (an upper bound is fine: the result is trimmed to the rows read).
 */
export async function readDoubleColumns(connection: DuckDBConnection, sql: string, expectedRows: number): Promise<Float64Array[]> {
  const bindings = (await import('@duckdb/node-bindings')).default;
  const result = await connection.run(sql);
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

/**
 * Appends rows to the DuckDB table `table`, whose columns must all be DOUBLE, from one Float64Array per column
 * (equal lengths), copying each chunk's worth of values into DuckDB's column buffers with one memory copy. NaN stays NaN (use
 * `nullif(x, 'NaN'::DOUBLE)` when reading to turn it into NULL).
 */
export async function appendDoubleColumns(connection: DuckDBConnection, table: string, columns: readonly Float64Array[]): Promise<void> {
  const bindings = (await import('@duckdb/node-bindings')).default;
  const { DOUBLE, DuckDBDataChunk: Chunk } = await import('@duckdb/node-api');
  const rows = columns[0]?.length ?? 0;
  const appender = await connection.createAppender(table);
  const types = columns.map(() => DOUBLE);
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const size = Math.min(CHUNK_ROWS, rows - start);
    const chunk: DuckDBDataChunk = Chunk.create(types, size);
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k]!;
      bindings.copy_data_to_vector(bindings.data_chunk_get_vector(chunk.chunk, k), 0, column.buffer as ArrayBuffer, column.byteOffset + start * 8, size * 8);
    }
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
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
