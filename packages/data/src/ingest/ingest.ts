import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MlsdError } from '../errors/mlsd-error.js';
import { describeSchema, isRequired, type ColumnSpec, type Schema } from '../schema/schema.js';
import { DEFAULT_TIME_HORIZON_MS, MAX_EVENT_TIME_MS } from '../schema/value-bounds.js';
import { ColumnTable, type Column } from '../table/column-table.js';
import { closestName } from './closest-name.js';
import { readDoubleColumns } from './duckdb-columns.js';
import { readCsvHeader } from './csv-header.js';
import { sqlIdentifier, sqlString, withDuckDB } from './duckdb-session.js';
import { formatOf, type FileFormat } from './file-format.js';
import { verifyParquet } from './parquet-checksum.js';
import { recordStartLines } from './record-lines.js';
import { writeRejects, type RejectRecord } from './rejects-file.js';

/** How {@link ingest} validates and what it does with bad rows. */
export interface IngestOptions {
  /** The columns the file must have; other columns in the file are ignored. */
  readonly schema: Schema;
  /** `reject` (default): set bad rows aside in `rejects`; `fail`: throw `INVALID_INPUT` at the first bad row. */
  readonly onInvalidRow?: 'reject' | 'fail';
  /** Largest allowed share of rejected rows, in [0, 1] (default 1: no limit); above it ingest throws `REJECT_LIMIT`. */
  readonly maxRejectRatio?: number;
  /** Where to write the rejects, `.csv` or `.jsonl` (written even when there are none, and before `REJECT_LIMIT`). */
  readonly rejectsPath?: string;
  /**
   * Latest accepted timestamp, epoch ms: a later one rejects the row (a typo such as `9999-12-31` would otherwise
   * poison every feature of its entities). Default: the clock plus one day (`DEFAULT_TIME_HORIZON_MS`).
   */
  readonly maxEventTime?: number;
}

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

const OPTION_KEYS = ['schema', 'onInvalidRow', 'maxRejectRatio', 'rejectsPath', 'maxEventTime'];
/** Per-value outcome codes computed in SQL. */
const OK = 0;
const MISSING = 1;
const UNPARSEABLE = 2;
const BELOW_MIN = 3;
const ABOVE_MAX = 4;
const OUT_OF_DATE_RANGE = 5;
const TOO_FAR_AHEAD = 6;
/** Integers must stay exact in a Float64Array. */
const MAX_EXACT_INTEGER = 2 ** 53;

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

  const outcome = await withDuckDB((connection) => validate(connection, path, format, options.schema, policy.maxEventTime));

  const rejects = outcome.rejects;
  if (policy.onInvalidRow === 'fail' && rejects.length > 0) {
    const first = rejects[0]!;
    throw new MlsdError(
      'INVALID_INPUT',
      `File "${path}", line ${first.line}${first.column === '' ? '' : `, column ${first.column}`}: ${quoteRaw(first.rawValue)} ${first.reason}. ` +
        `Fix the row, or ingest with onInvalidRow: 'reject' to set bad rows aside.`,
      { location: { file: path, line: first.line, ...(first.column === '' ? {} : { column: first.column }) } },
    );
  }
  if (options.rejectsPath !== undefined) await writeRejects(rejects, options.rejectsPath);
  const total = outcome.table.rowCount + outcome.rejectedRows;
  const ratio = outcome.rejectedRows / total;
  if (ratio > policy.maxRejectRatio) {
    throw new MlsdError(
      'REJECT_LIMIT',
      `File "${path}": ${outcome.rejectedRows} of ${total} rows rejected (${(ratio * 100).toFixed(2)}%), above maxRejectRatio ` +
        `${policy.maxRejectRatio}. First reject: line ${rejects[0]?.line}, ${rejects[0]?.column || 'whole line'}: ${rejects[0]?.reason}.` +
        (options.rejectsPath === undefined ? ' Pass rejectsPath (CLI: --rejects) to list them all.' : ` All rejects are in "${options.rejectsPath}".`),
      { location: { file: path } },
    );
  }
  return { table: outcome.table, rejects, acceptedRows: outcome.table.rowCount, rejectedRows: outcome.rejectedRows, source };
}

