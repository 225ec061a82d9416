import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MlsdError, takeRows } from '@mlsd/data';
import {
  buildReferenceProfile,
  compareModels,
  comparisonMarkdown,
  evaluationReport,
  runValidation,
  searchHyperParameters,
  type ComparisonTable,
  type ParamValue,
  type SearchResult,
  type ValidationResult,
} from '@mlsd/eval';
import { FileModelRegistry, type Classifier, type RegistryEntry } from '@mlsd/models';
import { createModel, MODEL_LABELS, type ModelName } from './model-catalog.js';
import type { PreparedDataset, SplitSettings } from './prepare-dataset.js';
import { TUNING_SPACES } from './search-spaces.js';

/** The registry model name the example registers every trained model under. */
export const REGISTRY_MODEL_NAME = 'fraud';

/** Card Precision@k uses the Handbook's k = 100 cards a day. */
export const CARD_PRECISION_K = 100;

/** What one analyst review of an alert costs, in the currency of the amounts (a missed fraud costs its amount). */
export const REVIEW_COST = 5;

/** What one training run produced: validation results, and the holdout models fitted and ready to register. */
export interface TrainingRun {
  readonly models: readonly ModelName[];
  /** Holdout with delay: the Handbook's protocol. */
  readonly holdout: ValidationResult;
  readonly holdoutComparison: ComparisonTable;
  /** Prequential validation, when the dataset has prequential folds. */
  readonly prequential: ValidationResult | undefined;
  readonly prequentialComparison: ComparisonTable | undefined;
  /** The model of each name fitted on the holdout's training rows. */
  readonly fitted: ReadonlyMap<ModelName, Classifier>;
  /** With `tune`: each tuned model's search (every model but the baseline), and the budget it ran under. */
  readonly tuning: { readonly budgetSeconds: number; readonly searches: ReadonlyMap<ModelName, SearchResult> } | undefined;
}

/** Settings of the hyper-parameter search of {@link trainModels}. */
export interface TuningSettings {
  /** Seconds all searches together may take: no candidate is launched past its model's share of it. */
  readonly budgetSeconds: number;
  /** Called after each candidate a search tried. */
  readonly onCandidate?: (event: { readonly model: ModelName; readonly tried: number; readonly planned: number }) => void;
}

/** Progress of a training run, for progress bars. */
export interface TrainingProgress {
  readonly validation: 'holdout' | 'prequential';
  readonly model: string;
  readonly fold: string;
  readonly stage: 'fit' | 'predict';
}

/**
 * Fits and evaluates each model (baseline first) with @mlsd/eval's validation runner: the holdout with delay,
 * then the prequential folds when the dataset has them. Keeps the holdout-fitted model of each name.
 *
 * With `tune` (the dataset needs tuning folds), every model but the baseline is first tuned the Handbook's way
 * (chapter 5): a grid search over {@link TUNING_SPACES} scored by mean average precision on the tuning folds;
 * each search gets an equal share of what is left of the budget, and the chosen parameters are the ones
 * fitted on the holdout (and prequential) folds.
 */
export async function trainModels(
  dataset: PreparedDataset,
  models: readonly ModelName[],
  options: { readonly seed: number; readonly onProgress?: (progress: TrainingProgress) => void; readonly tune?: TuningSettings },
): Promise<TrainingRun> {
  const data = { X: dataset.X, y: dataset.y, groupIds: dataset.groupIds, times: dataset.times, amounts: dataset.amounts };
  const metricOptions = { k: CARD_PRECISION_K, falseAlarmCost: REVIEW_COST };
  const chosen = new Map<ModelName, Readonly<Record<string, ParamValue>>>();
  let tuning: TrainingRun['tuning'];
  if (options.tune !== undefined) {
    if (dataset.tuning.length === 0) {
      throw new MlsdError('INVALID_OPTION', 'Tuning needs tuning folds: prepare the dataset with prepareDataset(table, split, { tuningFolds }).', {
        location: { field: 'tune' },
      });
    }
    const { budgetSeconds, onCandidate } = options.tune;
    const searches = new Map<ModelName, SearchResult>();
    const tuned = models.slice(1);
    const started = performance.now();
    for (let i = 0; i < tuned.length; i++) {
      const name = tuned[i]!;
      const left = Math.max(0, budgetSeconds - (performance.now() - started) / 1000);
      const search = await searchHyperParameters((params) => createModel(name, options.seed, params), TUNING_SPACES[name], data, dataset.tuning, {
        ...metricOptions,
        strategy: 'grid',
        metric: 'averagePrecision',
        budgetSeconds: left / (tuned.length - i),
        onCandidate: (_, index, planned) => onCandidate?.({ model: name, tried: index + 1, planned }),
      });
      searches.set(name, search);
      chosen.set(name, search.best.params);
    }
    tuning = { budgetSeconds, searches };
  }
  const make = (name: ModelName): Classifier => createModel(name, options.seed, chosen.get(name));
  // The holdout validation has one fold, so the runner creates each model once: keeping what `create` returned
  // keeps the model it fitted on the holdout's training rows, the one to register.
  const fitted = new Map<ModelName, Classifier>();
  const candidates = models.map((name) => ({
    name,
    create: () => {
      const model = make(name);
      fitted.set(name, model);
      return model;
    },
  }));
  const holdout = await runValidation(candidates, data, [dataset.holdout], {
    ...metricOptions,
    onProgress: (event) => options.onProgress?.({ validation: 'holdout', ...event }),
  });
  let prequential: ValidationResult | undefined;
  if (dataset.prequential.length > 0) {
    prequential = await runValidation(
      models.map((name) => ({ name, create: () => make(name) })),
      data,
      dataset.prequential,
      { ...metricOptions, onProgress: (event) => options.onProgress?.({ validation: 'prequential', ...event }) },
    );
  }
  return {
    models,
    holdout,
    holdoutComparison: compareModels(holdout, { seed: options.seed }),
    prequential,
    prequentialComparison: prequential === undefined ? undefined : compareModels(prequential, { seed: options.seed }),
    fitted,
    tuning,
  };
}

