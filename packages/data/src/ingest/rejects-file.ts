import { writeFile } from 'node:fs/promises';
import { MlsdError } from '../errors/mlsd-error.js';
import { formatOf } from './file-format.js';

/** One rejected value: where it was in the source, what it was, and why it was refused. */
export interface RejectRecord {
  /** 1-based line of the source file (CSV: the header is line 1; Parquet: 1-based row number). */
  readonly line: number;
  /** The column of the bad value; empty when the whole line is malformed (wrong field count, bad JSON). */
  readonly column: string;
  /** The value as it was in the file (the whole line for a malformed line); empty for a missing value. */
  readonly rawValue: string;
  /** Why it was refused, e.g. `not a number`. */
  readonly reason: string;
}

const FIELDS = ['line', 'column', 'rawValue', 'reason'] as const;

/**
 * Writes rejects to `path`: CSV (`line,column,rawValue,reason` with a header) or JSON lines, by extension.
 * An empty list still writes the file (a CSV with only its header), so "no rejects" is visible.
 */
export async function writeRejects(rejects: readonly RejectRecord[], path: string): Promise<void> {
  const format = formatOf(path);
  if (format === 'parquet') {
    throw new MlsdError('INVALID_OPTION', `Rejects are written as .csv or .jsonl, not Parquet: "${path}".`, {
      location: { file: path, field: 'rejectsPath' },
    });
  }
  let text: string;
  if (format === 'csv') {
    text = `${FIELDS.join(',')}\n`;
    for (const reject of rejects) text += `${reject.line},${csvField(reject.column)},${csvField(reject.rawValue)},${csvField(reject.reason)}\n`;
  } else {
    text = '';
    for (const reject of rejects) text += `${JSON.stringify({ line: reject.line, column: reject.column, rawValue: reject.rawValue, reason: reject.reason })}\n`;
  }
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new MlsdError('IO_ERROR', `Could not write the rejects file "${path}": ${(error as Error).message}.`, {
      cause: error,
      location: { file: path },
    });
  }
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