interface Policy {
  readonly onInvalidRow: 'reject' | 'fail';
  readonly maxRejectRatio: number;
  readonly maxEventTime: number;
}

function checkOptions(options: IngestOptions): Policy {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new MlsdError('INVALID_OPTION', `Unknown ingest option "${key}"; valid options are ${OPTION_KEYS.join(', ')}.`, {
        location: { field: key },
      });
    }
  }
  if (options.schema === undefined || !Array.isArray(options.schema.columns)) {
    throw new MlsdError('INVALID_OPTION', 'ingest needs options.schema, e.g. TRANSACTION_SCHEMA or one from defineSchema().', {
      location: { field: 'schema' },
    });
  }
  const onInvalidRow = options.onInvalidRow ?? 'reject';
  if (onInvalidRow !== 'reject' && onInvalidRow !== 'fail') {
    throw new MlsdError('INVALID_OPTION', `Option onInvalidRow must be 'reject' or 'fail', got "${String(onInvalidRow)}".`, {
      location: { field: 'onInvalidRow' },
    });
  }
  const maxRejectRatio = options.maxRejectRatio ?? 1;
  if (!(maxRejectRatio >= 0 && maxRejectRatio <= 1)) {
    throw new MlsdError('INVALID_OPTION', `Option maxRejectRatio must be a number in [0, 1], got ${maxRejectRatio}.`, {
      location: { field: 'maxRejectRatio' },
    });
  }
  const maxEventTime = options.maxEventTime ?? Date.now() + DEFAULT_TIME_HORIZON_MS;
  if (typeof maxEventTime !== 'number' || !Number.isFinite(maxEventTime)) {
    throw new MlsdError('INVALID_OPTION', `Option maxEventTime must be epoch milliseconds, got ${String(maxEventTime)}.`, {
      location: { field: 'maxEventTime' },
    });
  }
  return { onInvalidRow, maxRejectRatio, maxEventTime };
}

async function checkFile(path: string, schema: Schema): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (error) {
    throw new MlsdError(
      'NOT_FOUND',
      `Input file "${path}" not found (${(error as Error).message}). Expected a CSV, Parquet or JSON-lines file with schema "${schema.name}": ${describeSchema(schema)}.`,
      { cause: error, location: { file: path } },
    );
  }
  if (size === 0) throw emptyFile(path, schema, 'is empty (0 bytes)');
}

function emptyFile(path: string, schema: Schema, what: string): MlsdError {
  return new MlsdError(
    'INVALID_INPUT',
    `Input file "${path}" ${what}. Expected a header and data rows with schema "${schema.name}": ${describeSchema(schema)}.`,
    { location: { file: path } },
  );
}

/** The file as a DuckDB relation with one VARCHAR column per schema column present (named as in the schema). */
interface OpenedFile {
  readonly present: readonly ColumnSpec[];
  /** A FROM-clause relation, in file order. */
  readonly relation: string;
  /** JSON lines only: the relation has `__ok` (false for a line that is not a JSON object) and `__text`. */
  readonly hasOkColumn: boolean;
}

const CSV_DIALECT = `header = true, auto_detect = false, delim = ',', quote = '"', escape = '"'`;
/** Reads each JSON line as one text field: 0x1F cannot appear unescaped in valid JSON. */
const LINE_DIALECT = `header = false, columns = {'j': 'VARCHAR'}, delim = '\x1f', quote = '', escape = '', auto_detect = false`;

