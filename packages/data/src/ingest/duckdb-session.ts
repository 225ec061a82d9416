import type { DuckDBConnection } from '@duckdb/node-api';
import { duckdbApi } from './duckdb-module.js';

/**
 * Runs `work` with a fresh in-memory DuckDB connection and closes it afterwards, so per-query state (such as
 * the CSV reader's `reject_errors` table) never leaks between calls. DuckDB's native module loads on the first
 * call, so importing `@mlsd/data` for its tables, splits or simulator does not pay for it.
 */
export async function withDuckDB<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = duckdbApi();
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
