import { resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdentifier, withDuckDB } from './duckdb-session.js';
import { formatOf } from './file-format.js';
import { ingest, type IngestOptions } from './ingest.js';
import { checkFile, checkOptions, enforcePolicy } from './ingest-policy.js';
import type { RejectRecord } from './rejects-file.js';
import { duplicateReject, scoreRows, type ScoredRows } from './scored-rows.js';
import { copyToParquet, parquetValueSql, writeError, writeTable } from './write-table.js';

/** What {@link ingestToFile} did: the counts and rejects of `ingest`, without the table (it is in `out`). */
export interface IngestToFileResult {
  /** One record per bad value (a row with two bad values gives two), sorted by line. */
  readonly rejects: readonly RejectRecord[];
  readonly acceptedRows: number;
  readonly rejectedRows: number;
  /** The absolute path that was read. */
  readonly source: string;
  /** The absolute path that was written. */
  readonly out: string;
}

/**
 * `ingest(path, options)` then `writeTable(table, out)`, with the same rules, rejects, errors and output, but for a
 * Parquet `out` the rows never leave DuckDB: the file is read and judged in SQL, the rejects are worked out for
 * the bad rows alone, and the accepted rows are copied from DuckDB to `out` in file order, with the content hash
 * `writeTable` records (so `ingest(out)` verifies it). About twice as fast as the typed path on the Handbook CSV.
 * Other outputs (CSV, JSON lines) go through the typed table, whose writer fixes their text form.
 *
 * Nothing is written to `out` when ingestion fails (`INVALID_INPUT`, `REJECT_LIMIT`, …); the rejects file is
 * written before `REJECT_LIMIT` is checked, as in `ingest`. Throws `IO_ERROR` naming `out` when it cannot be written.
 */
export async function ingestToFile(path: string, out: string, options: IngestOptions): Promise<IngestToFileResult> {
  if (formatOf(out) !== 'parquet') {
    const result = await ingest(path, options);
    await writeTable(result.table, out);
    return { rejects: result.rejects, acceptedRows: result.acceptedRows, rejectedRows: result.rejectedRows, source: result.source, out: resolve(out) };
  }
  const policy = checkOptions(options);
  const format = formatOf(path);
  await checkFile(path, options.schema);
  return withDuckDB(async (connection) => {
    const scored = await scoreRows(connection, path, format, options.schema, policy.maxEventTime);
    const duplicates = await markDuplicates(connection, scored);
    const rejects = [...scored.rejects, ...duplicates].sort((a, b) => a.line - b.line);
    const rejectedRows = scored.badRows + duplicates.length + scored.malformedLines;
    const acceptedRows = scored.totalRows - scored.badRows - duplicates.length;
    await enforcePolicy(path, options, policy, rejects, acceptedRows, rejectedRows);
    await writeAccepted(connection, scored, duplicates.length > 0, out);
    return { rejects, acceptedRows, rejectedRows, source: resolve(path), out: resolve(out) };
  });
}

/**
 * Finds the accepted rows of `scored` that repeat a value of a `unique` column (the later rows: the first keeps its
 * place), column by column in schema order as `ingest` does, and lists them in the table `duplicate_rows`. The
 * window query runs only for a column whose accepted values are not all distinct ({@link allDistinct}).
 */
async function markDuplicates(connection: DuckDBConnection, scored: ScoredRows): Promise<RejectRecord[]> {
  const unique = scored.present.flatMap((spec, k) => (spec.unique === true ? [k] : []));
  if (unique.length === 0) return [];
  const distinct = await allDistinct(connection, scored, unique);
  if (distinct.every((all) => all)) return [];
  await connection.run('CREATE TABLE duplicate_rows (r BIGINT)');
  const rejects: RejectRecord[] = [];
  for (let u = 0; u < unique.length; u++) {
    if (distinct[u]!) continue;
    const k = unique[u]!;
    const spec = scored.present[k]!;
    // Rows already set aside for an earlier unique column do not count as a first occurrence.
    await connection.run(
      `CREATE OR REPLACE TABLE repeats AS SELECT r, first, v FROM (` +
        `SELECT rowid AS r, min(rowid) OVER (PARTITION BY p${k}) AS first, row_number() OVER (PARTITION BY p${k} ORDER BY rowid) AS n, p${k} AS v ` +
        `FROM scored WHERE NOT bad AND p${k} IS NOT NULL AND rowid NOT IN (SELECT r FROM duplicate_rows)) WHERE n > 1`,
    );
    const reader = await connection.runAndReadAll('SELECT CAST(r AS DOUBLE), CAST(first AS DOUBLE), v FROM repeats ORDER BY r');
    for (const [row, first, value] of reader.getRowsJS()) {
      // Numbers are written as JavaScript writes the parsed value, as ingest's typed path does.
      const text = spec.type === 'category' ? String(value) : String(Number(value));
      rejects.push(duplicateReject(spec, text, scored.lineOf(Number(row)), scored.lineOf(Number(first))));
    }
    await connection.run('INSERT INTO duplicate_rows SELECT r FROM repeats');
  }
  return rejects;
}