async function openSource(connection: DuckDBConnection, path: string, format: FileFormat, schema: Schema): Promise<OpenedFile> {
  const file = sqlString(path);
  if (format === 'csv') {
    const names = await readCsvHeader(path);
    if (names === undefined) throw emptyFile(path, schema, 'holds only blank lines');
    const present = checkColumns(path, schema, names);
    // Every column is read as text; store_rejects sets aside lines with the wrong field count (listed in
    // reject_errors) instead of failing the whole read.
    const columns = names.map((name, k) => `${sqlString(name === '' ? `column${k}` : name)}: 'VARCHAR'`).join(', ');
    return { present, relation: `read_csv(${file}, ${CSV_DIALECT}, columns = {${columns}}, store_rejects = true)`, hasOkColumn: false };
  }
  if (format === 'parquet') {
    const names = await columnNamesOf(connection, `SELECT * FROM read_parquet(${file})`);
    const present = checkColumns(path, schema, names);
    await verifyParquet(connection, path, names);
    const casts = present.map((c) => `CAST(${sqlIdentifier(c.name)} AS VARCHAR) AS ${sqlIdentifier(c.name)}`);
    return { present, relation: `(SELECT ${casts.join(', ')} FROM read_parquet(${file}))`, hasOkColumn: false };
  }
  // JSON functions throw on malformed text and DuckDB may evaluate them ahead of a WHERE or AND, so each line is
  // first materialised with `obj`: the line when it is a JSON object, '{}' otherwise.
  await connection.run(
    `CREATE TABLE checked AS SELECT j, CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END AS ok ` +
      `FROM read_csv(${file}, ${LINE_DIALECT}) WHERE j IS NOT NULL AND trim(j) <> ''`,
  );
  await connection.run(`CREATE TABLE lines AS SELECT j, ok, CASE WHEN ok THEN j ELSE '{}' END AS obj FROM checked`);
  const reader = await connection.runAndReadAll(`SELECT DISTINCT unnest(json_keys(obj)) FROM lines`);
  const names = reader.getColumnsJS()[0]?.map(String) ?? [];
  const present = checkColumns(path, schema, names);
  const extract = present.map((c) => `json_extract_string(obj, ${sqlString(`$."${c.name}"`)}) AS ${sqlIdentifier(c.name)}`);
  return { present, relation: `(SELECT ok AS __ok, j AS __text, ${extract.join(', ')} FROM lines)`, hasOkColumn: true };
}

