import type { FeatureFrame } from './feature-frame.js';
import { countCategories } from './one-hot.js';

/**
 * Frequency encoding of a categorical input column: one column `<column>_FREQUENCY` holding the share of training
 * rows with the event's value (0 for values unseen in training or missing), appended.
 */
export interface FrequencyEncodeSpec {
  readonly kind: 'frequency-encode';
  readonly column: string;
}

/** The learned state of {@link FrequencyEncodeSpec}: the training share of each value seen. */
export interface FrequencyEncodeState {
  readonly frequencies: Record<string, number>;
}

/** Learns the share of each value over `rows` (all rows when undefined). */
export function fitFrequencyEncode(spec: FrequencyEncodeSpec, frame: FeatureFrame, rows: Int32Array | undefined): FrequencyEncodeState {
  const total = rows === undefined ? frame.rows : rows.length;
  // fromEntries defines own properties, so even a value named "__proto__" is kept as data.
  const counts = countCategories(spec.column, frame, rows);
  return { frequencies: Object.fromEntries([...counts].map(([value, count]) => [value, count / total])) };
}

/** Appends the frequency column. */
export function applyFrequencyEncode(spec: FrequencyEncodeSpec, state: FrequencyEncodeState, frame: FeatureFrame): void {
  const values = frame.category(spec.column);
  const out = new Float64Array(frame.rows);
  for (let r = 0; r < frame.rows; r++) {
    const value = values.value(r);
    out[r] = value === null ? 0 : Object.hasOwn(state.frequencies, value) ? state.frequencies[value]! : 0;
  }
  frame.names.push(`${spec.column}_FREQUENCY`);
  frame.columns.push(out);
}
