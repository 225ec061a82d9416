import { stat } from 'node:fs/promises';
import { MlsdError } from '../errors/mlsd-error.js';
import { describeSchema, type Schema } from '../schema/schema.js';
import { DEFAULT_TIME_HORIZON_MS } from '../schema/value-bounds.js';
import { writeRejects, type RejectRecord } from './rejects-file.js';
import { emptyFile } from './source-relation.js';

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

const OPTION_KEYS = ['schema', 'onInvalidRow', 'maxRejectRatio', 'rejectsPath', 'maxEventTime'];

/** The checked options of an ingestion, defaults applied. */
export interface Policy {
  readonly onInvalidRow: 'reject' | 'fail';
  readonly maxRejectRatio: number;
  readonly maxEventTime: number;
}

/** Checks `options` (unknown keys, ranges), naming the bad field; returns them with defaults applied. */
export function checkOptions(options: IngestOptions): Policy {
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

/** Throws `NOT_FOUND` for a missing path and `INVALID_INPUT` for an empty file, naming the expected schema. */
export async function checkFile(path: string, schema: Schema): Promise<void> {
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

/**
 * Applies the bad-row policy once the rejects are known, before any accepted row is written: throws
 * `INVALID_INPUT` at the first reject with `onInvalidRow: 'fail'`, writes the rejects file when asked, then throws
 * `REJECT_LIMIT` when `rejectedRows` of `rejectedRows + acceptedRows` passes `maxRejectRatio`.
 */
export async function enforcePolicy(
  path: string,
  options: IngestOptions,
  policy: Policy,
  rejects: readonly RejectRecord[],
  acceptedRows: number,
  rejectedRows: number,
): Promise<void> {
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
  const total = acceptedRows + rejectedRows;
  const ratio = rejectedRows / total;
  if (ratio > policy.maxRejectRatio) {
    throw new MlsdError(
      'REJECT_LIMIT',
      `File "${path}": ${rejectedRows} of ${total} rows rejected (${(ratio * 100).toFixed(2)}%), above maxRejectRatio ` +
        `${policy.maxRejectRatio}. First reject: line ${rejects[0]?.line}, ${rejects[0]?.column || 'whole line'}: ${rejects[0]?.reason}.` +
        (options.rejectsPath === undefined ? ' Pass rejectsPath (CLI: --rejects) to list them all.' : ` All rejects are in "${options.rejectsPath}".`),
      { location: { file: path } },
    );
  }
}

function quoteRaw(raw: string): string {
  return raw === '' ? 'the value' : `"${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}"`;
}
