import type { DuckDBConnection } from '@duckdb/node-api';
import { MlsdError } from '../errors/mlsd-error.js';
import { describeSchema, isRequired, type ColumnSpec, type Schema } from '../schema/schema.js';
import { closestName } from './closest-name.js';
import { readCsvHeader } from './csv-header.js';
import { sqlIdentifier, sqlString } from './duckdb-session.js';
import type { FileFormat } from './file-format.js';
import { verifyParquet } from './parquet-checksum.js';

/** The `INVALID_INPUT` error for a file without data rows; `what` says why, e.g. `is empty (0 bytes)`. */
export function emptyFile(path: string, schema: Schema, what: string): MlsdError {
  return new MlsdError(
    'INVALID_INPUT',
    `Input file "${path}" ${what}. Expected a header and data rows with schema "${schema.name}": ${describeSchema(schema)}.`,
    { location: { file: path } },
  );
}

/** The file as a DuckDB relation with one VARCHAR column per schema column present (named as in the schema). */
export interface OpenedFile {
  readonly present: readonly ColumnSpec[];
  /** A FROM-clause relation, in file order. */
  readonly relation: string;
  /** JSON lines only: the relation has `__ok` (false for a line that is not a JSON object) and `__text`. */
  readonly hasOkColumn: boolean;
}

const CSV_DIALECT = `header = true, auto_detect = false, delim = ',', quote = '"', escape = '"'`;
/** Reads each JSON line as one text field: 0x1F cannot appear unescaped in valid JSON. */
const LINE_DIALECT = `header = false, columns = {'j': 'VARCHAR'}, delim = '\x1f', quote = '', escape = '', auto_detect = false`;

/**
 * Opens `path` in `connection` as a relation of text columns, one per schema column present in the file (CSV:
 * lines with the wrong field count go to DuckDB's `reject_errors`). Throws `SCHEMA_MISMATCH` naming missing
 * required columns and, for Parquet written by `writeTable`, `CORRUPT_ARTIFACT` when its content hash differs.
 */
export async function openSource(connection: DuckDBConnection, path: string, format: FileFormat, schema: Schema): Promise<OpenedFile> {
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
