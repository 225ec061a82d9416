import { ColumnTable, type Column } from '@mlsd/data';
import { appendDoubleColumns, readDoubleColumns, sqlIdentifier, withDuckDB } from '@mlsd/data/duckdb';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { featureNames } from '../definitions/resolve-features.js';
import { compileFeatureSql } from './compile-sql.js';
import { ROW_COLUMN, sqlInputColumns, type SqlEngineOptions } from './sql-engine-table.js';

/**
 * Computes `definitions` for every row of `table` with the compiled SQL (see `compileFeatureSql`) in an embedded
 * DuckDB (all cores, spilling to disk past its memory limit): the same columns as `computeFeatures`, equal to
 * 1e-9. The needed columns go in and the features come out as typed arrays, with no per-value JavaScript.
 */
export async function computeFeaturesInDuckDB(
  table: ColumnTable,
  definitions: readonly FeatureDefinition[],
  options: SqlEngineOptions = {},
): Promise<ColumnTable> {
  const { time, names, columns } = sqlInputColumns(table, definitions, options);
  const sql = compileFeatureSql(definitions, { source: 'events_in', time, timeIsEpochMs: true, order: ROW_COLUMN, keep: [], dialect: 'duckdb' });
  const values = await withDuckDB(async (connection) => {
    await connection.run(`CREATE TABLE events_in (${names.map((name) => `${sqlIdentifier(name)} DOUBLE`).join(', ')})`);
    await appendDoubleColumns(connection, 'events_in', columns);
    return readDoubleColumns(connection, sql, table.rowCount);
  });
  const out = new Map<string, Column>();
  featureNames(definitions).forEach((name, f) => out.set(name, { type: 'float', values: values[f]! }));
  return new ColumnTable(out);
}

/** Options of {@link writeFeaturesInDuckDB}. */
export interface FileFeaturesOptions {
  /** The event-time column of the file (a TIMESTAMP in Parquet; text DuckDB reads as one in CSV). */
  readonly time: string;
  /** The column that orders events with equal times, e.g. a transaction id in arrival order. */
  readonly order: string;
  /** Columns copied to the output before the features (default: `order`). */
  readonly keep?: readonly string[];
  /** DuckDB's memory limit, e.g. `'4GB'` (default: DuckDB's, 80% of RAM); past it DuckDB spills to disk. */
  readonly memoryLimit?: string;
}

/**
 * Computes `definitions` over a CSV or Parquet file in place and writes the features to a Parquet file, all inside
 * DuckDB: nothing passes through JavaScript, so the data may be larger than memory (DuckDB streams the scan and
 * spills its window sorts to disk). Returns the number of rows written.
 */
export async function writeFeaturesInDuckDB(
  input: string,
  out: string,
  definitions: readonly FeatureDefinition[],
  options: FileFeaturesOptions,
): Promise<number> {
  const { formatOf } = await import('@mlsd/data');
  const { sqlString } = await import('@mlsd/data/duckdb');
  const source = formatOf(input) === 'parquet' ? `read_parquet(${sqlString(input)})` : `read_csv(${sqlString(input)})`;
  const sql = compileFeatureSql(definitions, { source, time: options.time, order: options.order, keep: options.keep ?? [options.order], dialect: 'duckdb' });
  return withDuckDB(async (connection) => {
    if (options.memoryLimit !== undefined) await connection.run(`SET memory_limit = ${sqlString(options.memoryLimit)}`);
    // Window results need not come out in file order before the final sort.
    await connection.run('SET preserve_insertion_order = false');
    const reader = await connection.runAndReadAll(`COPY (${sql}) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION snappy)`);
    return Number(reader.getRowsJS()[0]?.[0] ?? 0);
  });
}
