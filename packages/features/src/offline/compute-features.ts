import { ColumnTable, MlsdError, denseMatrix, type Column, type DenseMatrix } from '@mlsd/data';
import { nightFlag, weekendFlag } from '../definitions/calendar-flag.js';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { resolveFeatures, type ResolvedFeature } from '../definitions/resolve-features.js';
import { entityCodes, groupByEntity, timeOrder, type EntityGroups } from './entity-order.js';
import { delayedLabelKernel, windowKernel } from './window-kernels.js';

/** Options of {@link computeFeatures}. */
export interface ComputeFeaturesOptions {
  /** The event-time column (timestamp, epoch ms UTC). Default `TX_DATETIME`. */
  readonly time?: string;
}

/**
 * The offline executor: computes every feature of `definitions` for every row of `table`, point-in-time correct,
 * and returns one `float` column per feature, named and ordered as the definitions, rows in the table's order.
 * Rows need not be sorted: each entity's rows are put in event order (time, then row index) once, and every
 * window is a two-pointer sweep over typed arrays. Throws `INVALID_INPUT` naming the row and column of a missing
 * entity key, a non-finite time or windowed value, or a label other than 0/1.
 */
export function computeFeatures(
  table: ColumnTable,
  definitions: readonly FeatureDefinition[],
  options: ComputeFeaturesOptions = {},
): ColumnTable {
  const features = resolveFeatures(definitions);
  const columns = computeFeatureColumns(table, features, options.time ?? 'TX_DATETIME');
  const out = new Map<string, Column>();
  features.forEach((feature, f) => out.set(feature.name, { type: 'float', values: columns[f]! }));
  return new ColumnTable(out);
}

/** Like {@link computeFeatures}, as a row-major {@link DenseMatrix} with the feature names. */
export function computeFeatureMatrix(
  table: ColumnTable,
  definitions: readonly FeatureDefinition[],
  options: ComputeFeaturesOptions = {},
): DenseMatrix {
  const features = resolveFeatures(definitions);
  const columns = computeFeatureColumns(table, features, options.time ?? 'TX_DATETIME');
  const rows = table.rowCount;
  const cols = columns.length;
  const data = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    const column = columns[c]!;
    for (let r = 0; r < rows; r++) data[r * cols + c] = column[r]!;
  }
  return denseMatrix(data, rows, cols, features.map((feature) => feature.name));
}

/** The feature columns of resolved features (the engine behind {@link computeFeatures}). */
export function computeFeatureColumns(table: ColumnTable, features: readonly ResolvedFeature[], time: string): Float64Array[] {
  const n = table.rowCount;
  // Read lazily: a pipeline of pass-through columns and encoders needs no time column.
  let timeValues: Float64Array | undefined;
  const timesOf = (): Float64Array => (timeValues ??= table.numeric(time));
  let byTime: Int32Array | undefined;
  const groupsByEntity = new Map<string, { groups: EntityGroups; sortedTimes: Float64Array }>();
  const gathered = new Map<string, Float64Array>();

  const groupsOf = (entity: string): { groups: EntityGroups; sortedTimes: Float64Array } => {
    let entry = groupsByEntity.get(entity);
    if (entry === undefined) {
      byTime ??= timeOrder(timesOf(), time);
      const { codes, groupCount } = entityCodes(table, entity);
      const groups = groupByEntity(codes, groupCount, byTime);
      entry = { groups, sortedTimes: gather(timesOf(), groups.order) };
      groupsByEntity.set(entity, entry);
    }
    return entry;
  };
  // Values of a column in an entity's event order, checked once per (entity, column).
  const sortedValues = (entity: string, column: string, kind: 'value' | 'label'): Float64Array => {
    const key = `${entity}\u0000${column}`;
    let values = gathered.get(key);
    if (values === undefined) {
      const source = kind === 'label' ? labelValues(table, column) : finiteValues(table, column);
      values = gather(source, groupsOf(entity).groups.order);
      gathered.set(key, values);
    }
    return values;
  };

  return features.map((feature) => {
    const out = new Float64Array(n);
    switch (feature.kind) {
      case 'column': {
        const values = passThroughValues(table, feature.column);
        out.set(values);
        return out;
      }
      case 'log1p': {
        const values = passThroughValues(table, feature.column);
        for (let i = 0; i < n; i++) {
          const x = values[i]!;
          if (x <= -1) throw belowLog1pDomain(feature.column, x, { row: i });
          out[i] = Math.log1p(x);
        }
        return out;
      }
      case 'calendar': {
        const times = timesOf();
        for (let i = 0; i < n; i++) {
          out[i] =
            feature.flag === 'weekend'
              ? weekendFlag(times[i]!, feature.offsetMs)
              : nightFlag(times[i]!, feature.offsetMs, feature.fromHour, feature.toHour);
        }
        return out;
      }
      case 'window': {
        const { groups, sortedTimes } = groupsOf(feature.entity);
        const values = feature.column === undefined ? undefined : sortedValues(feature.entity, feature.column, 'value');
        const sorted = new Float64Array(n);
        windowKernel(feature.agg, sortedTimes, values, groups.starts, feature.windowMs, sorted);
        return scatter(sorted, groups.order, out);
      }
      case 'ratio-to-window-mean': {
        const { groups, sortedTimes } = groupsOf(feature.entity);
        const values = sortedValues(feature.entity, feature.column, 'value');
        const sorted = new Float64Array(n);
        windowKernel('mean', sortedTimes, values, groups.starts, feature.windowMs, sorted);
        for (let k = 0; k < n; k++) sorted[k] = sorted[k] === 0 ? 0 : values[k]! / sorted[k]!;
        return scatter(sorted, groups.order, out);
      }
      case 'delayed-label': {
        const { groups, sortedTimes } = groupsOf(feature.entity);
        const labels = sortedValues(feature.entity, feature.label, 'label');
        const sorted = new Float64Array(n);
        delayedLabelKernel(sortedTimes, labels, groups.starts, feature.windowMs, feature.delayMs, feature.output === 'rate', sorted);
        return scatter(sorted, groups.order, out);
      }
    }
  });
}

function gather(source: Float64Array, order: Int32Array): Float64Array {
  const out = new Float64Array(order.length);
  for (let k = 0; k < order.length; k++) out[k] = source[order[k]!]!;
  return out;
}

function scatter(sorted: Float64Array, order: Int32Array, out: Float64Array): Float64Array {
  for (let k = 0; k < order.length; k++) out[order[k]!] = sorted[k]!;
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

function labelValues(table: ColumnTable, column: string): Float64Array {
  const source = table.column(column);
  const out = new Float64Array(table.rowCount);
  if (source.type === 'label') {
    for (let i = 0; i < out.length; i++) out[i] = source.values[i]!;
    return out;
  }
  const values = table.numeric(column);
  for (let i = 0; i < out.length; i++) {
    const v = values[i]!;
    if (v !== 0 && v !== 1) {
      throw new MlsdError('INVALID_INPUT', `Label column "${column}" row ${i} is ${v}; labels must be 0 or 1.`, {
        location: { row: i, column },
      });
    }
    out[i] = v;
  }
  return out;
}

/** The error for a `log1p` input at or below -1, naming where it came from. */
export function belowLog1pDomain(column: string, value: number, location: { row?: number; field?: string }): MlsdError {
  return new MlsdError('INVALID_INPUT', `Column "${column}" is ${value} at ${location.row === undefined ? `event field ${column}` : `row ${location.row}`}; log1p needs values > -1.`, {
    location: { ...location, column },
  });
}
