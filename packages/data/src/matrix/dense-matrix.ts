import { MlsdError } from '../errors/mlsd-error.js';

/**
 * A dense numeric matrix, row-major: the value of row `r`, column `c` is `data[r * cols + c]`.
 * It is what the feature stage produces and every model consumes. `featureNames[c]` names column `c`.
 */
export interface DenseMatrix {
  readonly data: Float64Array | Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly featureNames: readonly string[];
}

/** Builds a {@link DenseMatrix}, checking that the shape, the data length and the names agree. */
export function denseMatrix(data: Float64Array | Float32Array, rows: number, cols: number, featureNames?: readonly string[]): DenseMatrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new MlsdError('INVALID_INPUT', `Matrix shape must be whole numbers >= 0, got ${rows} x ${cols}.`);
  }
  if (data.length !== rows * cols) {
    throw new MlsdError('INVALID_INPUT', `Matrix data has ${data.length} values but the shape ${rows} x ${cols} needs ${rows * cols}.`);
  }
  const names = featureNames ?? Array.from({ length: cols }, (_, c) => `f${c}`);
  if (names.length !== cols) {
    throw new MlsdError('INVALID_INPUT', `Matrix has ${cols} columns but ${names.length} feature names were given.`);
  }
  return { data, rows, cols, featureNames: names };
}

/** A new matrix holding the rows at `indices`, in that order. */
export function takeRows(matrix: DenseMatrix, indices: Int32Array): DenseMatrix {
  const { cols } = matrix;
  const out = matrix.data instanceof Float32Array ? new Float32Array(indices.length * cols) : new Float64Array(indices.length * cols);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i]! * cols;
    out.set(matrix.data.subarray(from, from + cols), i * cols);
  }
  return { data: out, rows: indices.length, cols, featureNames: matrix.featureNames };
}
