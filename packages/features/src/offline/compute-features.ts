import { ColumnTable, MlsdError, denseMatrix, requireColumn, roleColumn, type Column, type DenseMatrix, type Schema } from '@mlsd/data';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { resolveFeatures, type ResolvedFeature } from '../definitions/resolve-features.js';
import { calendarColumn } from './calendar-column.js';
import { blockSlots, entityCodes, entityLayout, timeOrder } from './entity-order.js';
import {
  delayedLabelsKernel,
  extremumKernel,
  stdKernel,
  sumWindowsKernel,
  type DelayedWindowColumns,
  type Lane,
  type LaneOutput,
  type SumWindowColumns,
} from './window-kernels.js';

/** Options of {@link computeFeatures}. */
export interface ComputeFeaturesOptions {
  /** The event-time column (timestamp, epoch ms UTC). Default: the `schema`'s `event-time` column, else `TX_DATETIME`. */
  readonly time?: string;
  /** The table's schema: its `event-time` column is the default `time`. */
  readonly schema?: Schema;
}

/**
 * The offline executor: computes every feature of `definitions` for every row of `table`, point-in-time correct,
 * and returns one `float` column per feature, named and ordered as the definitions, rows in the table's order.
 * Rows need not be sorted: each entity's rows are put in event order (time, then row index) once, and every
 * window is a two-pointer sweep over typed arrays. Throws `INVALID_INPUT` naming the row and column of a missing
 * entity key, a non-finite time or windowed value, or a label other than 0/1.
 */
export function computeFeatures(table: ColumnTable, definitions: readonly FeatureDefinition[], options: ComputeFeaturesOptions = {}): ColumnTable {
  const features = resolveFeatures(definitions);
  const columns = computeFeatureColumns(table, features, roleColumn(options.time, options.schema, 'event-time', 'TX_DATETIME'));
  const out = new Map<string, Column>();
  features.forEach((feature, f) => out.set(feature.name, { type: 'float', values: columns[f]! }));
  return new ColumnTable(out);
}

/** Like {@link computeFeatures}, as a row-major {@link DenseMatrix} with the feature names (written in place, no copy). */
export function computeFeatureMatrix(table: ColumnTable, definitions: readonly FeatureDefinition[], options: ComputeFeaturesOptions = {}): DenseMatrix {
  const features = resolveFeatures(definitions);
  const rows = table.rowCount;
  const cols = features.length;
  const data = new Float64Array(rows * cols);
  computeInto(
    table,
    features,
    roleColumn(options.time, options.schema, 'event-time', 'TX_DATETIME'),
    features.map((_, f) => ({ data, stride: cols, offset: f })),
  );
  return denseMatrix(
    data,
    rows,
    cols,
    features.map((feature) => feature.name),
  );
}

/** Where results go: row `r` of a feature is written to `data[r * stride + offset]` (a column or a matrix column). */
interface Sink {
  readonly data: Float64Array;
  readonly stride: number;
  readonly offset: number;
}

/** The feature columns of resolved features (the engine behind {@link computeFeatures}). */
export function computeFeatureColumns(table: ColumnTable, features: readonly ResolvedFeature[], time: string): Float64Array[] {
  const columns = features.map(() => new Float64Array(table.rowCount));
  computeInto(
    table,
    features,
    time,
    columns.map((data) => ({ data, stride: 1, offset: 0 })),
  );
  return columns;
}

/** The windowed features of one entity column, as kernel work on its lane buffer. */
interface EntityWork {
  /** Final sink of each lane column, in lane column order. */
  readonly sinks: Sink[];
  /** Count/sum/mean/ratio windows per value column (`''` for count-only windows). */
  readonly sums: Map<string, { -readonly [K in keyof SumWindowColumns]: SumWindowColumns[K] }[]>;
  /** Delayed label windows per (label, delay). */
  readonly delayed: Map<string, { label: string; delayMs: number; windows: { -readonly [K in keyof DelayedWindowColumns]: DelayedWindowColumns[K] }[] }>;
  /** Min/max/std features, each one lane column. */
  readonly others: { feature: Extract<ResolvedFeature, { kind: 'window' }>; column: number }[];
}

/**
 * Computes `features` into `sinks` (one per feature, indexed by row). Row-wise features are written directly.
 * Windowed features run per entity column: rows are laid out by entity once, the kernels write into one
 * position-major buffer (windows over the same column, or labels with the same delay, share one sweep), and the
 * buffer is moved to row order in one pass.
 */
