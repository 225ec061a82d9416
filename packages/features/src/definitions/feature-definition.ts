import type { Duration } from './duration.js';

/** The aggregates a {@link WindowFeature} can take over its window. `std` is the population standard deviation. */
export type WindowAggregate = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'std';

/**
 * A per-entity time-window aggregate. For an event of entity `e` at time `t`, the window holds the events of `e`
 * with time in `(t - window, t]` that come at or before it in event order (time, then arrival/row order): it always
 * includes the current event, so `count` >= 1 and `mean` is defined.
 */
export interface WindowFeature {
  readonly kind: 'window';
  /**
   * Output name; defaults to `<entity>_<AGG>_<column>_<window>`, e.g. `CUSTOMER_ID_MEAN_TX_AMOUNT_1D`, and to
   * `<entity>_COUNT_<window>` for a count.
   */
  readonly name?: string;
  /** The entity key column (integer or category), e.g. `CUSTOMER_ID`. */
  readonly entity: string;
  /** The numeric column aggregated; not used (may be omitted) for `count`. */
  readonly column?: string;
  readonly agg: WindowAggregate;
  readonly window: Duration;
}

/**
 * A per-entity delayed label statistic ("risk"). Labels become known only `delay` after their event, so for an
 * event at `t` the window is `(t - (window + delay), t - delay]`: `count` is the number of the entity's events in
 * it, `rate` the fraction of them labelled 1 (0 when the window is empty). `delay` must be > 0, so the current
 * event's own label can never leak in.
 */
export interface DelayedLabelFeature {
  readonly kind: 'delayed-label';
  /**
   * Output name; defaults to `<entity>_<label>_RATE_<window>_DELAY_<delay>` for a rate (e.g.
   * `USER_ID_CLICKED_RATE_7D_DELAY_1H`) and `<entity>_COUNT_<window>_DELAY_<delay>` for a count.
   */
  readonly name?: string;
  readonly entity: string;
  /** The 0/1 label column, e.g. `TX_FRAUD`. */
  readonly label: string;
  readonly window: Duration;
  readonly delay: Duration;
  readonly output: 'count' | 'rate';
}

/**
 * A 0/1 calendar flag of the event time (UTC shifted by `utcOffsetMinutes`): `weekend` is Saturday or Sunday;
 * `night` is an hour within `nightHours` (inclusive, wrapping past midnight when from > to; default `[0, 6]`,
 * i.e. 00:00 to 06:59 as in the Handbook's `hour <= 6`).
 */
export interface CalendarFeature {
  readonly kind: 'calendar';
  readonly name?: string;
  readonly flag: 'weekend' | 'night';
  readonly nightHours?: readonly [number, number];
  /** Minutes added to UTC before reading the day and hour (e.g. 60 for UTC+1); default 0. */
  readonly utcOffsetMinutes?: number;
}

/** A numeric column of the event, passed through unchanged (e.g. `TX_AMOUNT`). */
export interface ColumnFeature {
  readonly kind: 'column';
  readonly name?: string;
  readonly column: string;
}

/** `ln(1 + x)` of a numeric column whose values must be > -1 (e.g. a log amount). */
export interface Log1pFeature {
  readonly kind: 'log1p';
  readonly name?: string;
  readonly column: string;
}

/**
 * The event's value of `column` divided by the entity's mean of it over `window` (window as in
 * {@link WindowFeature}, current event included); 0 when that mean is 0.
 */
export interface RatioToWindowMeanFeature {
  readonly kind: 'ratio-to-window-mean';
  readonly name?: string;
  readonly entity: string;
  readonly column: string;
  readonly window: Duration;
}

/** One serialisable feature definition: plain JSON, told apart by `kind`. */
export type FeatureDefinition = WindowFeature | DelayedLabelFeature | CalendarFeature | ColumnFeature | Log1pFeature | RatioToWindowMeanFeature;

/** The `kind` of a {@link FeatureDefinition}. */
export type FeatureKind = FeatureDefinition['kind'];
