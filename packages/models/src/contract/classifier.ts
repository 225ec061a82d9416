import type { DenseMatrix } from '@mlsd/data';

/** Options of {@link Classifier.fit}. */
export interface FitOptions {
  /** A non-negative weight per training row (same length as `y`); defaults to 1 for every row. */
  readonly sampleWeight?: Float64Array;
  /** A held-out set for early stopping; models without early stopping ignore it. */
  readonly validation?: { readonly X: DenseMatrix; readonly y: Uint8Array };
}

/**
 * The saved form of a fitted model: plain JSON, never code. `schemaVersion` is the version of the artifact
 * format of that model kind; `libraryVersion` the mlsd version that wrote it.
 */
export interface ModelArtifact {
  readonly schemaVersion: number;
  readonly libraryVersion: string;
  /** The model kind, e.g. `logistic-regression`; the loader uses it to pick the class. */
  readonly kind: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly featureNames: readonly string[];
  /** The learned state; its shape belongs to the model kind. */
  readonly state: unknown;
}

/**
 * The one contract every mlsd binary classifier follows (after scikit-learn's estimator contract):
 * the constructor only stores hyper-parameters and rejects unknown ones; `fit` learns and resolves to the
 * fitted model itself; `predictProba` returns P(y = 1) per row; `toJSON` gives an artifact that the
 * matching loader turns back into a model with identical predictions.
 */
export interface Classifier {
  /** The model kind, as written in its artifact. */
  readonly kind: string;
  /** The hyper-parameters, with defaults filled in. */
  readonly params: Readonly<Record<string, unknown>>;
  /** True once `fit` has completed (or the model was loaded from an artifact). */
  readonly isFitted: boolean;
  /** The feature names seen in `fit`; empty before. */
  readonly featureNames: readonly string[];
  /** Learns from `X` and labels `y` (0/1, length `X.rows`). Resolves to `this`. */
  fit(X: DenseMatrix, y: Uint8Array, options?: FitOptions): Promise<this>;
  /** P(y = 1) for every row of `X`; throws `NOT_FITTED` before `fit`. */
  predictProba(X: DenseMatrix): Float64Array;
  /** The model as a plain-JSON artifact; throws `NOT_FITTED` before `fit`. */
  toJSON(): ModelArtifact;
  /** Non-negative importance per feature (same order as `featureNames`), when the model has one. */
  featureImportance?(): Float64Array;
  /**
   * Per-row feature contributions that explain a score (reason codes): row-major, `X.rows` x (`X.cols` + 1),
   * the last column being the bias (expected value). For each row the contributions plus the bias sum to the
   * model's raw output (log-odds for logistic regression and boosting). Optional.
   */
  contributions?(X: DenseMatrix): Float64Array;
}
