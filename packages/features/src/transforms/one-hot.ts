import type { FeatureFrame } from './feature-frame.js';

/**
 * One-hot encoding of a categorical input column (from the table or event, not a computed feature): one 0/1
 * column `<column>=<value>` per category kept, appended. Categories are the `maxCategories` (default 20) most
 * frequent in training, ties by name; any other or missing value encodes as all zeros.
 */
export interface OneHotSpec {
  readonly kind: 'one-hot';
  readonly column: string;
  readonly maxCategories?: number;
}

/** The learned state of {@link OneHotSpec}: the categories kept, in output order. */
export interface OneHotState {
  readonly categories: string[];
}

/** Learns the most frequent categories over `rows` (all rows when undefined). */
export function fitOneHot(spec: OneHotSpec, frame: FeatureFrame, rows: Int32Array | undefined): OneHotState {
  const counts = countCategories(spec.column, frame, rows);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { categories: ranked.slice(0, spec.maxCategories ?? 20).map(([value]) => value) };
}

/** Appends one 0/1 column per kept category. */
export function applyOneHot(spec: OneHotSpec, state: OneHotState, frame: FeatureFrame): void {
  const values = frame.category(spec.column);
  const index = new Map(state.categories.map((value, c) => [value, c]));
  const columns = state.categories.map(() => new Float64Array(frame.rows));
  for (let r = 0; r < frame.rows; r++) {
    const value = values.value(r);
    const c = value === null ? undefined : index.get(value);
    if (c !== undefined) columns[c]![r] = 1;
  }
  state.categories.forEach((value, c) => {
    frame.names.push(`${spec.column}=${value}`);
    frame.columns.push(columns[c]!);
  });
}

/** How many of `rows` hold each present value of the categorical `column`. */
export function countCategories(column: string, frame: FeatureFrame, rows: Int32Array | undefined): Map<string, number> {
  const values = frame.category(column);
  const counts = new Map<string, number>();
  const count = rows === undefined ? frame.rows : rows.length;
  for (let k = 0; k < count; k++) {
    const value = values.value(rows === undefined ? k : rows[k]!);
    if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}
