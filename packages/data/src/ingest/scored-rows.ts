import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { MlsdError } from '../errors/mlsd-error.js';
import type { ColumnSpec, Schema } from '../schema/schema.js';
import { readDoubleColumns } from './duckdb-columns.js';
import { sqlIdentifier } from './duckdb-session.js';
import type { FileFormat } from './file-format.js';
import { recordStartLines } from './record-lines.js';
import type { RejectRecord } from './rejects-file.js';
import { emptyFile, openSource, type OpenedFile } from './source-relation.js';
import { columnSql, OK, reasonFor, type ColumnSql } from './value-rules.js';

/** What {@link scoreRows} found; the rows themselves are in the DuckDB table `scored`. */
export interface ScoredRows {
  /** The schema columns present in the file, in schema order: column `k` is `p{k}` in `scored`. */
  readonly present: readonly ColumnSpec[];
  /** Data rows read (malformed CSV lines excluded): `scored` has one row each, in file order (its `rowid`). */
  readonly totalRows: number;
  /** Rows of `scored` with a bad value (`bad` is true). */
  readonly badRows: number;
  /** CSV lines with the wrong field count: rejected whole, not in `scored`. */
  readonly malformedLines: number;
  /** One record per malformed line, then per bad value of the bad rows in file order (not yet sorted by line). */
  readonly rejects: RejectRecord[];
  /** The 1-based source line of a row of `scored` (scans the file on first use). */
  readonly lineOf: (row: number) => number;
  /**
   * With `cleanValues`, when every row is valid: the parsed values per present column (NaN missing), in file order,
   * and no `scored` table was made.
   */
  readonly cleanValues?: Float64Array[];
}

/** Options of {@link scoreRows}. */
export interface ScoreOptions {
  /**
   * Read the parsed values straight back in the one pass when no row is bad (see `ScoredRows.cleanValues`), for a
   * file without category columns; only when some row is bad is the file read again into `scored`. Saves
   * materialising `scored` (about 0.4 s CPU on the Handbook CSV) for the common clean file.
   */
  readonly cleanValues?: boolean;
}

/**
 * Reads `path` into the DuckDB table `scored` and judges every value in one vectorised pass, with the rules of
 * `value-rules.ts`: `scored` holds per row `bad` (any value refused) and the parsed values `p0…` (DOUBLE, category:
 * trimmed text, NULL when missing). Rejects are worked out for the bad rows alone, from a second read of them. Uniqueness is not checked here (it concerns the accepted rows). Throws as `ingest` documents.
 */
