import { extname } from 'node:path';
import { MlsdError } from '../errors/mlsd-error.js';

/** A table file format mlsd reads and writes. */
export type FileFormat = 'csv' | 'parquet' | 'jsonl';

const EXTENSIONS: Readonly<Record<string, FileFormat>> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format of `path` from its extension (`.csv`, `.parquet`/`.pq`, `.jsonl`/`.ndjson`, any case). */
export function formatOf(path: string): FileFormat {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new MlsdError('INVALID_INPUT', `Cannot tell the format of "${path}" from its extension; use one of ${Object.keys(EXTENSIONS).join(', ')}.`, {
      location: { file: path },
    });
  }
  return format;
}