/** The registry versions a run registered, and where the aliases point. */
export interface Registration {
  readonly entries: ReadonlyMap<ModelName, RegistryEntry>;
  readonly champion: ModelName;
  readonly challenger: ModelName | undefined;
}

/**
 * Registers every fitted model as a new version of `fraud` in the registry at `registryDir`, with its feature
 * pipeline, holdout metrics, training-data fingerprint and monitoring reference profile (raw features and scores
 * of the held-out test week); then points
 * `champion` at the best average precision and `challenger` at the runner-up.
 */
export async function registerModels(registryDir: string, dataset: PreparedDataset, run: TrainingRun, split: SplitSettings): Promise<Registration> {
  const registry = new FileModelRegistry(registryDir);
  const trainX = takeRows(dataset.X, dataset.holdout.train);
  const trainingData = {
    rows: dataset.holdout.train.length,
    hash: fingerprint(
      trainX.data,
      dataset.holdout.train.map((i) => dataset.y[i]!),
    ),
    period: { start: split.trainStart, end: addDays(split.trainStart, split.trainDays) },
  };
  const entries = new Map<ModelName, RegistryEntry>();
  for (const name of run.models) {
    const model = run.fitted.get(name)!;
    const evaluation = run.holdout.evaluations.find((e) => e.model === name)!;
    const metrics = Object.fromEntries(
      Object.entries({
        rocAuc: evaluation.metrics.rocAuc,
        averagePrecision: evaluation.metrics.averagePrecision,
        cardPrecisionAt100: evaluation.metrics.groupPrecisionAtK,
        fitSeconds: evaluation.fitSeconds,
      }).filter((entry): entry is [string, number] => entry[1] !== null),
    );
    // The reference is the held-out test week the model was evaluated on, not its training rows: tree ensembles
    // score their own training rows far more confidently than new ones, so a training-score reference would
    // report drift on the first day of perfectly ordinary traffic.
    const profile = buildReferenceProfile({ features: dataset.referenceFeatures, scores: evaluation.scores });
    entries.set(
      name,
      await registry.register(REGISTRY_MODEL_NAME, model, {
        featurePipeline: dataset.pipeline.toJSON(),
        metrics,
        trainingData,
        profile,
        notes: `${MODEL_LABELS[name]}, trained by the fraud-detection example`,
      }),
    );
  }
  const ranked = [...run.models].sort((a, b) => (averagePrecisionOf(run, b) ?? -1) - (averagePrecisionOf(run, a) ?? -1));
  const champion = ranked[0]!;
  const challenger = ranked[1];
  await registry.setAlias(REGISTRY_MODEL_NAME, 'champion', entries.get(champion)!.version);
  if (challenger !== undefined) await registry.setAlias(REGISTRY_MODEL_NAME, 'challenger', entries.get(challenger)!.version);
  return { entries, champion, challenger };
}

