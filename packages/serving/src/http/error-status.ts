import { isMlsdError, type MlsdErrorCode } from '@mlsd/data';

/**
 * The one table from {@link MlsdErrorCode} to HTTP status (after tRPC's code → status map): caller mistakes are
 * 4xx, a dependency that cannot answer now is 503 (retry), a deadline 504, everything else 500.
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<MlsdErrorCode, number>> = {
  INVALID_INPUT: 400,
  INVALID_OPTION: 400,
  SCHEMA_MISMATCH: 422,
  NOT_FITTED: 503,
  NOT_FOUND: 404,
  CORRUPT_ARTIFACT: 500,
  REJECT_LIMIT: 422,
  IO_ERROR: 503,
  UNAVAILABLE: 503,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TIMEOUT: 504,
  INTERNAL: 500,
};

/** An error as the service answers it: the status and the message safe to show the client. */
export interface HttpErrorAnswer {
  readonly statusCode: number;
  readonly message: string;
  readonly code: MlsdErrorCode;
  /** True when the error is the server's fault and must be logged with its cause. */
  readonly internal: boolean;
}

const GENERIC_MESSAGE = 'Internal error while handling the request; the server log has the details (look up the request id).';

/**
 * Maps anything thrown while handling a request to its answer: an MlsdError through {@link HTTP_STATUS_BY_CODE};
 * a Fastify client error (bad JSON, body too large, forbidden `__proto__`, wrong content type) keeps its 4xx status
 * and message; anything else is a 500 with a generic message (never the internal details).
 */
export function toHttpError(error: unknown): HttpErrorAnswer {
  if (isMlsdError(error)) {
    const statusCode = HTTP_STATUS_BY_CODE[error.code];
    const internal = statusCode === 500;
    return { statusCode, message: internal ? GENERIC_MESSAGE : error.message, code: error.code, internal };
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = error instanceof Error ? error.message : String(error);
    return { statusCode, message, code: 'INVALID_INPUT', internal: false };
  }
  return { statusCode: 500, message: GENERIC_MESSAGE, code: 'INTERNAL', internal: true };
}
