/**
 * The bounds every stage applies to event times and numeric values (ingest, the online executor, serving), kept in
 * one place so a library user, a file and a request meet the same rules. Each check returns `undefined` when the
 * value is acceptable, else the reason as a phrase that completes "<field> <reason>", naming the bound and how
 * to fix the value; the caller adds where (file and line, batch item, field) and its own error code.
 */

/**
 * The largest absolute epoch-millisecond value a JavaScript `Date` holds (±100,000,000 days around 1970, i.e. years
 * -271821 to 275760, ECMA-262 §21.4.1.1). Beyond it `new Date(t).toISOString()` throws.
 */
export const MAX_EVENT_TIME_MS = 8.64e15;

/**
 * Epoch-millisecond times below this (1973-03-03T09:46:40Z) are refused as ambiguous: the same digits read as
 * epoch *seconds* are any date from 1970 to the year 5138, and a client that sends seconds (`1522540831` for
 * 2018-04-01) would otherwise be read as January 1970.
 */
export const MIN_UNAMBIGUOUS_EPOCH_MS = 1e11;

/**
 * The default horizon of {@link checkEventTime}: how far an event may be ahead of the latest event time seen (or
 * the clock, when that is later), in ms. One day.
 */
export const DEFAULT_TIME_HORIZON_MS = 86_400_000;

/** How {@link checkEventTime} bounds an event time. */
export interface EventTimeBounds {
  /**
   * The latest event time accepted so far (epoch ms), or `-Infinity` when none was. Together with `now` it is the
   * reference of the horizon: an event more than `horizonMs` after `max(latest, now)` is refused.
   */
  readonly latest: number;
  /** The wall clock (epoch ms), so that replays of history are always accepted and the first event is bounded too. */
  readonly now: number;
  /** How far ahead of the reference an event may be, ms. Default {@link DEFAULT_TIME_HORIZON_MS}. */
  readonly horizonMs?: number;
  /** When false, times below {@link MIN_UNAMBIGUOUS_EPOCH_MS} are accepted (e.g. synthetic times from 0). Default true. */
  readonly refuseAmbiguousEpoch?: boolean;
}

/**
 * Why `time` (epoch ms UTC) is not an acceptable event time, or undefined when it is: it must be a finite number,
 * inside the JavaScript date range, not below {@link MIN_UNAMBIGUOUS_EPOCH_MS} (epoch seconds sent as
 * milliseconds), and not more than the horizon ahead of the latest event time seen and of the clock (a typo such
 * as `9999-12-31` would otherwise poison every later event of its entities).
 */
export function checkEventTime(time: number, bounds: EventTimeBounds): string | undefined {
  if (typeof time !== 'number' || !Number.isFinite(time)) return `is ${String(time)}; give the event time as finite epoch milliseconds (UTC)`;
  if (Math.abs(time) > MAX_EVENT_TIME_MS) {
    return `is ${time}, outside the JavaScript date range ±${MAX_EVENT_TIME_MS} epoch ms; give the event time in epoch milliseconds (UTC)`;
  }
  if (bounds.refuseAmbiguousEpoch !== false && time < MIN_UNAMBIGUOUS_EPOCH_MS) {
    return (
      `is ${time} epoch ms (${new Date(time).toISOString()}), below ${MIN_UNAMBIGUOUS_EPOCH_MS} (1973-03-03): ambiguous with epoch seconds; ` +
      `send milliseconds (seconds × 1000) or a 'YYYY-MM-DD HH:MM:SS' date-time`
    );
  }
  const horizon = bounds.horizonMs ?? DEFAULT_TIME_HORIZON_MS;
  const reference = Math.max(bounds.latest, bounds.now);
  if (time > reference + horizon) {
    return (
      `is ${new Date(time).toISOString()}, more than the horizon of ${horizon} ms ahead of the latest event time seen and of the clock ` +
      `(${new Date(reference).toISOString()}); check the date, or raise the time horizon`
    );
  }
  return undefined;
}

/** Inclusive bounds of a numeric value; either may be absent. */
export interface NumericBounds {
  readonly min?: number;
  readonly max?: number;
}

/** Why `value` is not a finite number within `bounds` (inclusive), or undefined when it is. */
export function checkNumber(value: number, bounds: NumericBounds = {}): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return `is ${String(value)}; give a finite number`;
  if (bounds.min !== undefined && value < bounds.min) return `is ${value}, below the minimum ${bounds.min}`;
  if (bounds.max !== undefined && value > bounds.max) return `is ${value}, above the maximum ${bounds.max}`;
  return undefined;
}