/** The training report (`report.json`): the split, then one line per model, baseline first. */
export function trainingReport(dataset: PreparedDataset, run: TrainingRun, split: SplitSettings, registration?: Registration) {
  const { train, test } = dataset.holdout;
  const frauds = (rows: Int32Array): number => rows.reduce((sum, row) => sum + dataset.y[row]!, 0);
  return {
    split: {
      trainStart: split.trainStart,
      trainDays: split.trainDays,
      delayDays: split.delayDays,
      testDays: split.testDays,
      trainRows: train.length,
      trainFrauds: frauds(train),
      testRows: test.length,
      testFrauds: frauds(test),
    },
    models: run.models.map((name) => {
      const evaluation = run.holdout.evaluations.find((e) => e.model === name)!;
      const comparison = run.holdoutComparison.rows.find((row) => row.model === name);
      const prequential = run.prequentialComparison?.rows.find((row) => row.model === name);
      return {
        name,
        label: MODEL_LABELS[name],
        rocAuc: evaluation.metrics.rocAuc,
        averagePrecision: evaluation.metrics.averagePrecision,
        cardPrecisionAt100: evaluation.metrics.groupPrecisionAtK,
        logLoss: evaluation.metrics.logLoss,
        brier: evaluation.metrics.brier,
        recallAtFpr: evaluation.metrics.recallAtFpr,
        costThreshold: evaluation.metrics.cost?.threshold ?? null,
        fitSeconds: evaluation.fitSeconds,
        predictSeconds: evaluation.predictSeconds,
        versusBaseline: comparison?.versusBaseline ?? null,
        prequential:
          prequential === undefined
            ? null
            : {
                rocAuc: prequential.metrics.rocAuc,
                averagePrecision: prequential.metrics.averagePrecision,
                cardPrecisionAt100: prequential.metrics.groupPrecisionAtK,
              },
        registryVersion: registration?.entries.get(name)?.version ?? null,
        ...(run.tuning === undefined ? {} : { tuning: tuningOf(run, name) }),
      };
    }),
    champion: registration?.champion ?? null,
    challenger: registration?.challenger ?? null,
    // Only with --tune, so an untuned report is exactly what it was.
    ...(run.tuning === undefined
      ? {}
      : {
          tuning: {
            method: 'grid search; mean average precision over prequential folds that end before the holdout test (Handbook ch. 5.3)',
            folds: dataset.tuning.map((fold) => ({ name: fold.name, trainRows: fold.train.length, testRows: fold.test.length })),
            budgetSeconds: run.tuning.budgetSeconds,
            seconds: [...run.tuning.searches.values()].reduce((sum, search) => sum + search.seconds, 0),
          },
        }),
  };
}

/** The JSON shape of {@link trainingReport}. */
export type TrainingReport = ReturnType<typeof trainingReport>;

/**
 * Writes `report.json`, `report.md` (the comparison tables) and `report.html` (charts) into `outDir`;
 * returns their paths.
 */
export async function writeTrainingReports(
  outDir: string,
  report: TrainingReport,
  run: TrainingRun,
): Promise<{ json: string; markdown: string; html: string }> {
  await mkdir(outDir, { recursive: true });
  const paths = { json: join(outDir, 'report.json'), markdown: join(outDir, 'report.md'), html: join(outDir, 'report.html') };
  await writeFile(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  const markdown = [`# Holdout with delay`, '', comparisonMarkdown(run.holdoutComparison)];
  if (run.prequentialComparison !== undefined) markdown.push('', '# Prequential validation', '', comparisonMarkdown(run.prequentialComparison));
  await writeFile(paths.markdown, `${markdown.join('\n')}\n`);
  const html = await evaluationReport(run.prequential ?? run.holdout, run.prequentialComparison ?? run.holdoutComparison, {
    title: 'Fraud detection: baseline versus upgrades',
    subtitle: run.prequential === undefined ? 'Holdout with delay (the Handbook protocol).' : 'Prequential validation folds.',
  });
  await writeFile(paths.html, html);
  return paths;
}

/** The ISO date `days` after `date` (both `YYYY-MM-DD`, UTC). */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A model's search in the report: the chosen parameters, their fold scores, and every candidate tried. */
function tuningOf(run: TrainingRun, name: ModelName) {
  const search = run.tuning?.searches.get(name);
  if (search === undefined) return null;
  const candidate = (c: SearchResult['best']) => ({ params: c.params, foldScores: c.foldScores, mean: c.mean, std: c.std });
  return {
    params: search.best.params,
    metric: search.metric,
    foldScores: search.best.foldScores,
    mean: search.best.mean,
    std: search.best.std,
    tried: search.tried,
    planned: search.planned,
    stoppedByBudget: search.stoppedByBudget,
    seconds: search.seconds,
    candidates: search.candidates.map(candidate),
  };
}

function averagePrecisionOf(run: TrainingRun, name: ModelName): number | null {
  return run.holdout.evaluations.find((e) => e.model === name)?.metrics.averagePrecision ?? null;
}

function fingerprint(features: Float64Array | Float32Array, labels: Int32Array): string {
  const hash = createHash('sha256');
  hash.update(new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
  hash.update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength));
  return hash.digest('hex');
}
