import { MlsdError, takeRows, type DenseMatrix, type Fold } from '@mlsd/data';
import type { Classifier } from '@mlsd/models';
import { checkLength, rejectUnknownOptions, type NumericKeys } from '../metrics/check-inputs.js';
import { dayIndex } from '../metrics/group-precision-at-k.js';
import { SCORE_SUMMARY_OPTION_KEYS, summarizeScores, type ScoreSummary, type ScoreSummaryOptions } from '../metrics/score-summary.js';

/** A model to validate: a fresh, unfitted classifier per fold. */
export interface ModelCandidate {
  /** Unique name, shown in reports. The first candidate is the baseline. */
  readonly name: string;
  readonly create: () => Classifier;
  /** Optional weight per row of the whole data set (the runner passes the training rows' weights to `fit`). */
  readonly sampleWeight?: Float64Array;
}

/** A prepared data set: features, labels and the optional per-row columns some metrics need. */
export interface ValidationDataset {
  readonly X: DenseMatrix;
  readonly y: Uint8Array;
  /** Group of each row (the fraud example's cards): enables group precision@k (with `times`). */
  readonly groupIds?: NumericKeys;
  /** Timestamp of each row, ms since epoch (UTC): its day feeds group precision@k. */
  readonly times?: Float64Array;
  /** Amount of each row: the miss cost of the cost-based threshold (with `falseAlarmCost`). */
  readonly amounts?: Float64Array;
}

/** Options of {@link runValidation}: the metric options plus injected side effects. */
export interface ValidationOptions extends ScoreSummaryOptions {
  /** Milliseconds from a monotonic clock; default `performance.now`. Tests inject a fake one. */
  readonly clock?: () => number;
  /** Called before each fit and predict, e.g. to print progress to stderr. */
  readonly onProgress?: (event: { readonly model: string; readonly fold: string; readonly stage: 'fit' | 'predict' }) => void;
}

/** The outcome of one model on one fold. */
export interface FoldEvaluation {
  readonly model: string;
  readonly fold: string;
  readonly metrics: ScoreSummary;
  readonly fitSeconds: number;
  readonly predictSeconds: number;
  /** The fold's test rows (indices into the data set) … */
  readonly rows: Int32Array;
  /** … and the model's P(y = 1) for each. */
  readonly scores: Float64Array;
  /** The fitted model's feature importance, when it has one. */
  readonly featureImportance?: Float64Array;
}

/** Everything {@link runValidation} learned, model-major: `evaluations` holds models × folds in input order. */
export interface ValidationResult {
  /** Model names; the first is the baseline. */
  readonly models: readonly string[];
  readonly folds: readonly string[];
  readonly featureNames: readonly string[];
  readonly evaluations: readonly FoldEvaluation[];
  /** The data set's per-row columns (not the features), for pooled metrics and reports. */
  readonly columns: {
    readonly y: Uint8Array;
    readonly groupIds?: NumericKeys;
    readonly days?: Float64Array;
    readonly amounts?: Float64Array;
  };
  /** The metric options used, so reports compute pooled metrics the same way. */
  readonly metricOptions: ScoreSummaryOptions;
}

/**
 * Validates every candidate on every fold: fits a fresh model on the fold's training rows (with the model's
 * optional sample weights), predicts its test rows, and records the metrics, the fit and predict times and the
 * predictions. Pass one fold for holdout-with-delay validation, several for prequential validation (folds
 * come from `@mlsd/data`). Models run one after another, folds in order.
 */
