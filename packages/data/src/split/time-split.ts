import { rejectUnknownOptions } from '../validation/validate-options.js';
import { MlsdError } from '../errors/mlsd-error.js';
import { requireColumn, roleColumn } from '../schema/column-roles.js';
import type { Schema } from '../schema/schema.js';
import type { ColumnTable } from '../table/column-table.js';
import type { Fold } from './fold.js';

const MS_PER_DAY = 86_400_000;

/** Options of {@link holdoutWithDelay}: a training window, a gap, then a test window, in whole days. */
export interface TimeSplitOptions {
  /** The event-time column, epoch ms. Default: the `schema`'s `event-time` column, else `TX_DATETIME`. */
  readonly timeColumn?: string;
  /** The table's schema: its `event-time` column is the default `timeColumn`. */
  readonly schema?: Schema;
  /** First training day, `YYYY-MM-DD` (midnight UTC) or an ISO date-time. The Handbook uses `2018-07-25`. */
  readonly start: string;
  /** Training days (Handbook: 7). */
  readonly trainDays: number;
  /** Days between training and test, in neither set: the time it takes for fraud labels to be known (Handbook: 7). */
  readonly delayDays: number;
  /** Test days (Handbook: 7). */
  readonly testDays: number;
  /**
   * Drop from each test day the cards already known to be compromised, as the Handbook does: on test day `t` a
   * card is known when it has a fraud (label 1) in `[start, t - delayDays)`, i.e. in the training period or on a
   * later day whose label has arrived by `t`. With `delayDays: 0` that is "the training period or an earlier test
   * day"; with the Handbook's 7/7/7 it adds the delay period day by day (its `get_train_test_set`).
   */
  readonly dropKnownCompromised?: { readonly cardColumn: string; readonly labelColumn: string };
}

/** Options of {@link prequentialFolds}: a time split plus the number of folds. */
export interface PrequentialOptions extends TimeSplitOptions {
  /** Number of folds (>= 1); fold `k` starts `k * testDays` days before `start`. */
  readonly folds: number;
}

const SPLIT_KEYS = ['timeColumn', 'schema', 'start', 'trainDays', 'delayDays', 'testDays', 'dropKnownCompromised'];

/**
 * A time-based train / delay / test split (Handbook ch. 3.4): train = rows in [start, start + trainDays),
 * test = rows in [start + trainDays + delayDays, + testDays), minus known-compromised cards when asked.
 * Row indices are ascending; rows in the delay window belong to neither set. The table need not be sorted.
 * Throws `INVALID_OPTION` for bad days or dates, `INVALID_INPUT` when the training window holds no rows.
 */
export function holdoutWithDelay(table: ColumnTable, options: TimeSplitOptions): Fold {
  checkKeys(options, SPLIT_KEYS);
  return split(table, options, parseStart(options.start), 'holdout');
}

/**
 * Prequential folds (Handbook ch. 5.2): the holdout window of {@link holdoutWithDelay} shifted back by
 * `testDays` per fold, so fold `k` trains on [start - k·testDays, + trainDays) and tests right after its delay.
 * Fold 0 is the most recent; names are `prequential-0`, `prequential-1`, ...
 */
export function prequentialFolds(table: ColumnTable, options: PrequentialOptions): Fold[] {
  checkKeys(options, [...SPLIT_KEYS, 'folds']);
  if (!Number.isInteger(options.folds) || options.folds < 1) {
    throw new MlsdError('INVALID_OPTION', `Option "folds" must be a whole number >= 1, got ${options.folds}.`, {
      location: { field: 'folds' },
    });
  }
  const start = parseStart(options.start);
  const folds: Fold[] = [];
  for (let k = 0; k < options.folds; k++) {
    folds.push(split(table, options, start - k * options.testDays * MS_PER_DAY, `prequential-${k}`));
  }
  return folds;
}

