import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnSpec } from '../schema/schema.js';
import { ColumnTable, type Column } from '../table/column-table.js';
import { readDoubleColumns } from './duckdb-columns.js';
import { withDuckDB } from './duckdb-session.js';
import { formatOf } from './file-format.js';
import { checkFile, checkOptions, enforcePolicy, type IngestOptions } from './ingest-policy.js';
import type { RejectRecord } from './rejects-file.js';
import { duplicateReject, scoreRows, type ScoredRows } from './scored-rows.js';

export type { IngestOptions } from './ingest-policy.js';

/** What {@link ingest} read: the valid rows as a table, and every refused value with its source line. */
export interface IngestResult {
  /** The accepted rows, in file order, with the schema's columns present in the file, in schema order. */
  readonly table: ColumnTable;
  /** One record per bad value (a row with two bad values gives two), sorted by line. */
  readonly rejects: readonly RejectRecord[];
  readonly acceptedRows: number;
  readonly rejectedRows: number;
  /** The absolute path that was read. */
  readonly source: string;
}

export type { RejectRecord } from './rejects-file.js';
/**
 * Reads a CSV, Parquet or JSON-lines file (chosen by extension) through DuckDB and validates it against
 * `options.schema`, losing nothing: every value is read as text (so nothing is coerced silently), checked in SQL,
 * and each bad row is either set aside with its source line, column, raw value and reason (default) or makes
 * ingestion fail.
 *
 * Rules: integers are whole numbers (`12`, `-3`, `12.0`, `1e3`) within ±2^53; floats are finite numbers; timestamps
 * are `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS` with optional fraction, read as UTC unless they end in a zone
 * offset (`Z`, `+02`, `-01:30`), which is applied (a date alone is refused); labels are 0/1 (or
 * true/false); categories are any non-empty text. An empty value is missing: an error in a required column, NaN
 * (category: -1) in an optional one. `min` and `max` are inclusive; timestamps must lie inside the JavaScript
 * date range and not after `maxEventTime` (default: the clock plus one day); a repeated value in a `unique` column
 * rejects the later row. In CSV a line with the wrong number of fields is rejected whole; in JSON lines so is a line that is not a
 * JSON object.
 *
 * Throws `NOT_FOUND` for a missing file, `INVALID_INPUT` for an empty file or one with no data rows (or, with
 * `onInvalidRow: 'fail'`, the first bad row), `SCHEMA_MISMATCH` naming the missing columns, the closest names in
 * the file and the expected schema, and `REJECT_LIMIT` when the reject ratio passes `maxRejectRatio`.
 */
export async function ingest(path: string, options: IngestOptions): Promise<IngestResult> {
  const policy = checkOptions(options);
  const format = formatOf(path);
  const source = resolve(path);
  await checkFile(path, options.schema);
  const outcome = await withDuckDB(async (connection) =>
    readTable(connection, await scoreRows(connection, path, format, options.schema, policy.maxEventTime, { cleanValues: true })),
  );
  await enforcePolicy(path, options, policy, outcome.rejects, outcome.table.rowCount, outcome.rejectedRows);
  return { table: outcome.table, rejects: outcome.rejects, acceptedRows: outcome.table.rowCount, rejectedRows: outcome.rejectedRows, source };
}

interface Validated {
  readonly table: ColumnTable;
  readonly rejects: RejectRecord[];
  readonly rejectedRows: number;
}

/** The accepted rows of `scored` as a typed-array table, with the rows repeating a `unique` value set aside. */
async function readTable(connection: DuckDBConnection, scored: ScoredRows): Promise<Validated> {
  const { present, totalRows, badRows, lineOf } = scored;
  const rejects = scored.rejects;
  const accepted: Accepted =
    scored.cleanValues === undefined
      ? await readAccepted(connection, present, totalRows - badRows, badRows > 0)
      : { rowCount: totalRows, rowIds: undefined, values: scored.cleanValues, dictionaries: present.map(() => []) };
  // Unique columns: a repeated value rejects the later row (among rows that are otherwise valid).
  const duplicate = new Uint8Array(accepted.rowCount);
  let duplicates = 0;
  for (let k = 0; k < present.length; k++) {
    if (present[k]!.unique !== true) continue;
    duplicates += markDuplicates(present[k]!, accepted.values[k]!, accepted.dictionaries[k]!, accepted.rowIds, duplicate, lineOf, rejects);
  }

  rejects.sort((a, b) => a.line - b.line);
  const kept = duplicates === 0 ? undefined : new Int32Array(accepted.rowCount - duplicates);
  if (kept !== undefined) for (let i = 0, j = 0; i < accepted.rowCount; i++) if (duplicate[i] === 0) kept[j++] = i;
  const tableColumns = new Map<string, Column>();
  for (let k = 0; k < present.length; k++) tableColumns.set(present[k]!.name, columnOf(present[k]!, accepted, k, kept));
  return { table: new ColumnTable(tableColumns), rejects, rejectedRows: badRows + duplicates + scored.malformedLines };
}

