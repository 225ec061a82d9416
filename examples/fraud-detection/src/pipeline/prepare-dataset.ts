import { holdoutWithDelay, prequentialFolds, type ColumnTable, type DenseMatrix, type Fold } from '@mlsd/data';
import { FeaturePipeline, featureNames, handbookFeatures } from '@mlsd/features';

/** Where the training and test windows lie (the Handbook's setup by default). */
export interface SplitSettings {
  /** First training day, `YYYY-MM-DD`. Handbook: `2018-07-25`. */
  readonly trainStart: string;
  /** Days of training data. Handbook: 7. */
  readonly trainDays: number;
  /** Days between training and test, while labels are not known yet. Handbook: 7. */
  readonly delayDays: number;
  /** Days of test data. Handbook: 7. */
  readonly testDays: number;
  /** Prequential folds to evaluate besides the holdout (0: none). */
  readonly prequentialFolds: number;
}

/** The Handbook's split: train from 2018-07-25 for 7 days, 7 days of delay, 7 test days. */
export const HANDBOOK_SPLIT: SplitSettings = {
  trainStart: '2018-07-25',
  trainDays: 7,
  delayDays: 7,
  testDays: 7,
  prequentialFolds: 0,
};

/** A table turned into model inputs: features for every row a fold uses, and the folds over those rows. */
export interface PreparedDataset {
  /** The feature pipeline, fitted on the holdout's training rows. */
  readonly pipeline: FeaturePipeline;
  /** Model inputs of the rows the folds use (`sourceRows`), in that order. */
  readonly X: DenseMatrix;
  readonly y: Uint8Array;
  readonly groupIds: Float64Array;
  readonly times: Float64Array;
  readonly amounts: Float64Array;
  /** The table row of each row of `X`. */
  readonly sourceRows: Int32Array;
  /** The holdout-with-delay fold, as indices into `X`. */
  readonly holdout: Fold;
  /** Prequential folds (most recent first), as indices into `X`; empty when not asked for. */
  readonly prequential: readonly Fold[];
  /**
   * Model-selection folds (`tuning-0` most recent), as indices into `X`; empty when not asked for. They are
   * prequential folds moved back by the delay and the test days (Handbook ch. 5.3), so fold 0 tests on the
   * holdout's training week and no fold sees a label unknown when the holdout model is trained.
   */
  readonly tuning: readonly Fold[];
  /**
   * The raw (untransformed) Handbook features of the holdout's test rows, in `holdout.test` order: with the
   * models' scores on those rows, the monitoring reference (see `registerModels`).
   */
  readonly referenceFeatures: DenseMatrix;
}

/**
 * Computes the 15 Handbook features over the whole table (so every window sees its history), splits by time with
 * the delay, drops the cards already known to be compromised from the test days (as the Handbook does), and fits
 * the feature pipeline (standard scaling) on the training rows only.
 */
export function prepareDataset(table: ColumnTable, split: SplitSettings, options: { readonly tuningFolds?: number } = {}): PreparedDataset {
  const splitOptions = {
    start: split.trainStart,
    trainDays: split.trainDays,
    delayDays: split.delayDays,
    testDays: split.testDays,
    dropKnownCompromised: { cardColumn: 'CUSTOMER_ID', labelColumn: 'TX_FRAUD' },
  };
  const holdoutRows = holdoutWithDelay(table, splitOptions);
  const prequentialRows = split.prequentialFolds > 0 ? prequentialFolds(table, { ...splitOptions, folds: split.prequentialFolds }) : [];
  const tuningFolds = options.tuningFolds ?? 0;
  const tuningRows =
    tuningFolds > 0
      ? prequentialFolds(table, { ...splitOptions, start: addDays(split.trainStart, -(split.delayDays + split.testDays)), folds: tuningFolds }).map(
          (fold, k) => ({ ...fold, name: `tuning-${k}` }),
        )
      : [];

  const features = handbookFeatures();
  const pipeline = new FeaturePipeline({
    features,
    transforms: [{ kind: 'standard-scale', columns: featureNames(features) }],
  }).fit(table, { rows: holdoutRows.train });

  const sourceRows = unionOfRows([holdoutRows, ...prequentialRows, ...tuningRows]);
  const position = new Int32Array(table.rowCount).fill(-1);
  for (let i = 0; i < sourceRows.length; i++) position[sourceRows[i]!] = i;
  const remap = (fold: Fold): Fold => ({
    name: fold.name,
    train: fold.train.map((row) => position[row]!),
    test: fold.test.map((row) => position[row]!),
  });

  return {
    pipeline,
    X: pipeline.transform(table, { rows: sourceRows }),
    y: gather(table.labels('TX_FRAUD'), sourceRows),
    groupIds: gatherNumbers(table.numeric('CUSTOMER_ID'), sourceRows),
    times: gatherNumbers(table.numeric('TX_DATETIME'), sourceRows),
    amounts: gatherNumbers(table.numeric('TX_AMOUNT'), sourceRows),
    sourceRows,
    holdout: remap(holdoutRows),
    prequential: prequentialRows.map(remap),
    tuning: tuningRows.map(remap),
    referenceFeatures: pipeline.rawFeatures(table, { rows: holdoutRows.test }),
  };
}

/** The ISO date `days` after `date` (both `YYYY-MM-DD`, UTC; `days` may be negative). */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function unionOfRows(folds: readonly Fold[]): Int32Array {
  const seen = new Set<number>();
  for (const fold of folds) {
    for (const row of fold.train) seen.add(row);
    for (const row of fold.test) seen.add(row);
  }
  return Int32Array.from(seen).sort();
}

function gather(values: Uint8Array, rows: Int32Array): Uint8Array {
  const out = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}

function gatherNumbers(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}
