import { open, type FileHandle } from 'node:fs/promises';
import { MlsdError } from '../errors/mlsd-error.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Column, ColumnTable, ColumnType } from '../table/column-table.js';
import { registerDoubleColumnsScan } from './duckdb-columns.js';
import { sqlIdentifier, sqlString, withDuckDB } from './duckdb-session.js';
import { CONTENT_HASH_KEY, contentHash } from './parquet-checksum.js';
import { formatOf } from './file-format.js';

/**
 * Writes `table` to `path` as CSV, Parquet or JSON lines, chosen by the extension (see `formatOf`), columns in
 * table order, so that `ingest(path, { schema })` reads the same values back.
 *
 * CSV: a header line, `,`-separated, `\n`-terminated; timestamps as `YYYY-MM-DD HH:MM:SS` (UTC, `.mmm` added only
 * when there are milliseconds); numbers in JavaScript's shortest round-trip form; labels as 0/1; a missing value
 * (NaN, category code -1) is an empty field; categories are quoted when they contain `,`, `"` or a newline.
 * JSON lines: one object per row, timestamps as the same strings, missing values as null.
 * Parquet: written by DuckDB (snappy) with BIGINT, DOUBLE, TIMESTAMP (ms), UTINYINT (labels) and VARCHAR columns.
 * Overwrites an existing file. Throws `IO_ERROR` naming the file when writing fails.
 */
export async function writeTable(table: ColumnTable, path: string): Promise<void> {
  const format = formatOf(path);
  try {
    if (format === 'csv') await writeCsv(table, path);
    else if (format === 'jsonl') await writeJsonLines(table, path);
    else await writeParquet(table, path);
  } catch (error) {
    throw writeError(path, error);
  }
}

/** The `IO_ERROR` for a failed write of `path` (an `MlsdError` cause is passed on as it is). */
export function writeError(path: string, error: unknown): MlsdError {
  if (error instanceof MlsdError) return error;
  return new MlsdError('IO_ERROR', `Could not write "${path}": ${(error as Error).message}. Check the folder exists and is writable.`, {
    cause: error,
    location: { file: path },
  });
}

async function writeCsv(table: ColumnTable, path: string): Promise<void> {
  const writers = table.columnNames.map((name) => csvWriter(table.column(name)));
  const sink = await ByteSink.open(path);
  try {
    sink.text(`${table.columnNames.map(csvField).join(',')}\n`);
    for (let row = 0; row < table.rowCount; row++) {
      writers[0]!(sink, row);
      for (let c = 1; c < writers.length; c++) {
        sink.byte(0x2c);
        writers[c]!(sink, row);
      }
      sink.byte(0x0a);
      if (sink.full) await sink.flush();
    }
    await sink.flush();
  } finally {
    await sink.close();
  }
}

