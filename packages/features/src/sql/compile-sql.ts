import { MlsdError } from '@mlsd/data';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { resolveFeatures, type ResolvedFeature } from '../definitions/resolve-features.js';

/** The SQL engines the compiled features run on as they are; other engines need the edits the README lists. */
export type SqlDialect = 'duckdb' | 'postgres';

/** Options of {@link compileFeatureSql}. */
export interface FeatureSqlOptions {
  /** A FROM-clause relation holding the events: a table name, `read_parquet('x.parquet')`, or `(SELECT …)`. */
  readonly source: string;
  /** The event-time column of `source`: a TIMESTAMP (UTC), or epoch milliseconds when `timeIsEpochMs`. */
  readonly time: string;
  /** True when `time` holds epoch milliseconds (a number) rather than a TIMESTAMP. Default false. */
  readonly timeIsEpochMs?: boolean;
  /**
   * The column that orders events with equal times (arrival order: the row index of the typed executor). Output
   * rows are sorted by it.
   */
  readonly order: string;
  /** Columns of `source` written before the features, unchanged (default: only `order`). */
  readonly keep?: readonly string[];
  /** Default `duckdb`. */
  readonly dialect?: SqlDialect;
}

const DAY_MS = 86_400_000;
const UNITS: ReadonlyArray<readonly [number, string]> = [
  [DAY_MS, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1_000, 'second'],
];

/**
 * Compiles feature definitions to one SQL query with window functions, giving the same values as the typed
 * executor (`computeFeatures`): one row per event of `source`, sorted by `order`, with the `keep` columns and then
 * one column per feature, named as the features.
 *
 * Point in time as in the typed executor: a window `(t - w, t]` holds the entity's events up to the current one in
 * event order (time, then `order`), computed as the running aggregate over `ROWS … CURRENT ROW` minus the one over
 * `RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 'w' PRECEDING` (the events at or before `t - w`). Delayed-label
 * windows `(t - w - d, t - d]` are differences of two such RANGE frames. Only standard window frames are used, so
 * the query also runs, with the edits the features README lists, on Spark SQL, Trino or BigQuery.
 *
 * Throws `INVALID_OPTION` for `min`, `max` and `std` windows (not expressible as frame differences; use the typed
 * executor for them).
 */
export function compileFeatureSql(definitions: readonly FeatureDefinition[], options: FeatureSqlOptions): string {
  const features = resolveFeatures(definitions);
  const dialect = options.dialect ?? 'duckdb';
  const q = quote;
  const order = q(options.order);
  const time = options.timeIsEpochMs === true ? epochMsToTimestamp(q(options.time), dialect) : q(options.time);
  const windows = new Map<string, string>();
  /** A named window over `entity`: the running frame in event order, or the events at or before `t - ms`. */
  const windowOf = (entity: string, ms: number | 'upto'): string => {
    const name = ms === 'upto' ? `${entity}__upto_now` : `${entity}__upto_${intervalName(ms)}_ago`;
    if (!windows.has(name)) {
      windows.set(
        name,
        ms === 'upto'
          ? `PARTITION BY ${q(entity)} ORDER BY __t, ${order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW`
          : `PARTITION BY ${q(entity)} ORDER BY __t RANGE BETWEEN UNBOUNDED PRECEDING AND ${interval(ms)} PRECEDING`,
      );
    }
    return q(name);
  };
  /** An aggregate over the window `(t - ms, t]` in event order, as a difference of two running aggregates. */
  const inWindow = (aggregate: string, entity: string, ms: number): string =>
    `(${aggregate} OVER ${windowOf(entity, 'upto')} - coalesce(${aggregate} OVER ${windowOf(entity, ms)}, 0))`;
  /** An aggregate over the delayed window `(t - w - d, t - d]`. */
  const inDelayed = (aggregate: string, entity: string, windowMs: number, delayMs: number): string =>
    `(coalesce(${aggregate} OVER ${windowOf(entity, delayMs)}, 0) - coalesce(${aggregate} OVER ${windowOf(entity, windowMs + delayMs)}, 0))`;

  const columns = features.map((feature) => `  ${featureSql(feature, dialect, inWindow, inDelayed)} AS ${q(feature.name)}`);
  const keep = (options.keep ?? [options.order]).map((name) => `  ${q(name)}`);
  const windowLines = [...windows].map(([name, spec]) => `  ${q(name)} AS (${spec})`);
  return [
    `-- ${features.length} features, compiled by @mlsd/features (${dialect}); __t is the event time as a TIMESTAMP`,
    `WITH events AS (SELECT *, ${time} AS __t FROM ${options.source})`,
    'SELECT',
    [...keep, ...columns].join(',\n'),
    'FROM events',
    ...(windowLines.length > 0 ? ['WINDOW', windowLines.join(',\n')] : []),
    `ORDER BY ${order}`,
  ].join('\n');
}

