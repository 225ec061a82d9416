import { beforeAll, describe, expect, it } from 'vitest';
import { MlsdError, SeededRandom, denseMatrix, takeRows, LIBRARY_VERSION } from '@mlsd/data';
import type { DenseMatrix } from '@mlsd/data';
import type { Classifier, ModelArtifact } from '../contract/classifier.js';
import { loadClassifier } from '../load-classifier.js';
import { noisyLogistic, rocAuc, separable } from './synthetic-data.js';

export { SYNTHETIC_FEATURES, noisyLogistic, rocAuc, separable } from './synthetic-data.js';
export type { LabelledData } from './synthetic-data.js';

/** Options of {@link classifierContract}. */
export interface ClassifierContractOptions {
  /**
   * Builds an unfitted model from constructor options, used to check that an unknown option is rejected.
   * Default: the model's own constructor, `new (factory(0).constructor)(options)`.
   */
  readonly construct?: (options: Record<string, unknown>) => Classifier;
  /**
   * What "permuting the training rows behaves" means for this model:
   * - `'exact'`: the predictions of models fitted on the rows in two orders differ by at most 1e-6 (models
   *   without random row choices: only the summation order changes);
   * - `'close'` (default): the mean absolute difference of the predictions is at most 0.05 and the held-out
   *   ROC AUCs differ by at most 0.03 (models whose seeded row sampling picks different rows once the rows move;
   *   on the 400-row training set two such fits typically differ by 0.01–0.03 in probability).
   */
  readonly permutation?: 'exact' | 'close';
  /** Largest |Δp| allowed between a model and the model loaded from its artifact (default 0: identical). */
  readonly roundTripTolerance?: number;
  /** What `contributions` sum to per row: `'logit'` (default; log-odds) or `'probability'`. */
  readonly rawOutput?: 'logit' | 'probability';
}

/**
 * The conformance suite every mlsd classifier's tests run (after scikit-learn's `check_estimator`): call it at
 * the top level of a test file, e.g. `classifierContract('logistic-regression', (seed) => new
 * LogisticRegression())`. `factory(seed)` must build an unfitted model whose random choices use `seed`.
 *
 * It checks, on small synthetic data (400 training rows, 4 features; about four fits per model): fit resolves
 * to the model itself and leaves X and y untouched; predict and toJSON before fit throw `NOT_FITTED`; one
 * probability in [0, 1] per row; the artifact survives `JSON.stringify` → `JSON.parse` → `loadClassifier` with
 * identical predictions and an identical re-serialisation; permuted training rows give close predictions (see
 * {@link ClassifierContractOptions.permutation}); constant labels, a NaN (named by row and column), a wrong
 * `sampleWeight` length and a label other than 0/1 give `INVALID_INPUT`; predicting on other columns gives a
 * clear error; the same seed gives byte-identical artifacts; an unknown constructor option gives
 * `INVALID_OPTION` naming the valid ones; a separable problem is learnt (held-out ROC AUC > 0.95); and, when
 * the model has them, feature importances and contributions have the right shape and contributions sum to the
 * raw output.
 */
