import type { DuckDBConnection } from '@duckdb/node-api';
import { MlsdError } from '../errors/mlsd-error.js';
import { sqlIdentifier, sqlString } from './duckdb-session.js';

/**
 * The Parquet key-value metadata entry in which `writeTable` stores the content hash of what it wrote. DuckDB
 * (1.5) neither writes nor verifies Parquet page CRCs, and a flipped byte inside a compressed page often still
 * decodes, to a different value: without this hash such a file is read with exit 0 and one changed value.
 */
export const CONTENT_HASH_KEY = 'mlsd.content-hash';

/**
 * SQL for the content hash of `relation` over `columns` (in file order): `<rows>:<xor of the row hashes>`, as one
 * VARCHAR. Row hashes are DuckDB's `hash` of the typed values, so any changed value changes the hash; the row count
 * catches lost or added rows. Used by the writer (over what it writes) and by ingest (over what it reads).
 */
export function contentHashSql(relation: string, columns: readonly string[]): string {
  return `SELECT CAST(count(*) AS VARCHAR) || ':' || CAST(coalesce(bit_xor(hash(${columns.map(sqlIdentifier).join(', ')})), 0) AS VARCHAR) FROM ${relation}`;
}

/** The content hash of `relation` (see {@link contentHashSql}). */
export async function contentHash(connection: DuckDBConnection, relation: string, columns: readonly string[]): Promise<string> {
  const reader = await connection.runAndReadAll(contentHashSql(relation, columns));
  return String(reader.getColumnsJS()[0]![0]);
}

/**
 * Verifies a Parquet file written by `writeTable`: recomputes its content hash and compares it with the one in its
 * metadata. Throws `CORRUPT_ARTIFACT` naming the file when they differ. A file from another writer (no hash) is not
 * verified: resolves to false; true when verified.
 */
export async function verifyParquet(connection: DuckDBConnection, path: string, columns: readonly string[]): Promise<boolean> {
  const file = sqlString(path);
  const kv = await connection.runAndReadAll(
    `SELECT CAST(value AS VARCHAR) FROM parquet_kv_metadata(${file}) WHERE CAST(key AS VARCHAR) = ${sqlString(CONTENT_HASH_KEY)}`,
  );
  const stored = kv.getColumnsJS()[0]?.[0];
  if (stored === undefined || stored === null) return false;
  let actual: string;
  try {
    actual = await contentHash(connection, `read_parquet(${file})`, columns);
  } catch (error) {
    throw corrupt(path, `it cannot be decoded (${(error as Error).message.split('\n')[0]})`, error);
  }
  if (actual !== String(stored)) throw corrupt(path, `its content hash is ${actual} but ${String(stored)} was written`);
  return true;
}

function corrupt(path: string, why: string, cause?: unknown): MlsdError {
  return new MlsdError(
    'CORRUPT_ARTIFACT',
    `Parquet file "${path}" is corrupt: ${why}. It changed after writeTable wrote it (a damaged copy or disk); restore it from its source or write it again.`,
    { location: { file: path }, ...(cause === undefined ? {} : { cause }) },
  );
}
