import { MlsdError, countPositives } from '@mlsd/data';
import type { DenseMatrix } from '@mlsd/data';
import type { FitOptions } from '../contract/classifier.js';

/**
 * The checks every `fit` runs before learning, with messages that say where and how to fix:
 * shape and names of `X`; `y` of length `X.rows` holding only 0 and 1 with both classes present; every value of
 * `X` finite (a NaN or infinity is reported with its row and column name); `sampleWeight` of length `X.rows`,
 * finite and >= 0, with a positive total for each class; and the same checks on `options.validation`.
 * Throws `INVALID_INPUT`. `kind` only appears in messages.
 */
export function checkFitInput(kind: string, X: DenseMatrix, y: Uint8Array, options: FitOptions = {}): void {
  checkMatrix(kind, X, 'X');
  if (X.rows === 0) throw new MlsdError('INVALID_INPUT', `${kind}.fit: X has no rows; pass at least one row of each class.`);
  checkLabels(kind, y, X.rows, 'y');
  checkFinite(kind, X, 'X');
  const { sampleWeight, validation } = options;
  let positive = 0;
  let negative = 0;
  if (sampleWeight !== undefined) {
    if (sampleWeight.length !== X.rows) {
      throw new MlsdError('INVALID_INPUT', `${kind}.fit: sampleWeight has ${sampleWeight.length} values but X has ${X.rows} rows; pass one weight per row.`, {
        location: { field: 'sampleWeight' },
      });
    }
    for (let i = 0; i < sampleWeight.length; i++) {
      const w = sampleWeight[i]!;
      if (!(w >= 0) || w === Infinity) {
        throw new MlsdError('INVALID_INPUT', `${kind}.fit: sampleWeight at row ${i} is ${w}; weights must be finite and >= 0.`, {
          location: { row: i, field: 'sampleWeight' },
        });
      }
      if (y[i] === 1) positive += w;
      else negative += w;
    }
    if (positive === 0 || negative === 0) {
      throw new MlsdError(
        'INVALID_INPUT',
        `${kind}.fit: the ${positive === 0 ? 'positive' : 'negative'} rows all have sampleWeight 0; give both classes some weight.`,
        { location: { field: 'sampleWeight' } },
      );
    }
  }
  if (validation !== undefined) {
    checkMatrix(kind, validation.X, 'validation.X');
    if (validation.X.cols !== X.cols) {
      throw new MlsdError(
        'INVALID_INPUT',
        `${kind}.fit: validation.X has ${validation.X.cols} columns but X has ${X.cols}; build both with the same features.`,
        { location: { field: 'validation.X' } },
      );
    }
    checkLabels(kind, validation.y, validation.X.rows, 'validation.y', false);
    checkFinite(kind, validation.X, 'validation.X');
  }
}

/**
 * The checks every `predictProba` of a fitted model runs: `X` has the model's columns, in the model's order
 * (`SCHEMA_MISMATCH` naming the first differing column otherwise), and every value is finite (`INVALID_INPUT`
 * naming the row and column).
 */
export function checkPredictInput(kind: string, X: DenseMatrix, featureNames: readonly string[]): void {
  checkMatrix(kind, X, 'X');
  if (X.cols !== featureNames.length) {
    throw new MlsdError(
      'SCHEMA_MISMATCH',
      `${kind}.predict: X has ${X.cols} columns but the model was trained on ${featureNames.length} (${featureNames.join(', ')}); build X with the training features.`,
    );
  }
  for (let c = 0; c < X.cols; c++) {
    if (X.featureNames[c] !== featureNames[c]) {
      throw new MlsdError(
        'SCHEMA_MISMATCH',
        `${kind}.predict: column ${c} of X is "${X.featureNames[c]}" but the model expects "${featureNames[c]}"; pass the features in training order (${featureNames.join(', ')}).`,
        { location: { column: X.featureNames[c] } },
      );
    }
  }
  checkFinite(kind, X, 'X');
}

/** Throws `INVALID_INPUT` naming the row and column of the first NaN or infinite value of `X`. */
export function checkFinite(kind: string, X: DenseMatrix, field = 'X'): void {
  const { data, cols } = X;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      const row = Math.floor(i / cols);
      const column = X.featureNames[i - row * cols] ?? `#${i - row * cols}`;
      throw new MlsdError(
        'INVALID_INPUT',
        `${kind}: ${field} has ${v} at row ${row}, column "${column}"; impute or drop missing values before the model (e.g. in the feature pipeline).`,
        { location: { row, column, field } },
      );
    }
  }
}

function checkMatrix(kind: string, X: DenseMatrix, field: string): void {
  if (X.data.length !== X.rows * X.cols || X.featureNames.length !== X.cols) {
    throw new MlsdError(
      'INVALID_INPUT',
      `${kind}: ${field} is inconsistent (${X.data.length} values, shape ${X.rows} x ${X.cols}, ${X.featureNames.length} names); build it with denseMatrix().`,
      { location: { field } },
    );
  }
}

function checkLabels(kind: string, y: Uint8Array, rows: number, field: string, needBothClasses = true): void {
  if (y.length !== rows) {
    throw new MlsdError('INVALID_INPUT', `${kind}.fit: ${field} has ${y.length} labels but there are ${rows} rows; pass one label per row.`, {
      location: { field },
    });
  }
  const positives = countPositives(y, field, `${kind}.fit`);
  if (needBothClasses && (positives === 0 || positives === y.length)) {
    throw new MlsdError(
      'INVALID_INPUT',
      `${kind}.fit: all ${y.length} labels in ${field} are ${positives === 0 ? 0 : 1}; a classifier needs rows of both classes (check the split or the label column).`,
      { location: { field } },
    );
  }
}
