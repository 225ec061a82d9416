import { MlsdError } from '@mlsd/data';
import { frameColumn, type FeatureFrame } from './feature-frame.js';

/**
 * Median imputation of numeric feature columns: a missing value (NaN) becomes the training median. With
 * `indicator` (default true) each column also gets a `<name>_MISSING` 0/1 column, appended after the existing ones.
 */
export interface MedianImputeSpec {
  readonly kind: 'median-impute';
  readonly columns: readonly string[];
  readonly indicator?: boolean;
}

/** The learned state of {@link MedianImputeSpec}: the median per column (0 when training had no value). */
export interface MedianImputeState {
  readonly medians: number[];
}

/** Learns the median of the present values of each column over `rows` (all rows when undefined). */
export function fitMedianImpute(spec: MedianImputeSpec, frame: FeatureFrame, rows: Int32Array | undefined): MedianImputeState {
  const medians = spec.columns.map((name) => {
    const column = requireColumn(frame, name);
    const count = rows === undefined ? frame.rows : rows.length;
    const present = new Float64Array(count);
    let m = 0;
    for (let k = 0; k < count; k++) {
      const x = column[rows === undefined ? k : rows[k]!]!;
      if (!Number.isNaN(x)) present[m++] = x;
    }
    if (m === 0) return 0;
    const sorted = present.subarray(0, m).sort();
    return m % 2 === 1 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
  });
  return { medians };
}

/** Fills missing values in place and appends the indicator columns. */
export function applyMedianImpute(spec: MedianImputeSpec, state: MedianImputeState, frame: FeatureFrame): void {
  spec.columns.forEach((name, c) => {
    const column = requireColumn(frame, name);
    const indicator = spec.indicator === false ? undefined : new Float64Array(frame.rows);
    const median = state.medians[c]!;
    for (let r = 0; r < frame.rows; r++) {
      if (Number.isNaN(column[r]!)) {
        column[r] = median;
        if (indicator !== undefined) indicator[r] = 1;
      }
    }
    if (indicator !== undefined) {
      frame.names.push(`${name}_MISSING`);
      frame.columns.push(indicator);
    }
  });
}

function requireColumn(frame: FeatureFrame, name: string): Float64Array {
  const column = frameColumn(frame, name);
  if (typeof column === 'string') throw new MlsdError('INVALID_OPTION', `median-impute: ${column}.`, { location: { column: name } });
  return column;
}