export async function runValidation(
  models: readonly ModelCandidate[],
  data: ValidationDataset,
  folds: readonly Fold[],
  options: ValidationOptions = {},
): Promise<ValidationResult> {
  rejectUnknownOptions('runValidation', options, [...SCORE_SUMMARY_OPTION_KEYS, 'clock', 'onProgress']);
  checkInputs(models, data, folds);
  const clock = options.clock ?? (() => performance.now());
  const metricOptions: ScoreSummaryOptions = { k: options.k, maxFpr: options.maxFpr, falseAlarmCost: options.falseAlarmCost };
  const summaryOptions = Object.fromEntries(Object.entries(metricOptions).filter(([, v]) => v !== undefined)) as ScoreSummaryOptions;
  const days = data.times === undefined ? undefined : dayIndex(data.times);
  const evaluations: FoldEvaluation[] = [];
  for (const candidate of models) {
    for (const fold of folds) {
      const model = candidate.create();
      const trainX = takeRows(data.X, fold.train);
      const trainY = pick(data.y, fold.train);
      const weights = candidate.sampleWeight === undefined ? undefined : pickNumbers(candidate.sampleWeight, fold.train);
      options.onProgress?.({ model: candidate.name, fold: fold.name, stage: 'fit' });
      const fitStart = clock();
      await model.fit(trainX, trainY, weights === undefined ? {} : { sampleWeight: weights });
      const fitSeconds = (clock() - fitStart) / 1000;
      const testX = takeRows(data.X, fold.test);
      options.onProgress?.({ model: candidate.name, fold: fold.name, stage: 'predict' });
      const predictStart = clock();
      const scores = model.predictProba(testX);
      const predictSeconds = (clock() - predictStart) / 1000;
      if (scores.length !== fold.test.length) {
        throw new MlsdError(
          'INTERNAL',
          `Model "${candidate.name}" returned ${scores.length} predictions for the ${fold.test.length} test rows of fold "${fold.name}"; predictProba must return one per row.`,
          { location: { field: candidate.name } },
        );
      }
      const metrics = summarizeScores(
        {
          labels: pick(data.y, fold.test),
          scores,
          ...(data.groupIds !== undefined && days !== undefined ? { groupIds: pickNumbers(data.groupIds, fold.test), days: pickNumbers(days, fold.test) } : {}),
          ...(data.amounts === undefined ? {} : { amounts: pickNumbers(data.amounts, fold.test) }),
        },
        summaryOptions,
      );
      const importance = model.featureImportance?.();
      evaluations.push({
        model: candidate.name,
        fold: fold.name,
        metrics,
        fitSeconds,
        predictSeconds,
        rows: fold.test,
        scores,
        ...(importance === undefined ? {} : { featureImportance: importance }),
      });
    }
  }
  return {
    models: models.map((m) => m.name),
    folds: folds.map((f) => f.name),
    featureNames: data.X.featureNames,
    evaluations,
    columns: {
      y: data.y,
      ...(data.groupIds === undefined ? {} : { groupIds: data.groupIds }),
      ...(days === undefined ? {} : { days }),
      ...(data.amounts === undefined ? {} : { amounts: data.amounts }),
    },
    metricOptions: summaryOptions,
  };
}

/** A model's test rows and scores over all folds, concatenated in fold order (same rows for every model). */
export function pooledPredictions(result: ValidationResult, model: string): { rows: Int32Array; scores: Float64Array } {
  const evaluations = result.evaluations.filter((e) => e.model === model);
  if (evaluations.length === 0) {
    throw new MlsdError('NOT_FOUND', `No model "${model}" in the validation result; it has ${result.models.join(', ')}.`, {
      location: { field: 'model' },
    });
  }
  let total = 0;
  for (const e of evaluations) total += e.rows.length;
  const rows = new Int32Array(total);
  const scores = new Float64Array(total);
  let at = 0;
  for (const e of evaluations) {
    rows.set(e.rows, at);
    scores.set(e.scores, at);
    at += e.rows.length;
  }
  return { rows, scores };
}

function checkInputs(models: readonly ModelCandidate[], data: ValidationDataset, folds: readonly Fold[]): void {
  if (models.length === 0)
    throw new MlsdError('INVALID_OPTION', 'runValidation needs at least one model (the baseline first).', { location: { field: 'models' } });
  if (folds.length === 0)
    throw new MlsdError('INVALID_OPTION', 'runValidation needs at least one fold (one for holdout, several for prequential).', {
      location: { field: 'folds' },
    });
  const names = new Set<string>();
  for (const model of models) {
    if (names.has(model.name)) {
      throw new MlsdError('INVALID_OPTION', `Two models are named "${model.name}"; give each model a unique name.`, { location: { field: 'models' } });
    }
    names.add(model.name);
    if (model.sampleWeight !== undefined) checkLength(`sampleWeight of model "${model.name}"`, model.sampleWeight.length, 'y', data.y.length);
  }
  const n = data.y.length;
  checkLength('X', data.X.rows, 'y', n);
  if (data.groupIds !== undefined) checkLength('groupIds', data.groupIds.length, 'y', n);
  if (data.times !== undefined) checkLength('times', data.times.length, 'y', n);
  if (data.amounts !== undefined) checkLength('amounts', data.amounts.length, 'y', n);
  for (const fold of folds) {
    for (const [part, rows] of [
      ['train', fold.train],
      ['test', fold.test],
    ] as const) {
      if (rows.length === 0) {
        throw new MlsdError('INVALID_INPUT', `Fold "${fold.name}" has no ${part} rows; check the split dates.`, { location: { field: fold.name } });
      }
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (row < 0 || row >= n) {
          throw new MlsdError('INVALID_INPUT', `Fold "${fold.name}" ${part}[${i}] is row ${row}, outside the ${n} rows of the data set.`, {
            location: { field: fold.name, row: i },
          });
        }
      }
    }
  }
}

function pick(values: Uint8Array, rows: Int32Array): Uint8Array {
  const out = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}

function pickNumbers(values: NumericKeys, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}
