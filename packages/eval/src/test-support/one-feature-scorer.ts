import { MlsdError, type DenseMatrix } from '@mlsd/data';
import type { Classifier, FitOptions, ModelArtifact } from '@mlsd/models';

/**
 * Test support (not exported): a tiny {@link Classifier} that scores one feature column. `fit` learns the
 * weighted mean of the column and whether positives sit above or below it; `predictProba` is the logistic of
 * the centred, signed value. Enough to drive the validation runner and reports without the real models.
 */
export class OneFeatureScorer implements Classifier {
  readonly kind = 'one-feature-scorer';
  readonly params: Readonly<Record<string, unknown>>;
  isFitted = false;
  featureNames: readonly string[] = [];
  /** Training rows seen by the last `fit`, and whether weights were passed, for assertions. */
  lastFit: { rows: number; weighted: boolean } | undefined;
  private center = 0;
  private sign = 1;

  constructor(readonly column: number) {
    this.params = { column };
  }

  async fit(X: DenseMatrix, y: Uint8Array, options: FitOptions = {}): Promise<this> {
    const w = options.sampleWeight;
    let sum = 0;
    let total = 0;
    let positiveSum = 0;
    let positiveTotal = 0;
    for (let r = 0; r < X.rows; r++) {
      const weight = w === undefined ? 1 : w[r]!;
      const x = X.data[r * X.cols + this.column]!;
      sum += weight * x;
      total += weight;
      if (y[r] === 1) {
        positiveSum += weight * x;
        positiveTotal += weight;
      }
    }
    this.center = sum / total;
    this.sign = positiveTotal > 0 && positiveSum / positiveTotal < this.center ? -1 : 1;
    this.featureNames = X.featureNames;
    this.isFitted = true;
    this.lastFit = { rows: X.rows, weighted: w !== undefined };
    return this;
  }

  predictProba(X: DenseMatrix): Float64Array {
    if (!this.isFitted) throw new MlsdError('NOT_FITTED', 'OneFeatureScorer: call fit before predictProba.');
    const out = new Float64Array(X.rows);
    for (let r = 0; r < X.rows; r++) out[r] = 1 / (1 + Math.exp(-this.sign * (X.data[r * X.cols + this.column]! - this.center)));
    return out;
  }

  toJSON(): ModelArtifact {
    return {
      schemaVersion: 1,
      libraryVersion: '0.1.0',
      kind: this.kind,
      params: this.params,
      featureNames: this.featureNames,
      state: { center: this.center, sign: this.sign },
    };
  }

  featureImportance(): Float64Array {
    const out = new Float64Array(this.featureNames.length);
    out[this.column] = 1;
    return out;
  }
}
