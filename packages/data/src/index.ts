export { MlsdError, isMlsdError, toMlsdError } from './errors/mlsd-error.js';
export type { MlsdErrorCode, MlsdErrorLocation } from './errors/mlsd-error.js';
export { ColumnTable } from './table/column-table.js';
export type { Column, ColumnType } from './table/column-table.js';
export { denseMatrix, takeRows } from './matrix/dense-matrix.js';
export type { DenseMatrix } from './matrix/dense-matrix.js';
export type { Fold } from './split/fold.js';
export { SeededRandom } from './random/seeded-random.js';
