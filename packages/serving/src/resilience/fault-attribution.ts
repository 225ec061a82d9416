import { isMlsdError } from '@mlsd/data';

/**
 * The one rule of who is to blame for an error on the scoring path. A circuit breaker protects everyone from a
 * failing *dependency*; it must never open because of what one client sent. So only these count as a
 * dependency's failure: it could not be reached or answered an error of its own (`UNAVAILABLE`, `IO_ERROR`), or it
 * did not answer in time (`TIMEOUT`). Anything else — the event refused (`INVALID_INPUT`), or code that threw on
 * the event's values (`toISOString()` of an out-of-range date, a model on an Infinity feature) — is that event's
 * own error: it gets its own 4xx or a fallback answer, and the breaker hears that the dependency answered.
 */
export function isDependencyFailure(error: unknown): boolean {
  return isMlsdError(error, 'UNAVAILABLE') || isMlsdError(error, 'TIMEOUT') || isMlsdError(error, 'IO_ERROR');
}

/**
 * True when a model failure on `input` is the event's own doing: the vector holds a non-finite value (NaN from a
 * missing value the model cannot take, ±Infinity), so the same model may well answer the next event. A model that
 * fails on an all-finite vector is failing itself and counts against its breaker.
 */
export function isEventCausedModelFailure(input: ArrayLike<number>): boolean {
  for (let i = 0; i < input.length; i++) if (!Number.isFinite(input[i]!)) return true;
  return false;
}
