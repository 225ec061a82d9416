/**
 * The closed set of error codes every mlsd package uses. Serving maps each code to one HTTP status.
 *
 * - `INVALID_INPUT`: data given to a function is malformed (wrong length, NaN, bad label, bad row).
 * - `INVALID_OPTION`: an options object has an unknown key or an out-of-range value.
 * - `SCHEMA_MISMATCH`: a file or table lacks a column the schema expects, or has the wrong type.
 * - `NOT_FITTED`: a model or transform was used before `fit`.
 * - `NOT_FOUND`: a file, model, version or alias does not exist.
 * - `CORRUPT_ARTIFACT`: a saved artifact fails its checksum or its schema version is unknown.
 * - `REJECT_LIMIT`: ingestion rejected more rows than its policy allows.
 * - `IO_ERROR`: reading or writing a file or a store failed.
 * - `UNAVAILABLE`: a dependency (store, model) cannot answer now; retry later.
 * - `UNAUTHORIZED`: the caller did not prove who it is (a missing or wrong credential).
 * - `FORBIDDEN`: the caller may not do this (e.g. an admin route that is disabled).
 * - `TIMEOUT`: an operation exceeded its deadline.
 * - `INTERNAL`: anything unexpected; `cause` keeps the original error.
 */
export type MlsdErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_OPTION'
  | 'SCHEMA_MISMATCH'
  | 'NOT_FITTED'
  | 'NOT_FOUND'
  | 'CORRUPT_ARTIFACT'
  | 'REJECT_LIMIT'
  | 'IO_ERROR'
  | 'UNAVAILABLE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'TIMEOUT'
  | 'INTERNAL';

/** Where an error happened, when it concerns data: file, 1-based source line or 0-based row, column, field. */
export interface MlsdErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly row?: number;
  readonly column?: string;
  readonly field?: string;
}

/**
 * The one error class of mlsd. The message says what was wrong, where, and how to fix it;
 * `code` is machine-readable and `location` names the file, row, column or field when there is one.
 */
export class MlsdError extends Error {
  override readonly name = 'MlsdError';
  readonly code: MlsdErrorCode;
  readonly location: MlsdErrorLocation | undefined;

  constructor(code: MlsdErrorCode, message: string, options: { cause?: unknown; location?: MlsdErrorLocation } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.location = options.location;
  }
}

/** True when `error` is an {@link MlsdError}, optionally with the given code. */
export function isMlsdError(error: unknown, code?: MlsdErrorCode): error is MlsdError {
  return error instanceof MlsdError && (code === undefined || error.code === code);
}

/**
 * Wraps anything thrown into an {@link MlsdError}: an `MlsdError` passes through unchanged, anything else
 * becomes `INTERNAL` with the original kept as `cause`.
 */
export function toMlsdError(error: unknown, context: string): MlsdError {
  if (error instanceof MlsdError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new MlsdError('INTERNAL', `${context}: ${detail}`, { cause: error });
}
