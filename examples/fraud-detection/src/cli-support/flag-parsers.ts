import { InvalidArgumentError } from 'commander';

/** Parses a flag that takes any whole number (e.g. a seed); commander prints the message and exits. */
export function integer(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}".`);
  return n;
}

/** Parses a flag that takes a whole number >= 0 (e.g. a count of days). */
export function wholeNumber(value: string): number {
  const n = integer(value);
  if (n < 0) throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}".`);
  return n;
}

/** Parses a flag that takes a whole number >= 1 (e.g. a number of customers, or k). */
export function positiveWholeNumber(value: string): number {
  const n = integer(value);
  if (n < 1) throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}".`);
  return n;
}

/** Parses a flag that takes a number > 0 (e.g. milliseconds). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number > 0, got "${value}".`);
  return n;
}

/** Parses a flag that takes a ratio in [0, 1]. */
export function ratio(value: string): number {
  const r = Number(value);
  if (value.trim() === '' || !(r >= 0 && r <= 1)) throw new InvalidArgumentError(`expected a number in [0, 1], got "${value}".`);
  return r;
}

/**
 * Parses a flag that takes a point in time (e.g. `--until`, `--from`): ISO 8601, as epoch ms. A date alone is
 * midnight UTC, and a date and time without a zone is UTC too, as the data's `TX_DATETIME` is read.
 */
export function isoTimeFlag(value: string): number {
  const text = value.trim().replace(/^(\d{4}-\d\d-\d\d) (?=\d)/, '$1T');
  const zoned = !text.includes('T') || /(Z|[+-]\d\d:?\d\d)$/i.test(text) ? text : `${text}Z`;
  const time = Date.parse(zoned);
  if (text === '' || !Number.isFinite(time)) throw new InvalidArgumentError(`expected an ISO 8601 time such as 2018-08-01T00:00:00Z, got "${value}".`);
  return time;
}