export function classifierContract(name: string, factory: (seed: number) => Classifier, options: ClassifierContractOptions = {}): void {
  const roundTripTolerance = options.roundTripTolerance ?? 0;
  const construct =
    options.construct ??
    ((params: Record<string, unknown>): Classifier => {
      const Ctor = factory(0).constructor as new (params: Record<string, unknown>) => Classifier;
      return new Ctor(params);
    });

  describe(`classifier contract: ${name}`, () => {
    const train = noisyLogistic(400, 11);
    const test = noisyLogistic(400, 12);
    let model: Classifier;
    let artifact: ModelArtifact;

    beforeAll(async () => {
      model = factory(7);
      artifact = JSON.parse(JSON.stringify((await model.fit(train.X, train.y)).toJSON())) as ModelArtifact;
    });

    it('fit resolves to the fitted model itself and does not modify X or y', async () => {
      const X = cloneMatrix(train.X);
      const y = train.y.slice();
      const fresh = factory(7);
      expect(fresh.isFitted).toBe(false);
      expect(await fresh.fit(X, y)).toBe(fresh);
      expect(fresh.isFitted).toBe(true);
      expect(fresh.featureNames).toEqual(train.X.featureNames);
      expect(X.data).toEqual(train.X.data);
      expect(y).toEqual(train.y);
    });

    it('predictProba and toJSON before fit throw NOT_FITTED', () => {
      const fresh = factory(7);
      expectMlsdError(() => fresh.predictProba(test.X), 'NOT_FITTED');
      expectMlsdError(() => fresh.toJSON(), 'NOT_FITTED');
    });

    it('predicts one probability in [0, 1] per row, better than chance on held-out data', () => {
      const p = model.predictProba(test.X);
      expect(p).toBeInstanceOf(Float64Array);
      expect(p.length).toBe(test.X.rows);
      for (const value of p) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
      // The Bayes ROC AUC of this problem is about 0.83; any working model is far above 0.5.
      expect(rocAuc(p, test.y)).toBeGreaterThan(0.7);
    });

    it('round-trips through JSON and loadClassifier with identical predictions', () => {
      expect(artifact.kind).toBe(model.kind);
      expect(typeof artifact.schemaVersion).toBe('number');
      expect(artifact.libraryVersion).toBe(LIBRARY_VERSION);
      expect(artifact.featureNames).toEqual(train.X.featureNames);
      expect(artifact.params).toEqual(JSON.parse(JSON.stringify(model.params)));
      const loaded = loadClassifier(artifact);
      expect(loaded.kind).toBe(model.kind);
      expect(loaded.isFitted).toBe(true);
      expect(loaded.featureNames).toEqual(model.featureNames);
      const expected = model.predictProba(test.X);
      const actual = loaded.predictProba(test.X);
      if (roundTripTolerance === 0) expect(actual).toEqual(expected);
      else expect(maxAbsDifference(actual, expected)).toBeLessThanOrEqual(roundTripTolerance);
      expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(artifact));
    });

    it('gives close predictions when the training rows are permuted (same seed)', async () => {
      const order = new SeededRandom(3).shuffle(Int32Array.from({ length: train.X.rows }, (_, i) => i));
      const y = new Uint8Array(order.length);
      for (let i = 0; i < order.length; i++) y[i] = train.y[order[i]!]!;
      const permuted = await factory(7).fit(takeRows(train.X, order), y);
      const a = model.predictProba(test.X);
      const b = permuted.predictProba(test.X);
      if (options.permutation === 'exact') {
        expect(maxAbsDifference(a, b)).toBeLessThanOrEqual(1e-6);
      } else {
        expect(meanAbsDifference(a, b)).toBeLessThanOrEqual(0.05);
        expect(Math.abs(rocAuc(a, test.y) - rocAuc(b, test.y))).toBeLessThanOrEqual(0.03);
      }
    });

    it('gives the same artifact, byte for byte, for the same seed', async () => {
      const again = await factory(7).fit(train.X, train.y);
      expect(JSON.stringify(again.toJSON())).toBe(JSON.stringify(artifact));
    });

    it('rejects constant labels with INVALID_INPUT', async () => {
      const error = await fitError(factory(7), train.X, new Uint8Array(train.X.rows));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(/label/i);
    });

    it('rejects NaN in X with INVALID_INPUT naming the row and the column', async () => {
      const X = cloneMatrix(train.X);
      X.data[37 * X.cols + 2] = Number.NaN;
      const error = await fitError(factory(7), X, train.y);
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.location?.row).toBe(37);
      expect(error.location?.column).toBe(train.X.featureNames[2]);
      expect(error.message).toContain('37');
      expect(error.message).toContain(train.X.featureNames[2]!);
    });

    it('rejects labels other than 0/1 and a sampleWeight of the wrong length with INVALID_INPUT', async () => {
      const y = train.y.slice();
      y[5] = 2;
      expect((await fitError(factory(7), train.X, y)).code).toBe('INVALID_INPUT');
      const sampleWeight = new Float64Array(train.X.rows - 1).fill(1);
      expect((await fitError(factory(7), train.X, train.y, sampleWeight)).code).toBe('INVALID_INPUT');
    });

    it('refuses to predict on a matrix with other columns', () => {
      const X = denseMatrix(new Float64Array(test.X.rows * 3), test.X.rows, 3, ['signal_a', 'signal_b', 'other']);
      const error = catchMlsdError(() => model.predictProba(X));
      expect(['SCHEMA_MISMATCH', 'INVALID_INPUT']).toContain(error.code);
    });

    it('rejects an unknown constructor option with INVALID_OPTION naming the valid ones', () => {
      const error = catchMlsdError(() => construct({ notAnOption: 1 }));
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.message).toContain('notAnOption');
      for (const key of Object.keys(model.params)) expect(error.message).toContain(key);
    });

    it('learns a separable problem (held-out ROC AUC > 0.95)', async () => {
      const trainSeparable = separable(400, 21);
      const testSeparable = separable(400, 22);
      const fitted = await factory(7).fit(trainSeparable.X, trainSeparable.y);
      expect(rocAuc(fitted.predictProba(testSeparable.X), testSeparable.y)).toBeGreaterThan(0.95);
    });

    it('has well-formed feature importances and contributions, when it offers them', () => {
      if (model.featureImportance !== undefined) {
        const importance = model.featureImportance();
        expect(importance.length).toBe(train.X.cols);
        for (const value of importance) expect(value >= 0 && Number.isFinite(value)).toBe(true);
      }
      if (model.contributions !== undefined) {
        const rows = 50;
        const X = takeRows(
          test.X,
          Int32Array.from({ length: rows }, (_, i) => i),
        );
        const contributions = model.contributions(X);
        const width = X.cols + 1;
        expect(contributions.length).toBe(rows * width);
        const p = model.predictProba(X);
        for (let i = 0; i < rows; i++) {
          let sum = 0;
          for (let j = 0; j < width; j++) sum += contributions[i * width + j]!;
          const raw = options.rawOutput === 'probability' ? p[i]! : Math.log(p[i]! / (1 - p[i]!));
          expect(sum).toBeCloseTo(raw, 6);
        }
      }
    });
  });
}

function cloneMatrix(X: DenseMatrix): DenseMatrix & { data: Float64Array | Float32Array } {
  return { data: X.data.slice(), rows: X.rows, cols: X.cols, featureNames: X.featureNames };
}

async function fitError(model: Classifier, X: DenseMatrix, y: Uint8Array, sampleWeight?: Float64Array): Promise<MlsdError> {
  try {
    await model.fit(X, y, sampleWeight === undefined ? {} : { sampleWeight });
  } catch (error) {
    if (error instanceof MlsdError) return error;
    throw error;
  }
  throw new Error('expected fit to throw an MlsdError, but it succeeded');
}

function catchMlsdError(fn: () => unknown): MlsdError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MlsdError) return error;
    throw error;
  }
  throw new Error('expected an MlsdError, but nothing was thrown');
}

function expectMlsdError(fn: () => unknown, code: MlsdError['code']): void {
  expect(catchMlsdError(fn).code).toBe(code);
}

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function meanAbsDifference(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}