function split(table: ColumnTable, options: TimeSplitOptions, startMs: number, name: string): Fold {
  const trainDays = wholeDays(options.trainDays, 'trainDays', 1);
  const delayDays = wholeDays(options.delayDays, 'delayDays', 0);
  const testDays = wholeDays(options.testDays, 'testDays', 1);
  const timeColumn = roleColumn(options.timeColumn, options.schema, 'event-time', 'TX_DATETIME');
  requireColumn(table, timeColumn, 'timeColumn', 'event-time');
  const time = table.numeric(timeColumn);
  const n = table.rowCount;
  const testStart = startMs + (trainDays + delayDays) * MS_PER_DAY;

  // Day of each row relative to start (floor), so windows are whole UTC days from `start`.
  const train = new Int32Array(n);
  let trainSize = 0;
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    if (t >= startMs && t < startMs + trainDays * MS_PER_DAY) train[trainSize++] = i;
  }
  if (trainSize === 0) {
    throw new MlsdError(
      'INVALID_INPUT',
      `Split "${name}": no rows in the training window starting ${new Date(startMs).toISOString()} (${trainDays} days) of column ${timeColumn}. ` +
        `Choose a start inside the data${name.startsWith('prequential') ? ' or fewer folds' : ''}.`,
      { location: { column: timeColumn } },
    );
  }

  let dropped: ((row: number, testDay: number) => boolean) | undefined;
  if (options.dropKnownCompromised !== undefined) {
    dropped = knownCompromised(table, options.dropKnownCompromised, time, startMs, delayDays, testDays, testStart);
  }
  const test = new Int32Array(n);
  let testSize = 0;
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    if (t < testStart || t >= testStart + testDays * MS_PER_DAY) continue;
    if (dropped?.(i, Math.floor((t - testStart) / MS_PER_DAY))) continue;
    test[testSize++] = i;
  }
  return { name, train: train.slice(0, trainSize), test: test.slice(0, testSize) };
}

/**
 * For each test day `d`, the cards with a fraud in [start, testStart + d·day - delay): returns a predicate
 * "row `i` on test day `d` belongs to a known-compromised card". Cards are compared by value.
 */
function knownCompromised(
  table: ColumnTable,
  columns: { readonly cardColumn: string; readonly labelColumn: string },
  time: Float64Array,
  startMs: number,
  delayDays: number,
  testDays: number,
  testStart: number,
): (row: number, testDay: number) => boolean {
  const card = cardKeys(table, columns.cardColumn);
  const label = table.labels(columns.labelColumn);
  // firstKnownDay[card] = first test day from which the card is known (its earliest fraud + delay + 1 day).
  const knownFrom = new Map<number, number>();
  for (let i = 0; i < time.length; i++) {
    if (label[i] !== 1) continue;
    const t = time[i]!;
    if (t < startMs) continue;
    // Fraud at t is known on test day d when t < testStart + d·day - delay·day.
    const day = Math.floor((t - testStart + delayDays * MS_PER_DAY) / MS_PER_DAY) + 1;
    if (day >= testDays) continue;
    const key = card[i]!;
    const current = knownFrom.get(key);
    if (current === undefined || day < current) knownFrom.set(key, Math.max(0, day));
  }
  return (row, testDay) => {
    const from = knownFrom.get(card[row]!);
    return from !== undefined && testDay >= from;
  };
}

function cardKeys(table: ColumnTable, name: string): Float64Array | Int32Array {
  const column = table.column(name);
  if (column.type === 'category') return column.codes;
  if (column.type === 'label') {
    throw new MlsdError('INVALID_OPTION', `cardColumn "${name}" is a label column; give the card or customer id column.`, {
      location: { column: name },
    });
  }
  return column.values;
}

function parseStart(start: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(start) ? Date.parse(`${start}T00:00:00Z`) : Date.parse(start);
  if (typeof start !== 'string' || !Number.isFinite(ms)) {
    throw new MlsdError('INVALID_OPTION', `Option "start" must be a date YYYY-MM-DD (midnight UTC) or an ISO date-time, got "${start}".`, {
      location: { field: 'start' },
    });
  }
  return ms;
}

function wholeDays(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new MlsdError('INVALID_OPTION', `Option "${name}" must be a whole number of days >= ${min}, got ${value}.`, {
      location: { field: name },
    });
  }
  return value;
}

function checkKeys(options: object, valid: readonly string[]): void {
  rejectUnknownOptions('split', options, valid);
}