async function writeJsonLines(table: ColumnTable, path: string): Promise<void> {
  const keys = table.columnNames.map((name, c) => `${c === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  const writers = table.columnNames.map((name) => jsonWriter(table.column(name)));
  const sink = await ByteSink.open(path);
  try {
    for (let row = 0; row < table.rowCount; row++) {
      for (let c = 0; c < writers.length; c++) {
        sink.text(keys[c]!);
        writers[c]!(sink, row);
      }
      sink.text('}\n');
      if (sink.full) await sink.flush();
    }
    await sink.flush();
  } finally {
    await sink.close();
  }
}

async function writeParquet(table: ColumnTable, path: string): Promise<void> {
  // Numbers go to DuckDB as DOUBLE column buffers copied straight from the typed arrays by a scan on every core (no
  // value passes through JavaScript one by one, and no DuckDB table is built: materialising 20 columns of 1.78 M rows
  // cost DuckDB about 3 s CPU, more than the Parquet write); categories as their codes, looked up in a dictionary
  // table. The hash and the COPY each scan the arrays once; COPY casts each column to its Parquet type.
  const columns = table.columnNames.map((name) => table.column(name));
  const hasCategories = columns.some((column) => column.type === 'category');
  await withDuckDB(async (connection) => {
    const values = columns.map(numbersOf);
    if (hasCategories) {
      const rowIndex = new Float64Array(table.rowCount);
      for (let i = 0; i < rowIndex.length; i++) rowIndex[i] = i;
      values.push(rowIndex);
    }
    const scan = await registerDoubleColumnsScan(connection, values);
    const joins: string[] = [];
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k]!;
      if (column.type !== 'category') continue;
      await connection.run(`CREATE TABLE d${k} (code DOUBLE, v VARCHAR)`);
      const appender = await connection.createAppender(`d${k}`);
      column.dictionary.forEach((value, code) => {
        appender.appendDouble(code);
        appender.appendVarchar(value);
        appender.endRow();
      });
      appender.flushSync();
      appender.closeSync();
      joins.push(`LEFT JOIN d${k} ON d${k}.code = t.c${k}`);
    }
    const select = `SELECT ${columns.map((c, k) => `${parquetCast(c, k)} AS ${sqlIdentifier(table.columnNames[k]!)}`).join(', ')}`;
    // The joins may reorder rows: the row index (the last column) puts them back in table order.
    const order = hasCategories ? ` ORDER BY t.c${columns.length}` : '';
    await connection.run(`CREATE VIEW typed AS ${select} FROM ${scan}() t ${joins.join(' ')}${order}`);
    // The content hash does not depend on row order: it needs no sort.
    await connection.run(`CREATE VIEW typed_any_order AS ${select} FROM ${scan}() t ${joins.join(' ')}`);
    await copyToParquet(connection, 'typed', table.columnNames, path, 'typed_any_order');
  });
}

/**
 * Writes `relation` (a table or view with the Parquet-typed `columns`, see {@link parquetValueSql}, in row order)
 * to `path` as Parquet, with its content hash in the file's metadata: ingest recomputes it and refuses a file that
 * changed. The one writer behind `writeTable` and `ingestToFile`, so both write the same bytes. Compression is snappy
 * (DuckDB's and pyarrow's default): zstd's 30 % smaller file cost about 60 % more CPU. `hashRelation` (default
 * `relation`) is where the hash is computed: the same rows in any order (e.g. without the sort that restores order).
 */
export async function copyToParquet(
  connection: DuckDBConnection,
  relation: string,
  columns: readonly string[],
  path: string,
  hashRelation = relation,
): Promise<void> {
  const hash = await contentHash(connection, hashRelation, columns);
  await connection.run(
    `COPY ${relation} TO ${sqlString(path)} (FORMAT parquet, COMPRESSION snappy, KV_METADATA {${sqlString(CONTENT_HASH_KEY)}: ${sqlString(hash)}})`,
  );
}

/** A column's values as doubles: numbers as they are (NaN missing), category codes (-1 missing). */
function numbersOf(column: Column): Float64Array {
  if (column.type === 'integer' || column.type === 'float' || column.type === 'timestamp') return column.values;
  const source = column.type === 'category' ? column.codes : column.values;
  const out = new Float64Array(source.length);
  out.set(source);
  return out;
}

/** The Parquet-typed value of column `k` of table `t` (NaN, which marks a missing number, becomes NULL). */
function parquetCast(column: Column, k: number): string {
  return column.type === 'category' ? `d${k}.v` : parquetValueSql(column.type, `nullif(t.c${k}, 'NaN'::DOUBLE)`);
}

/**
 * SQL for the value written to Parquet for a column of `type`, from `value`, a DOUBLE expression that is NULL when
 * the value is missing: integers as BIGINT, timestamps (epoch ms) as TIMESTAMP, labels as UTINYINT (a missing
 * label is 0, as in a table's Uint8Array), floats as DOUBLE. Categories are written as their text (VARCHAR).
 */
export function parquetValueSql(type: Exclude<ColumnType, 'category'>, value: string): string {
  switch (type) {
    case 'integer':
      return `CAST(${value} AS BIGINT)`;
    case 'timestamp':
      return `epoch_ms(CAST(${value} AS BIGINT))`;
    case 'label':
      return `CAST(coalesce(${value}, 0) AS UTINYINT)`;
    default:
      return value;
  }
}

/** Writes one value of a column for one row. */
type ValueWriter = (sink: ByteSink, row: number) => void;

function csvWriter(column: Column): ValueWriter {
  switch (column.type) {
    case 'category': {
      const fields = column.dictionary.map(csvField);
      return (sink, row) => {
        const code = column.codes[row]!;
        if (code >= 0) sink.text(fields[code]!);
      };
    }
    case 'label':
      return (sink, row) => sink.byte(column.values[row] === 1 ? 0x31 : 0x30);
    case 'timestamp': {
      const write = timestampWriter();
      return (sink, row) => write(sink, column.values[row]!);
    }
    default:
      return (sink, row) => {
        const value = column.values[row]!;
        if (!Number.isNaN(value)) sink.number(value);
      };
  }
}

function jsonWriter(column: Column): ValueWriter {
  switch (column.type) {
    case 'category': {
      const values = column.dictionary.map((entry) => JSON.stringify(entry));
      return (sink, row) => {
        const code = column.codes[row]!;
        sink.text(code < 0 ? 'null' : values[code]!);
      };
    }
    case 'label':
      return (sink, row) => sink.byte(column.values[row] === 1 ? 0x31 : 0x30);
    case 'timestamp': {
      const write = timestampWriter();
      return (sink, row) => {
        const value = column.values[row]!;
        if (!Number.isFinite(value)) {
          sink.text('null');
          return;
        }
        sink.byte(0x22);
        write(sink, value);
        sink.byte(0x22);
      };
    }
    default:
      return (sink, row) => {
        const value = column.values[row]!;
        if (Number.isFinite(value)) sink.number(value);
        else sink.text('null');
      };
  }
}

const MS_PER_DAY = 86_400_000;

/** Writes epoch ms as `YYYY-MM-DD HH:MM:SS[.mmm]` UTC, caching the date part per day (timestamps repeat days). */
function timestampWriter(): (sink: ByteSink, ms: number) => void {
  const days = new Map<number, string>();
  return (sink, ms) => {
    if (!Number.isFinite(ms)) return;
    const day = Math.floor(ms / MS_PER_DAY);
    let date = days.get(day);
    if (date === undefined) {
      date = `${new Date(day * MS_PER_DAY).toISOString().slice(0, 10)} `;
      days.set(day, date);
    }
    sink.text(date);
    const inDay = ms - day * MS_PER_DAY;
    const seconds = Math.floor(inDay / 1000);
    sink.twoDigits(Math.floor(seconds / 3600));
    sink.byte(0x3a);
    sink.twoDigits(Math.floor(seconds / 60) % 60);
    sink.byte(0x3a);
    sink.twoDigits(seconds % 60);
    const millis = Math.round(inDay - seconds * 1000);
    if (millis !== 0) sink.text(`.${String(millis).padStart(3, '0')}`);
  };
}

/** Buffer size of {@link ByteSink}; it flushes when less than a row's worth is left. */
const SINK_BYTES = 1 << 20;
const SINK_SLACK = 1 << 12;

/**
 * An output file fed byte by byte into a reused buffer: integers and timestamps are written as digits without
 * building strings, which keeps large writes fast and the garbage collector idle.
 */
class ByteSink {
  private buffer = Buffer.allocUnsafe(SINK_BYTES + SINK_SLACK);
  private position = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<ByteSink> {
    return new ByteSink(await open(path, 'w'));
  }

  /** True when the buffer should be flushed before the next row. */
  get full(): boolean {
    return this.position >= SINK_BYTES;
  }

  byte(value: number): void {
    this.buffer[this.position++] = value;
  }

  text(value: string): void {
    // Room for the worst case (3 UTF-8 bytes per UTF-16 unit); grows for a huge value rather than cutting it.
    const needed = this.position + value.length * 3;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(needed + SINK_SLACK);
      this.buffer.copy(grown, 0, 0, this.position);
      this.buffer = grown;
    }
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        this.position += this.buffer.write(value.slice(i), this.position, 'utf8');
        return;
      }
      this.buffer[this.position++] = code;
    }
  }

  twoDigits(value: number): void {
    this.buffer[this.position++] = 0x30 + Math.floor(value / 10);
    this.buffer[this.position++] = 0x30 + (value % 10);
  }

  /** A finite number: safe integers as digits, others in JavaScript's shortest round-trip form. */
  number(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.text(String(value));
      return;
    }
    let v = value;
    if (v < 0) {
      this.buffer[this.position++] = 0x2d;
      v = -v;
    }
    if (v === 0) {
      this.buffer[this.position++] = 0x30;
      return;
    }
    let digits = 0;
    for (let t = v; t >= 1; t = Math.floor(t / 10)) digits++;
    let end = this.position + digits;
    this.position = end;
    while (v >= 1) {
      this.buffer[--end] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    }
  }

  async flush(): Promise<void> {
    if (this.position === 0) return;
    await this.handle.write(this.buffer, 0, this.position);
    this.position = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** A CSV field, quoted (RFC 4180) only when it holds a comma, a quote or a line break. */
function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
