import { isRequired, type ColumnSpec } from '../schema/schema.js';
import { MAX_EVENT_TIME_MS } from '../schema/value-bounds.js';

/** Per-value outcome codes computed in SQL ({@link ColumnSql.code}); `OK` is a valid value. */
export const OK = 0;
const MISSING = 1;
const UNPARSEABLE = 2;
const BELOW_MIN = 3;
const ABOVE_MAX = 4;
const OUT_OF_DATE_RANGE = 5;
const TOO_FAR_AHEAD = 6;
/** Integers must stay exact in a Float64Array. */
const MAX_EXACT_INTEGER = 2 ** 53;

/** The SQL that parses and judges one column (see {@link columnSql}). */
export interface ColumnSql {
  /** The text parsed to a DOUBLE (category: trimmed text), NULL when it cannot be. */
  readonly parse: string;
  /** The outcome code of the value: `OK`, `MISSING`, `UNPARSEABLE`, `BELOW_MIN`, … (see {@link reasonFor}). */
  readonly code: string;
  /** `code = OK` as a boolean, cheaper to evaluate on every row. */
  readonly ok: string;
}

/**
 * SQL for one column. `parse` turns the text into a DOUBLE (category: trimmed text), NULL when it cannot;
 * `code` (over the parsed value `p` and the text `raw`) is OK, MISSING, UNPARSEABLE, BELOW_MIN, …; `ok` is `code = OK`. Casts read
 * surrounding spaces themselves, so `trim` only runs on values that failed to parse (it is costly per row).
 */
export function columnSql(spec: ColumnSpec, raw: string, p: string, maxEventTime: number): ColumnSql {
  let parse: string;
  let valid: string;
  switch (spec.type) {
    case 'integer':
      parse = `TRY_CAST(${raw} AS DOUBLE)`;
      valid = `isfinite(${p}) AND ${p} = floor(${p}) AND abs(${p}) <= ${MAX_EXACT_INTEGER}`;
      break;
    case 'float':
      parse = `TRY_CAST(${raw} AS DOUBLE)`;
      valid = `isfinite(${p})`;
      break;
    case 'timestamp':
      // Length 19 is the common `YYYY-MM-DD HH:MM:SS`, read as UTC. Shorter is refused (a date alone would be read
      // as midnight). Longer may end in a zone offset, which the TIMESTAMP cast would silently drop: those are
      // read as TIMESTAMPTZ, giving the true instant; the others (fractions, spaces) as UTC.
      parse =
        `CASE WHEN length(${raw}) = 19 THEN CAST(epoch_ms(TRY_CAST(${raw} AS TIMESTAMP)) AS DOUBLE) ` +
        `WHEN length(${raw}) > 19 THEN CASE WHEN regexp_matches(${raw}, '([+-][0-9]{2}(:?[0-9]{2})?|Z)\\s*$') ` +
        `THEN CAST(epoch_ms(TRY_CAST(${raw} AS TIMESTAMPTZ)) AS DOUBLE) ` +
        `ELSE CAST(epoch_ms(TRY_CAST(${raw} AS TIMESTAMP)) AS DOUBLE) END END`;
      valid = `${p} IS NOT NULL`;
      break;
    case 'label':
      parse =
        `CAST(CASE ${raw} WHEN '0' THEN 0 WHEN '1' THEN 1 ELSE ` +
        `CASE lower(trim(${raw})) WHEN '0' THEN 0 WHEN '1' THEN 1 WHEN 'false' THEN 0 WHEN 'true' THEN 1 END END AS DOUBLE)`;
      valid = `${p} IS NOT NULL`;
      break;
    case 'category':
      parse = `nullif(trim(${raw}), '')`;
      valid = `${p} IS NOT NULL`;
      break;
  }
  const checks: [condition: string, code: number][] = [];
  if (spec.type === 'timestamp') checks.push([`abs(${p}) > ${MAX_EVENT_TIME_MS}`, OUT_OF_DATE_RANGE], [`${p} > ${maxEventTime}`, TOO_FAR_AHEAD]);
  if (spec.min !== undefined) checks.push([`${p} < ${spec.min}`, BELOW_MIN]);
  if (spec.max !== undefined) checks.push([`${p} > ${spec.max}`, ABOVE_MAX]);
  const whenValid = checks.length === 0 ? `${OK}` : `CASE ${checks.map(([condition, code]) => `WHEN ${condition} THEN ${code}`).join(' ')} ELSE ${OK} END`;
  const code =
    `CASE WHEN ${valid} THEN ${whenValid} ` + `WHEN ${raw} IS NULL OR trim(${raw}) = '' THEN ${isRequired(spec) ? MISSING : OK} ELSE ${UNPARSEABLE} END`;
  // The same rule as a boolean (code = OK), cheaper to evaluate on every row: the code itself is computed only for
  // the rows that fail.
  const inBounds = checks.length === 0 ? 'true' : `NOT (${checks.map(([condition]) => condition).join(' OR ')})`;
  const ok = `CASE WHEN ${valid} THEN ${inBounds} ELSE ${isRequired(spec) ? 'false' : `(${raw} IS NULL OR trim(${raw}) = '')`} END`;
  return { parse, code, ok };
}

/** The reject reason for outcome `code` of a value of column `spec`. */
export function reasonFor(spec: ColumnSpec, code: number, maxEventTime: number): string {
  if (code === MISSING) return 'is missing (required column)';
  if (code === BELOW_MIN) return `is below the minimum ${spec.min}`;
  if (code === ABOVE_MAX) return `is above the maximum ${spec.max}`;
  if (code === OUT_OF_DATE_RANGE) return `is outside the JavaScript date range (±${MAX_EVENT_TIME_MS} epoch ms)`;
  if (code === TOO_FAR_AHEAD)
    return `is after the latest accepted event time ${new Date(maxEventTime).toISOString()} (maxEventTime: the clock plus one day by default)`;
  switch (spec.type) {
    case 'integer':
      return 'is not an integer (whole number within ±2^53)';
    case 'float':
      return 'is not a finite number';
    case 'timestamp':
      return 'is not a timestamp (expected YYYY-MM-DD HH:MM:SS or YYYY-MM-DDTHH:MM:SS)';
    case 'label':
      return 'is not a label (expected 0 or 1)';
    default:
      return 'is not valid';
  }
}