interface Accepted {
  readonly rowCount: number;
  /** Per accepted row, its row in the file's data (0-based), for line numbers. */
  readonly rowIds: Float64Array | undefined;
  /** Per present column: parsed numbers (NaN missing), or category codes (-1 missing). */
  readonly values: Float64Array[];
  /** Per present column: the category dictionary in order of first appearance (empty for numeric columns). */
  readonly dictionaries: string[][];
}

/**
 * Reads the accepted rows back in file order, every column as DOUBLE through DuckDB's column chunks: categories are
 * coded in SQL (codes in order of first appearance, -1 missing), so no value passes through JavaScript one by one.
 * `withRowIds` also reads each row's position in the file (needed only when some rows were rejected).
 */
async function readAccepted(connection: DuckDBConnection, present: readonly ColumnSpec[], rowCount: number, withRowIds: boolean): Promise<Accepted> {
  const dictionaries = present.map((): string[] => []);
  const joins: string[] = [];
  for (let k = 0; k < present.length; k++) {
    if (present[k]!.type !== 'category') continue;
    await connection.run(
      `CREATE TABLE dict${k} AS SELECT p${k} AS v, CAST(row_number() OVER (ORDER BY min(rowid)) - 1 AS DOUBLE) AS code ` +
        `FROM scored WHERE NOT bad AND p${k} IS NOT NULL GROUP BY p${k}`,
    );
    const reader = await connection.runAndReadAll(`SELECT v FROM dict${k} ORDER BY code`);
    dictionaries[k] = reader.getColumnsJS()[0]!.map(String);
    joins.push(`LEFT JOIN dict${k} ON dict${k}.v = s.p${k}`);
  }
  const values = present.map((spec, k) => (spec.type === 'category' ? `coalesce(dict${k}.code, -1)` : `coalesce(s.p${k}, 'NaN'::DOUBLE)`));
  const select =
    `SELECT ${withRowIds ? 'CAST(s.rowid AS DOUBLE), ' : ''}${values.join(', ')} FROM scored s ${joins.join(' ')} WHERE NOT s.bad` +
    // A join may reorder rows; a plain filtered scan keeps insertion order (DuckDB's preserve_insertion_order).
    (joins.length > 0 ? ' ORDER BY s.rowid' : '');
  const columns = await readDoubleColumns(connection, select, rowCount);
  const rowIds = withRowIds ? columns.shift() : undefined;
  return { rowCount, rowIds, values: columns, dictionaries };
}

function markDuplicates(
  spec: ColumnSpec,
  values: Float64Array,
  dictionary: readonly string[],
  rowIds: Float64Array | undefined,
  duplicate: Uint8Array,
  lines: (row: number) => number,
  rejects: RejectRecord[],
): number {
  // Fast path: strictly increasing values (ids written in order) cannot repeat.
  let previous = -Infinity;
  let increasing = true;
  for (let i = 0; i < values.length && increasing; i++) {
    if (duplicate[i] === 1 || Number.isNaN(values[i]!)) continue;
    if (values[i]! <= previous) increasing = false;
    previous = values[i]!;
  }
  if (increasing) return 0;
  const firstRow = new Map<number, number>();
  const fileRow = (i: number): number => (rowIds === undefined ? i : rowIds[i]!);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (duplicate[i] === 1 || Number.isNaN(value)) continue;
    const first = firstRow.get(value);
    if (first === undefined) {
      firstRow.set(value, i);
      continue;
    }
    duplicate[i] = 1;
    count++;
    // A category's value is its text, not its code.
    rejects.push(duplicateReject(spec, spec.type === 'category' ? dictionary[value]! : String(value), lines(fileRow(i)), lines(fileRow(first))));
  }
  return count;
}

function columnOf(spec: ColumnSpec, read: Accepted, k: number, kept: Int32Array | undefined): Column {
  const source = read.values[k]!;
  const length = kept === undefined ? source.length : kept.length;
  if (spec.type === 'category') {
    const codes = new Int32Array(length);
    for (let i = 0; i < length; i++) codes[i] = source[kept === undefined ? i : kept[i]!]!;
    return { type: 'category', codes, dictionary: read.dictionaries[k]! };
  }
  if (spec.type === 'label') {
    const labels = new Uint8Array(length);
    for (let i = 0; i < length; i++) labels[i] = source[kept === undefined ? i : kept[i]!]!;
    return { type: 'label', values: labels };
  }
  if (kept === undefined) return { type: spec.type, values: source };
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = source[kept[i]!]!;
  return { type: spec.type, values: out };
}
