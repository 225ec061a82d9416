import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs `work` with a fresh in-memory DuckDB connection and closes it afterwards, so per-query state (such as
 * the CSV reader's `reject_errors` table) never leaks between calls.
 */
export async function withDuckDB<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A SQL string literal for `value` (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL identifier for `name` (double quotes doubled). */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Reads every row of a query whose columns are numbers (DOUBLE/TINYINT/BOOLEAN) into one Float64Array per
 * column, NULL as NaN. `rowCount` must be the query's row count. Reads chunk by chunk, with no per-row objects.
 */
export async function readNumericColumns(connection: DuckDBConnection, sql: string, rowCount: number): Promise<Float64Array[]> {
  const result = await connection.stream(sql);
  const columns: Float64Array[] = [];
  for (let c = 0; c < result.columnCount; c++) columns.push(new Float64Array(rowCount));
  let offset = 0;
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const size = chunk.rowCount;
    for (let c = 0; c < columns.length; c++) {
      const vector = chunk.getColumnVector(c);
      const out = columns[c]!;
      for (let i = 0; i < size; i++) {
        const item = vector.getItem(i);
        out[offset + i] = item === null ? Number.NaN : Number(item);
      }
    }
    offset += size;
  }
  return columns;
}
