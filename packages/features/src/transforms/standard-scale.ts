import { MlsdError } from '@mlsd/data';
import { frameColumn, type FeatureFrame } from './feature-frame.js';

/** Standard scaling of numeric feature columns: `(x - mean) / std`, learned on training rows. */
export interface StandardScaleSpec {
  readonly kind: 'standard-scale';
  /** Feature columns to scale; they must have no missing values (impute first). */
  readonly columns: readonly string[];
}

/** The learned state of {@link StandardScaleSpec}: per column mean and population std (1 where the std is 0). */
export interface StandardScaleState {
  readonly means: number[];
  readonly stds: number[];
}

/** Learns means and standard deviations from `rows` of `frame` (all rows when undefined). */
export function fitStandardScale(spec: StandardScaleSpec, frame: FeatureFrame, rows: Int32Array | undefined): StandardScaleState {
  const means: number[] = [];
  const stds: number[] = [];
  for (const name of spec.columns) {
    const column = requireColumn(frame, name);
    const count = rows === undefined ? frame.rows : rows.length;
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const row = rows === undefined ? k : rows[k]!;
      const x = column[row]!;
      if (Number.isNaN(x)) {
        throw new MlsdError('INVALID_INPUT', `standard-scale: feature "${name}" row ${row} is missing; add a median-impute transform before it.`, {
          location: { row, column: name },
        });
      }
      sum += x;
    }
    const mean = count === 0 ? 0 : sum / count;
    let squares = 0;
    for (let k = 0; k < count; k++) {
      const d = column[rows === undefined ? k : rows[k]!]! - mean;
      squares += d * d;
    }
    const std = count === 0 ? 0 : Math.sqrt(squares / count);
    means.push(mean);
    stds.push(std > 0 ? std : 1);
  }
  return { means, stds };
}

/** Scales the columns of `frame` in place. */
export function applyStandardScale(spec: StandardScaleSpec, state: StandardScaleState, frame: FeatureFrame): void {
  spec.columns.forEach((name, c) => {
    const column = requireColumn(frame, name);
    const mean = state.means[c]!;
    const std = state.stds[c]!;
    for (let r = 0; r < frame.rows; r++) column[r] = (column[r]! - mean) / std;
  });
}

function requireColumn(frame: FeatureFrame, name: string): Float64Array {
  const column = frameColumn(frame, name);
  if (typeof column === 'string') throw new MlsdError('INVALID_OPTION', `standard-scale: ${column}.`, { location: { column: name } });
  return column;
}