function computeInto(table: ColumnTable, features: readonly ResolvedFeature[], time: string, sinks: readonly Sink[]): void {
  const n = table.rowCount;
  requireFeatureColumns(table, features);
  // Read lazily: a pipeline of pass-through columns and encoders needs no time column.
  let timeValues: Float64Array | undefined;
  const timesOf = (): Float64Array => {
    if (timeValues === undefined) requireColumn(table, time, 'time', 'event-time');
    return (timeValues ??= table.numeric(time));
  };
  const work = new Map<string, EntityWork>();
  const workOf = (entity: string): EntityWork => {
    let entry = work.get(entity);
    if (entry === undefined) work.set(entity, (entry = { sinks: [], sums: new Map(), delayed: new Map(), others: [] }));
    return entry;
  };
  const sumWindow = (entry: EntityWork, column: string, windowMs: number, slot: 'count' | 'sum' | 'mean' | 'ratio') => {
    let windows = entry.sums.get(column);
    if (windows === undefined) entry.sums.set(column, (windows = []));
    let window = windows.find((w) => w.windowMs === windowMs && w[slot] === -1);
    if (window === undefined) windows.push((window = { windowMs, count: -1, sum: -1, mean: -1, ratio: -1 }));
    return window;
  };
  // Counts last, so that a count joins the sweep of a sum or mean over the same window when there is one.
  const counts: Extract<ResolvedFeature, { kind: 'window' }>[] = [];
  const countSinks: Sink[] = [];
  features.forEach((feature, f) => {
    const sink = sinks[f]!;
    switch (feature.kind) {
      case 'column':
      case 'log1p': {
        const values = passThroughValues(table, feature.column);
        const { data, stride, offset } = sink;
        for (let i = 0; i < n; i++) {
          const x = values[i]!;
          if (feature.kind === 'log1p' && x <= -1) {
            throw new MlsdError('INVALID_INPUT', `Column "${feature.column}" row ${i} is ${x}; log1p needs values > -1.`, {
              location: { row: i, column: feature.column },
            });
          }
          data[i * stride + offset] = feature.kind === 'log1p' ? Math.log1p(x) : x;
        }
        return;
      }
      case 'calendar': {
        calendarColumn(timesOf(), feature.flag, feature.offsetMs, feature.fromHour, feature.toHour, sink.data, sink.stride, sink.offset);
        return;
      }
      case 'window':
      case 'ratio-to-window-mean': {
        const entry = workOf(feature.entity);
        const agg = feature.kind === 'window' ? feature.agg : 'ratio';
        if (agg === 'count') {
          counts.push(feature as Extract<ResolvedFeature, { kind: 'window' }>);
          countSinks.push(sink);
          return;
        }
        const column = entry.sinks.push(sink) - 1;
        if (agg === 'sum' || agg === 'mean' || agg === 'ratio') sumWindow(entry, feature.column!, feature.windowMs, agg)[agg] = column;
        else entry.others.push({ feature: feature as Extract<ResolvedFeature, { kind: 'window' }>, column });
        return;
      }
      case 'delayed-label': {
        const entry = workOf(feature.entity);
        const key = `${feature.label}\u0000${feature.delayMs}`;
        let group = entry.delayed.get(key);
        if (group === undefined) entry.delayed.set(key, (group = { label: feature.label, delayMs: feature.delayMs, windows: [] }));
        const slot = feature.output;
        let window = group.windows.find((w) => w.windowMs === feature.windowMs && w[slot] === -1);
        if (window === undefined) group.windows.push((window = { windowMs: feature.windowMs, count: -1, rate: -1 }));
        window[slot] = entry.sinks.push(sink) - 1;
        return;
      }
    }
  });
  counts.forEach((feature, c) => {
    const entry = workOf(feature.entity);
    const column = [...entry.sums.keys()].find((key) => entry.sums.get(key)!.some((w) => w.windowMs === feature.windowMs && w.count === -1)) ?? '';
    sumWindow(entry, column, feature.windowMs, 'count').count = entry.sinks.push(countSinks[c]!) - 1;
  });

  if (work.size === 0) return;
  const times = timesOf();
  const byTime = timeOrder(times, time);
  // Scratch shared by the entity columns: fresh memory costs page faults (a large share of the run time at
  // millions of rows), so lane buffers are allocated once and reused.
  let widest = 0;
  for (const entry of work.values()) widest = Math.max(widest, entry.sinks.length);
  const buffer = new Float64Array(n * widest);
  const laneTimes = new Float64Array(n);
  const laneValues = new Float64Array(n);
  const laneLabels = new Uint8Array(n);
  const rowOf = new Int32Array(n);
  const slots = new Int32Array(n);
  const rowOfSlot = new Int32Array(n);
  for (const [entity, entry] of work) {
    const { codes, groupCount } = entityCodes(table, entity);
    const { starts, positions } = entityLayout(codes, groupCount, byTime);
    const lane: Lane = { starts, times: layOut(times, positions, laneTimes) };
    blockSlots(positions, rowOf, slots, rowOfSlot);
    const out: LaneOutput = { buffer, width: entry.sinks.length, slots };
    for (const [column, windows] of entry.sums) {
      const values = column === '' ? undefined : layOut(finiteValues(table, column), positions, laneValues);
      sumWindowsKernel(lane, values, windows, out);
    }
    for (const { label, delayMs, windows } of entry.delayed.values()) {
      delayedLabelsKernel(lane, layOut(labelValues(table, label), positions, laneLabels), delayMs, windows, out);
    }
    for (const { feature, column } of entry.others) {
      const values = layOut(finiteValues(table, feature.column!), positions, laneValues);
      if (feature.agg === 'std') stdKernel(lane, values, feature.windowMs, out, column);
      else extremumKernel(lane, values, feature.windowMs, feature.agg === 'max', out, column);
    }
    moveToRows(out.buffer, out.width, rowOfSlot, entry.sinks);
  }
}