async function columnNamesOf(connection: DuckDBConnection, select: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE ${select}`);
  return reader.getColumnsJS()[0]!.map(String);
}

/** The schema columns found in the file; one `SCHEMA_MISMATCH` error naming every missing required column. */
function checkColumns(path: string, schema: Schema, names: readonly string[]): ColumnSpec[] {
  const found = new Set(names);
  const missing = schema.columns.filter((c) => isRequired(c) && !found.has(c.name));
  if (missing.length > 0) {
    const hints = missing.map((c) => {
      const guess = closestName(
        c.name,
        names.filter((n) => !schema.columns.some((s) => s.name === n)),
      );
      return guess === undefined ? `"${c.name}"` : `"${c.name}" (did you mean "${guess}"?)`;
    });
    throw new MlsdError(
      'SCHEMA_MISMATCH',
      `File "${path}" lacks the required column${missing.length > 1 ? 's' : ''} ${hints.join(', ')}. ` +
        `It has columns: ${names.join(', ') || '(none)'}. Expected schema "${schema.name}": ${describeSchema(schema)}. ` +
        `Rename the column${missing.length > 1 ? 's' : ''} in the file or use a schema that matches it.`,
      { location: { file: path, column: missing[0]!.name } },
    );
  }
  return schema.columns.filter((c) => found.has(c.name));
}

async function malformedCsvLines(connection: DuckDBConnection): Promise<RejectRecord[]> {
  const reader = await connection.runAndReadAll(
    `SELECT line::DOUBLE, coalesce(column_name, ''), csv_line, error_message FROM reject_errors ORDER BY line, column_idx`,
  );
  const out: RejectRecord[] = [];
  let lastLine = -1;
  for (const [line, column, text, message] of reader.getRowsJS()) {
    if (line === lastLine) continue;
    lastLine = Number(line);
    out.push({
      line: lastLine,
      column: String(column),
      rawValue: String(text ?? '').replace(/^[\r\n]+/, ''),
      reason: `malformed line: ${String(message).split('\n')[0]}`,
    });
  }
  return out;
}

interface Validated {
  readonly table: ColumnTable;
  readonly rejects: RejectRecord[];
  readonly rejectedRows: number;
}

/**
 * SQL for one column. `parse` turns the text into a DOUBLE (category: trimmed text), NULL when it cannot;
 * `code` (over the parsed value `p` and the text `raw`) is OK, MISSING, UNPARSEABLE, BELOW_MIN, …; `ok` is `code = OK`. Casts read
 * surrounding spaces themselves, so `trim` only runs on values that failed to parse (it is costly per row).
 */
function columnSql(spec: ColumnSpec, raw: string, p: string, maxEventTime: number): { parse: string; code: string; ok: string } {
  let parse: string;
  let valid: string;
  switch (spec.type) {
    case 'integer':
      parse = `TRY_CAST(${raw} AS DOUBLE)`;
      valid = `isfinite(${p}) AND ${p} = floor(${p}) AND abs(${p}) <= ${MAX_EXACT_INTEGER}`;
      break;
    case 'float':
      parse = `TRY_CAST(${raw} AS DOUBLE)`;
      valid = `isfinite(${p})`;
      break;
    case 'timestamp':
      // Length 19 is the common `YYYY-MM-DD HH:MM:SS`, read as UTC. Shorter is refused (a date alone would be read
      // as midnight). Longer may end in a zone offset, which the TIMESTAMP cast would silently drop: those are
      // read as TIMESTAMPTZ, giving the true instant; the others (fractions, spaces) as UTC.
      parse =
        `CASE WHEN length(${raw}) = 19 THEN CAST(epoch_ms(TRY_CAST(${raw} AS TIMESTAMP)) AS DOUBLE) ` +
        `WHEN length(${raw}) > 19 THEN CASE WHEN regexp_matches(${raw}, '([+-][0-9]{2}(:?[0-9]{2})?|Z)\\s*$') ` +
        `THEN CAST(epoch_ms(TRY_CAST(${raw} AS TIMESTAMPTZ)) AS DOUBLE) ` +
        `ELSE CAST(epoch_ms(TRY_CAST(${raw} AS TIMESTAMP)) AS DOUBLE) END END`;
      valid = `${p} IS NOT NULL`;
      break;
    case 'label':
      parse =
        `CAST(CASE ${raw} WHEN '0' THEN 0 WHEN '1' THEN 1 ELSE ` +
        `CASE lower(trim(${raw})) WHEN '0' THEN 0 WHEN '1' THEN 1 WHEN 'false' THEN 0 WHEN 'true' THEN 1 END END AS DOUBLE)`;
      valid = `${p} IS NOT NULL`;
      break;
    case 'category':
      parse = `nullif(trim(${raw}), '')`;
      valid = `${p} IS NOT NULL`;
      break;
  }
  const checks: [condition: string, code: number][] = [];
  if (spec.type === 'timestamp') checks.push([`abs(${p}) > ${MAX_EVENT_TIME_MS}`, OUT_OF_DATE_RANGE], [`${p} > ${maxEventTime}`, TOO_FAR_AHEAD]);
  if (spec.min !== undefined) checks.push([`${p} < ${spec.min}`, BELOW_MIN]);
  if (spec.max !== undefined) checks.push([`${p} > ${spec.max}`, ABOVE_MAX]);
  const whenValid = checks.length === 0 ? `${OK}` : `CASE ${checks.map(([condition, code]) => `WHEN ${condition} THEN ${code}`).join(' ')} ELSE ${OK} END`;
  const code =
    `CASE WHEN ${valid} THEN ${whenValid} ` + `WHEN ${raw} IS NULL OR trim(${raw}) = '' THEN ${isRequired(spec) ? MISSING : OK} ELSE ${UNPARSEABLE} END`;
  // The same rule as a boolean (code = OK), cheaper to evaluate on every row: the code itself is computed only for
  // the rows that fail.
  const inBounds = checks.length === 0 ? 'true' : `NOT (${checks.map(([condition]) => condition).join(' OR ')})`;
  const ok = `CASE WHEN ${valid} THEN ${inBounds} ELSE ${isRequired(spec) ? 'false' : `(${raw} IS NULL OR trim(${raw}) = '')`} END`;
  return { parse, code, ok };
}

function reasonFor(spec: ColumnSpec, code: number, maxEventTime: number): string {
  if (code === MISSING) return 'is missing (required column)';
  if (code === BELOW_MIN) return `is below the minimum ${spec.min}`;
  if (code === ABOVE_MAX) return `is above the maximum ${spec.max}`;
  if (code === OUT_OF_DATE_RANGE) return `is outside the JavaScript date range (±${MAX_EVENT_TIME_MS} epoch ms)`;
  if (code === TOO_FAR_AHEAD)
    return `is after the latest accepted event time ${new Date(maxEventTime).toISOString()} (maxEventTime: the clock plus one day by default)`;
  switch (spec.type) {
    case 'integer':
      return 'is not an integer (whole number within ±2^53)';
    case 'float':
      return 'is not a finite number';
    case 'timestamp':
      return 'is not a timestamp (expected YYYY-MM-DD HH:MM:SS or YYYY-MM-DDTHH:MM:SS)';
    case 'label':
      return 'is not a label (expected 0 or 1)';
    default:
      return 'is not valid';
  }
}

async function validate(connection: DuckDBConnection, path: string, format: FileFormat, schema: Schema, maxEventTime: number): Promise<Validated> {
  let opened: OpenedFile;
  let malformed: RejectRecord[] = [];
  const names: string[] = [];
  let parts: { parse: string; code: string; ok: string }[] = [];
  try {
    opened = await openSource(connection, path, format, schema);
    for (const spec of opened.present) names.push(sqlIdentifier(spec.name));
    parts = opened.present.map((c, k) => columnSql(c, names[k]!, `p${k}`, maxEventTime));
    // Nested projections parse each value once, then judge the row in one vectorised pass. One table `scored` keeps
    // the parsed values and the raw text of bad rows only (keeping all text would cost far more); why a row failed
    // is worked out later, for the bad rows alone.
    const ok = opened.hasOkColumn ? '__ok AND ' : '';
    const parsed = `SELECT ${opened.hasOkColumn ? '__ok, __text, ' : ''}${names.join(', ')}, ${parts.map((p, k) => `${p.parse} AS p${k}`).join(', ')} FROM ${opened.relation}`;
    const judged = `SELECT *, NOT (${ok}${parts.map((p) => `(${p.ok})`).join(' AND ')}) AS bad FROM (${parsed})`;
    await connection.run(
      `CREATE TABLE scored AS SELECT bad, ${parts.map((_, k) => `p${k}`).join(', ')}, ` +
        `${opened.hasOkColumn ? 'CASE WHEN bad THEN __ok END AS __ok, CASE WHEN bad THEN __text END AS __text, ' : ''}` +
        `${names.map((n, k) => `CASE WHEN bad THEN ${n} END AS r${k}`).join(', ')} FROM (${judged})`,
    );
    if (format === 'csv') malformed = await malformedCsvLines(connection);
  } catch (error) {
    if (error instanceof MlsdError) throw error;
    throw new MlsdError(
      'INVALID_INPUT',
      `Could not read "${path}" as ${format === 'csv' ? 'CSV' : format === 'parquet' ? 'Parquet' : 'JSON lines'}: ${(error as Error).message}. ` +
        (format === 'parquet'
          ? 'Check the file is Parquet and complete: a truncated or damaged file cannot be decoded.'
          : `Check the file is in that format (comma-separated with a header line for CSV).`),
      { cause: error, location: { file: path } },
    );
  }
  const present = opened.present;
  const count = await connection.runAndReadAll('SELECT CAST(count(*) AS DOUBLE), CAST(count(*) FILTER (WHERE bad) AS DOUBLE) FROM scored');
  const [totalRows, badRows] = count.getRowsJS()[0]!.map(Number) as [number, number];
  if (totalRows === 0 && malformed.length === 0) throw emptyFile(path, schema, 'has no data rows');

  const lines = lazyLines(path, format, totalRows, malformed);
  const rejects: RejectRecord[] = [...malformed];
  // Rejects are worked out only for the rows that failed, from the codes and raw text kept for them.
  if (badRows > 0) {
    const reader = await connection.runAndReadAll(
      `SELECT CAST(rowid AS DOUBLE), ${opened.hasOkColumn ? '__ok, __text' : 'true, NULL'}, ${present.map((c, k) => columnSql(c, `r${k}`, `p${k}`, maxEventTime).code).join(', ')}, ` +
        `${present.map((_, k) => `r${k}`).join(', ')} FROM scored WHERE bad ORDER BY rowid`,
    );
    for (const row of reader.getRowsJS()) {
      const line = lines(Number(row[0]));
      if (row[1] === false) {
        rejects.push({ line, column: '', rawValue: String(row[2] ?? ''), reason: 'is not a JSON object' });
        continue;
      }
      for (let k = 0; k < present.length; k++) {
        const code = Number(row[3 + k]);
        if (code === OK) continue;
        const raw = row[3 + present.length + k];
        rejects.push({
          line,
          column: present[k]!.name,
          rawValue: raw === null || raw === undefined ? '' : String(raw),
          reason: reasonFor(present[k]!, code, maxEventTime),
        });
      }
    }
  }

  const accepted = await readAccepted(connection, present, totalRows - badRows, badRows > 0);
  // Unique columns: a repeated value rejects the later row (among rows that are otherwise valid).
  const duplicate = new Uint8Array(accepted.rowCount);
  let duplicates = 0;
  for (let k = 0; k < present.length; k++) {
    if (present[k]!.unique !== true) continue;
    duplicates += markDuplicates(present[k]!, accepted.values[k]!, accepted.rowIds, duplicate, lines, rejects);
  }

  rejects.sort((a, b) => a.line - b.line);
  const kept = duplicates === 0 ? undefined : new Int32Array(accepted.rowCount - duplicates);
  if (kept !== undefined) for (let i = 0, j = 0; i < accepted.rowCount; i++) if (duplicate[i] === 0) kept[j++] = i;
  const tableColumns = new Map<string, Column>();
  for (let k = 0; k < present.length; k++) tableColumns.set(present[k]!.name, columnOf(present[k]!, accepted, k, kept));
  return { table: new ColumnTable(tableColumns), rejects, rejectedRows: badRows + duplicates + malformed.length };
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
    rejects.push({
      line: lines(fileRow(i)),
      column: spec.name,
      rawValue: String(value),
      reason: `is a duplicate ${spec.name} (first on line ${lines(fileRow(first))})`,
    });
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

/**
 * Maps a row of `raw` to its 1-based source line, scanning the file only when first asked (i.e. when there are
 * rejects). Parquet has no lines: the 1-based row number is used. If the scan disagrees with DuckDB's record
 * count (an exotic CSV), it falls back to one record per line.
 */
function lazyLines(path: string, format: FileFormat, rowCount: number, malformed: readonly RejectRecord[]): (row: number) => number {
  const headerLines = format === 'csv' ? 1 : 0;
  let map: Int32Array | undefined;
  return (row) => {
    if (format === 'parquet') return row + 1;
    if (map === undefined) map = computeLines();
    return map.length === rowCount ? map[row]! : row + 1 + headerLines;
  };

  function computeLines(): Int32Array {
    const bytes = readFileSync(path);
    const starts = recordStartLines(bytes, format === 'csv');
    const skip = new Set(malformed.map((m) => m.line));
    const out = new Int32Array(Math.max(0, starts.length - headerLines));
    let size = 0;
    for (let i = headerLines; i < starts.length; i++) if (!skip.has(starts[i]!)) out[size++] = starts[i]!;
    return out.subarray(0, size);
  }
}

function quoteRaw(raw: string): string {
  return raw === '' ? 'the value' : `"${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}"`;
}