/** Largest value range checked with a bitmap of its values (128 Mbit = 16 MiB); wider ranges count distinct values. */
const MAX_BITMAP_RANGE = 2 ** 27;

/**
 * Per unique column (indices into `scored.present`): whether its accepted values are all distinct. Whole numbers
 * within a range of at most {@link MAX_BITMAP_RANGE} (ids, times) are checked with DuckDB's `bitstring_agg`, one bit
 * per possible value: about 0.1 s against 0.3–0.4 s for `count(DISTINCT …)` on the Handbook's 1.78 M ids. Other
 * columns count their distinct values.
 */
async function allDistinct(connection: DuckDBConnection, scored: ScoredRows, unique: readonly number[]): Promise<boolean[]> {
  const numeric = unique.filter((k) => scored.present[k]!.type !== 'category');
  const ranges = new Map<number, { min: number; max: number; count: number }>();
  if (numeric.length > 0) {
    const reader = await connection.runAndReadAll(
      `SELECT ${numeric.map((k) => `min(p${k}), max(p${k}), CAST(count(p${k}) AS DOUBLE), coalesce(bool_and(p${k} = floor(p${k})), true)`).join(', ')} FROM scored WHERE NOT bad`,
    );
    const row = reader.getRowsJS()[0]!;
    numeric.forEach((k, i) => {
      const [min, max, count, whole] = row.slice(4 * i, 4 * i + 4);
      if (whole === true && typeof min === 'number' && typeof max === 'number' && max - min < MAX_BITMAP_RANGE) {
        ranges.set(k, { min, max, count: Number(count) });
      }
    });
  }
  const checks = unique.map((k) => {
    const range = ranges.get(k);
    if (range === undefined) return `count(p${k}) = count(DISTINCT p${k})`;
    // More values than the range holds must repeat; otherwise every value sets its own bit exactly when all differ.
    if (range.count > range.max - range.min + 1) return 'false';
    return `coalesce(bit_count(bitstring_agg(CAST(p${k} AS BIGINT), ${range.min}, ${range.max})) = count(p${k}), true)`;
  });
  const reader = await connection.runAndReadAll(`SELECT ${checks.join(', ')} FROM scored WHERE NOT bad`);
  return reader.getRowsJS()[0]!.map((all) => all === true);
}

/** Copies the accepted rows of `scored`, typed as `writeTable` types them, to the Parquet file `out`, in file order. */
async function writeAccepted(connection: DuckDBConnection, scored: ScoredRows, hasDuplicates: boolean, out: string): Promise<void> {
  const names = scored.present.map((spec) => spec.name);
  const values = scored.present.map((spec, k) => `${spec.type === 'category' ? `p${k}` : parquetValueSql(spec.type, `p${k}`)} AS ${sqlIdentifier(spec.name)}`);
  // A plain filtered scan keeps insertion order; the anti-join that drops duplicates may not, so it sorts.
  const filter = hasDuplicates ? 'NOT bad AND rowid NOT IN (SELECT r FROM duplicate_rows) ORDER BY rowid' : 'NOT bad';
  await connection.run(`CREATE VIEW accepted AS SELECT ${values.join(', ')} FROM scored WHERE ${filter}`);
  try {
    await copyToParquet(connection, 'accepted', names, out);
  } catch (error) {
    throw writeError(out, error);
  }
}
