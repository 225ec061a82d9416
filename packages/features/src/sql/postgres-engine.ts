import { ColumnTable, MlsdError, type Column } from '@mlsd/data';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { featureNames } from '../definitions/resolve-features.js';
import { compileFeatureSql } from './compile-sql.js';
import { ROW_COLUMN, sqlInputColumns, type SqlEngineOptions } from './sql-engine-table.js';

/** Rows sent per INSERT: keeps each statement's parameters well under PostgreSQL's message limits. */
const ROWS_PER_INSERT = 50_000;

/**
 * Computes `definitions` for every row of `table` with the compiled SQL (see `compileFeatureSql`, dialect
 * `postgres`) on the PostgreSQL server at `url` (`postgres://user@host:port/db`): the needed columns go into a
 * temporary table of the session, the query runs on the server, and the features come back as float columns equal
 * to `computeFeatures`' to 1e-9. Nothing persists on the server. Throws `UNAVAILABLE` naming the server when
 * it cannot be reached or refuses the query.
 */
export async function computeFeaturesInPostgres(
  table: ColumnTable,
  definitions: readonly FeatureDefinition[],
  url: string,
  options: SqlEngineOptions = {},
): Promise<ColumnTable> {
  const { time, names, columns } = sqlInputColumns(table, definitions, options);
  const sql = compileFeatureSql(definitions, { source: 'events_in', time, timeIsEpochMs: true, order: ROW_COLUMN, keep: [], dialect: 'postgres' });
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  const quoted = names.map((name) => `"${name.replaceAll('"', '""')}"`);
  try {
    await client.connect();
    await client.query(`CREATE TEMP TABLE events_in (${quoted.map((name) => `${name} DOUBLE PRECISION`).join(', ')}) ON COMMIT PRESERVE ROWS`);
    const unnest = `INSERT INTO events_in SELECT * FROM unnest(${quoted.map((_, k) => `$${k + 1}::float8[]`).join(', ')})`;
    for (let start = 0; start < table.rowCount; start += ROWS_PER_INSERT) {
      const end = Math.min(table.rowCount, start + ROWS_PER_INSERT);
      await client.query(
        unnest,
        columns.map((column) => Array.from(column.subarray(start, end))),
      );
    }
    const result = await client.query<unknown[]>({ text: sql, rowMode: 'array' });
    const out = new Map<string, Column>();
    featureNames(definitions).forEach((name, f) => {
      const values = new Float64Array(result.rows.length);
      for (let i = 0; i < values.length; i++) values[i] = Number(result.rows[i]![f]);
      out.set(name, { type: 'float', values });
    });
    return new ColumnTable(out);
  } catch (error) {
    if (error instanceof MlsdError) throw error;
    throw new MlsdError(
      'UNAVAILABLE',
      `PostgreSQL at ${redact(url)} failed: ${(error as Error).message}. Check the server is running and the URL (postgres://user@host:port/db) is right.`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `url` without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
