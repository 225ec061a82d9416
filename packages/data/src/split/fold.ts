/**
 * One train/test split of a table, as row indices into it (sorted ascending).
 * Time-based splits leave a gap (the delay) between `train` and `test` that belongs to neither.
 */
export interface Fold {
  /** A human-readable name, e.g. `holdout` or `prequential-2`. */
  readonly name: string;
  readonly train: Int32Array;
  readonly test: Int32Array;
}