/**
 * Throws `SCHEMA_MISMATCH` for the first column a feature reads that the table lacks, naming the feature and the
 * definition field to change.
 */
export function requireFeatureColumns(table: ColumnTable, features: readonly ResolvedFeature[]): void {
  for (const feature of features) {
    const reads: Array<[string, string | undefined]> =
      feature.kind === 'calendar'
        ? []
        : feature.kind === 'delayed-label'
          ? [
              ['entity', feature.entity],
              ['label', feature.label],
            ]
          : feature.kind === 'column' || feature.kind === 'log1p'
            ? [['column', feature.column]]
            : [
                ['entity', feature.entity],
                ['column', feature.column],
              ];
    for (const [field, column] of reads) {
      if (column === undefined || table.has(column)) continue;
      throw new MlsdError(
        'SCHEMA_MISMATCH',
        `Column "${column}" not found; feature "${feature.name}" reads it as its "${field}". The table has columns: ${table.columnNames.join(', ')}. ` +
          `Set the feature's "${field}" to one of them.`,
        { location: { column, field: `${feature.name}.${field}` } },
      );
    }
  }
}

/**
 * Writes slot-major `buffer` (`width` values per slot) to row order in `sinks`: slots are read in order, and the
 * rows of consecutive slots lie in one block of rows (see `blockSlots`), so writes stay inside a small window.
 */
function moveToRows(buffer: Float64Array, width: number, rowOfSlot: Int32Array, sinks: readonly Sink[]): void {
  const datas = sinks.map((sink) => sink.data);
  if (sinks.every((sink) => sink.stride === 1 && sink.offset === 0)) {
    // Separate columns (computeFeatures): no stride arithmetic in the loop.
    for (let s = 0; s < rowOfSlot.length; s++) {
      const row = rowOfSlot[s]!;
      const from = s * width;
      for (let j = 0; j < width; j++) datas[j]![row] = buffer[from + j]!;
    }
    return;
  }
  const strides = Int32Array.from(sinks, (sink) => sink.stride);
  const offsets = Int32Array.from(sinks, (sink) => sink.offset);
  for (let s = 0; s < rowOfSlot.length; s++) {
    const row = rowOfSlot[s]!;
    const from = s * width;
    for (let j = 0; j < width; j++) datas[j]![row * strides[j]! + offsets[j]!] = buffer[from + j]!;
  }
}

/** `source` (by row) laid out by entity into `out`: row r's value goes to `positions[r]`. Reads stream in row order. */
function layOut<T extends Float64Array | Uint8Array>(source: ArrayLike<number>, positions: Int32Array, out: T): T {
  for (let r = 0; r < positions.length; r++) out[positions[r]!] = source[r]!;
  return out;
}

function finiteValues(table: ColumnTable, column: string): Float64Array {
  const values = table.numeric(column);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new MlsdError(
        'INVALID_INPUT',
        `Column "${column}" row ${i} is ${values[i]}; windowed features need finite values (impute or drop the row first).`,
        { location: { row: i, column } },
      );
    }
  }
  return values;
}

function passThroughValues(table: ColumnTable, column: string): Float64Array {
  const values = table.numeric(column);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x === Infinity || x === -Infinity) {
      throw new MlsdError('INVALID_INPUT', `Column "${column}" row ${i} is ${x}; use a finite number, or NaN for a missing value.`, {
        location: { row: i, column },
      });
    }
  }
  return values;
}

/** The 0/1 labels of `column` (a label column, or a numeric one holding only 0 and 1). */
function labelValues(table: ColumnTable, column: string): ArrayLike<number> {
  const source = table.column(column);
  if (source.type === 'label') return source.values;
  const values = table.numeric(column);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 0 && v !== 1) {
      throw new MlsdError('INVALID_INPUT', `Label column "${column}" row ${i} is ${v}; labels must be 0 or 1.`, {
        location: { row: i, column },
      });
    }
  }
  return values;
}