export async function scoreRows(
  connection: DuckDBConnection,
  path: string,
  format: FileFormat,
  schema: Schema,
  maxEventTime: number,
  options: ScoreOptions = {},
): Promise<ScoredRows> {
  let opened: OpenedFile;
  let malformed: RejectRecord[] = [];
  const names: string[] = [];
  let parts: ColumnSql[] = [];
  let judged = '';
  try {
    opened = await openSource(connection, path, format, schema);
    for (const spec of opened.present) names.push(sqlIdentifier(spec.name));
    parts = opened.present.map((c, k) => columnSql(c, names[k]!, `p${k}`, maxEventTime));
    // Nested projections parse each value once, then judge the row in one vectorised pass. The table `scored` keeps
    // only the verdict and the parsed values (keeping the raw text, even of bad rows only, costs a third more); why
    // a row failed is worked out later, for the bad rows alone.
    const ok = opened.hasOkColumn ? '__ok AND ' : '';
    const parsed = `SELECT ${opened.hasOkColumn ? '__ok, __text, ' : ''}${names.join(', ')}, ${parts.map((p, k) => `${p.parse} AS p${k}`).join(', ')} FROM ${opened.relation}`;
    judged = `SELECT *, NOT (${ok}${parts.map((p) => `(${p.ok})`).join(' AND ')}) AS bad FROM (${parsed})`;
    if (options.cleanValues === true && opened.present.every((spec) => spec.type !== 'category')) {
      const values = await readDoubleColumns(
        connection,
        `SELECT CAST(bad AS DOUBLE), ${parts.map((_, k) => `coalesce(p${k}, 'NaN'::DOUBLE)`).join(', ')} FROM (${judged})`,
        await rowsEstimate(path),
      );
      const bad = values.shift()!;
      const clean = bad.length > 0 && bad.every((flag) => flag === 0) && (format !== 'csv' || (await malformedCsvLines(connection)).length === 0);
      if (clean) {
        const lineOf = lazyLines(path, format, bad.length, []);
        return { present: opened.present, totalRows: bad.length, badRows: 0, malformedLines: 0, rejects: [], lineOf, cleanValues: values };
      }
    }
    await connection.run(`CREATE TABLE scored AS SELECT bad, ${parts.map((_, k) => `p${k}`).join(', ')} FROM (${judged})`);
    // A first read for clean values also listed its malformed lines: the same lines twice, which this skips.
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

  const lineOf = lazyLines(path, format, totalRows, malformed);
  const rejects: RejectRecord[] = [...malformed];
  // Rejects are worked out only for the rows that failed: the source is read again for their raw text. Both reads
  // keep file order (DuckDB preserves insertion order), so the i-th bad row read again is the i-th bad row of
  // `scored`, whose rowid gives its line.
  if (badRows > 0) {
    const rows = await connection.runAndReadAll('SELECT CAST(rowid AS DOUBLE) FROM scored WHERE bad ORDER BY rowid');
    const rowIds = rows.getColumnsJS()[0]!.map(Number);
    const reader = await connection.runAndReadAll(
      `SELECT ${opened.hasOkColumn ? '__ok, __text' : 'true, NULL'}, ${parts.map((p) => p.code).join(', ')}, ${names.join(', ')} FROM (${judged}) WHERE bad`,
    );
    const bad = reader.getRowsJS();
    if (bad.length !== rowIds.length) {
      throw new MlsdError(
        'INTERNAL',
        `File "${path}": the second read found ${bad.length} bad rows, the first ${rowIds.length}. Was the file changed while it was read?`,
        {
          location: { file: path },
        },
      );
    }
    for (let i = 0; i < bad.length; i++) {
      const row = bad[i]!;
      const line = lineOf(rowIds[i]!);
      if (row[0] === false) {
        rejects.push({ line, column: '', rawValue: String(row[1] ?? ''), reason: 'is not a JSON object' });
        continue;
      }
      for (let k = 0; k < present.length; k++) {
        const code = Number(row[2 + k]);
        if (code === OK) continue;
        const raw = row[2 + present.length + k];
        rejects.push({
          line,
          column: present[k]!.name,
          rawValue: raw === null || raw === undefined ? '' : String(raw),
          reason: reasonFor(present[k]!, code, maxEventTime),
        });
      }
    }
  }
  return { present, totalRows, badRows, malformedLines: malformed.length, rejects, lineOf };
}

/**
 * The reject of a repeated value in a `unique` column: `value` as read (numbers in JavaScript's form, categories
 * as text) on `line`, first seen on `firstLine`.
 */
export function duplicateReject(spec: ColumnSpec, value: string, line: number, firstLine: number): RejectRecord {
  return { line, column: spec.name, rawValue: value, reason: `is a duplicate ${spec.name} (first on line ${firstLine})` };
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

/**
 * Maps a row of `raw` to its 1-based source line, scanning the file only when first asked (i.e. when there are
 * rejects). Parquet has no lines: the 1-based row number is used. If the scan disagrees with DuckDB's record
 * count (an exotic CSV), it falls back to one record per line.
 */
/** An upper bound of the data rows of a text file for sizing arrays (its bytes over 24, the shortest Handbook row). */
async function rowsEstimate(path: string): Promise<number> {
  return Math.ceil((await stat(path)).size / 24) + 1;
}

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
