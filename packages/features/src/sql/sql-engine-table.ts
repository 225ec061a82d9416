import { roleColumn, type ColumnTable, type Schema } from '@mlsd/data';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { resolveFeatures } from '../definitions/resolve-features.js';

/** Options of the SQL engines (`computeFeaturesInDuckDB`, `computeFeaturesInPostgres`). */
export interface SqlEngineOptions {
  /** The event-time column (epoch ms). Default: the `schema`'s `event-time` column, else `TX_DATETIME`. */
  readonly time?: string;
  /** The table's schema: its `event-time` column is the default `time`. */
  readonly schema?: Schema;
}

/** Name of the arrival-order column the SQL engines add to the events (the typed executor's row index). */
export const ROW_COLUMN = '__row';

/**
 * The columns of `table` the features read, as doubles (category codes for category keys, 0/1 labels), with the
 * time column and `ROW_COLUMN` (0, 1, …): what an engine loads before running the compiled query.
 */
export function sqlInputColumns(
  table: ColumnTable,
  definitions: readonly FeatureDefinition[],
  options: SqlEngineOptions,
): { time: string; names: string[]; columns: Float64Array[] } {
  const time = roleColumn(options.time, options.schema, 'event-time', 'TX_DATETIME');
  const names = new Set<string>([time]);
  for (const feature of resolveFeatures(definitions)) {
    if (feature.kind === 'column' || feature.kind === 'log1p') names.add(feature.column);
    if (feature.kind === 'window' || feature.kind === 'ratio-to-window-mean') {
      names.add(feature.entity);
      if (feature.column !== undefined) names.add(feature.column);
    }
    if (feature.kind === 'delayed-label') names.add(feature.entity).add(feature.label);
  }
  const list = [...names];
  const columns = list.map((name) => {
    const column = table.column(name);
    if (column.type === 'integer' || column.type === 'float' || column.type === 'timestamp') return column.values;
    return Float64Array.from(column.type === 'category' ? column.codes : column.values);
  });
  const row = new Float64Array(table.rowCount);
  for (let i = 0; i < row.length; i++) row[i] = i;
  return { time, names: [...list, ROW_COLUMN], columns: [...columns, row] };
}