function featureSql(
  feature: ResolvedFeature,
  dialect: SqlDialect,
  inWindow: (aggregate: string, entity: string, ms: number) => string,
  inDelayed: (aggregate: string, entity: string, windowMs: number, delayMs: number) => string,
): string {
  const double = dialect === 'postgres' ? 'DOUBLE PRECISION' : 'DOUBLE';
  switch (feature.kind) {
    case 'column':
      return `CAST(${quote(feature.column)} AS ${double})`;
    case 'log1p':
      return `ln(1 + CAST(${quote(feature.column)} AS ${double}))`;
    case 'calendar': {
      const local = feature.offsetMs === 0 ? '__t' : `(__t + ${interval(feature.offsetMs)})`;
      if (feature.flag === 'weekend') return `CAST(CASE WHEN EXTRACT(DOW FROM ${local}) IN (0, 6) THEN 1 ELSE 0 END AS ${double})`;
      const hour = `EXTRACT(HOUR FROM ${local})`;
      const inside =
        feature.fromHour <= feature.toHour
          ? `${hour} BETWEEN ${feature.fromHour} AND ${feature.toHour}`
          : `(${hour} >= ${feature.fromHour} OR ${hour} <= ${feature.toHour})`;
      return `CAST(CASE WHEN ${inside} THEN 1 ELSE 0 END AS ${double})`;
    }
    case 'window':
    case 'ratio-to-window-mean': {
      const agg = feature.kind === 'window' ? feature.agg : 'ratio';
      if (agg === 'min' || agg === 'max' || agg === 'std') {
        throw new MlsdError(
          'INVALID_OPTION',
          `Feature "${feature.name}" (agg "${agg}") cannot be compiled to SQL: only count, sum, mean, ratio-to-window-mean, ` +
            'delayed-label, calendar, column and log1p features are. Compute it with the typed executor (--engine typed).',
          { location: { field: `${feature.name}.agg` } },
        );
      }
      const count = inWindow('count(*)', feature.entity, feature.windowMs);
      if (agg === 'count') return `CAST(${count} AS ${double})`;
      const value = `CAST(${quote(feature.column!)} AS ${double})`;
      const sum = inWindow(`sum(${value})`, feature.entity, feature.windowMs);
      if (agg === 'sum') return sum;
      const mean = `(${sum} / ${count})`;
      if (agg === 'mean') return mean;
      return `CASE WHEN ${mean} = 0 THEN 0 ELSE ${value} / ${mean} END`;
    }
    case 'delayed-label': {
      const count = inDelayed('count(*)', feature.entity, feature.windowMs, feature.delayMs);
      if (feature.output === 'count') return `CAST(${count} AS ${double})`;
      const positives = inDelayed(`sum(CAST(${quote(feature.label)} AS ${double}))`, feature.entity, feature.windowMs, feature.delayMs);
      return `CASE WHEN ${count} = 0 THEN 0 ELSE ${positives} / ${count} END`;
    }
  }
}

function epochMsToTimestamp(column: string, dialect: SqlDialect): string {
  // Whole milliseconds: both engines hold TIMESTAMPs in microseconds.
  return dialect === 'postgres' ? `(TIMESTAMP '1970-01-01' + ${column} * INTERVAL '1 millisecond')` : `epoch_ms(CAST(${column} AS BIGINT))`;
}

/** `INTERVAL '7 days'`: the largest unit that divides `ms` exactly. */
function interval(ms: number): string {
  for (const [size, unit] of UNITS) {
    if (ms % size === 0) return `INTERVAL '${ms / size} ${unit}${ms / size === 1 ? '' : 's'}'`;
  }
  return `INTERVAL '${ms} milliseconds'`;
}

function intervalName(ms: number): string {
  return interval(ms).slice(10, -1).replace(' ', '');
}

/** A double-quoted SQL identifier. */
function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
