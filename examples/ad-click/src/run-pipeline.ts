import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { holdoutWithDelay } from '@mlsd/data';
import { brierScore, buildReferenceProfile, calibrationBins, logLoss, rocAuc } from '@mlsd/eval';
import { FeaturePipeline } from '@mlsd/features';
import { FileModelRegistry, GradientBoostingClassifier, LogisticRegression, type Classifier } from '@mlsd/models';
import { CLICK_FEATURES, CLICK_TRANSFORMS } from './click-features.js';
import { startMlsdServe } from './serve-with-mlsd.js';
import { CLICK_SCHEMA, SIMULATION_START, impressionTable, simulateClicks, type ClickSimulationOptions } from './simulate-clicks.js';

/** The example's rules file, given to `mlsd serve --rules`. */
export const RULES_FILE = fileURLToPath(new URL('../config/fallback-rules.json', import.meta.url));

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Offline metrics of one model on the test days: log loss first (a CTR is used as a probability). */
export interface ModelEvaluation {
  readonly model: string;
  readonly logLoss: number;
  readonly brierScore: number;
  readonly rocAuc: number;
  /** Expected calibration error over 10 equal-width bins. */
  readonly calibrationError: number;
}

/** What {@link runAdClick} did, step by step. */
export interface AdClickSummary {
  readonly impressions: number;
  readonly clickRate: number;
  readonly trainRows: number;
  readonly testRows: number;
  /** Log loss of always predicting the training click rate: the bar a model must clear. */
  readonly baselineLogLoss: number;
  readonly models: readonly ModelEvaluation[];
  readonly champion: string;
  readonly served: {
    readonly scored: number;
    readonly bySource: { readonly model: number; readonly fallback: number };
    /** Fallback answers by reason (none expected while the service is healthy). */
    readonly fallbackReasons: Readonly<Record<string, number>>;
    /** Mean model score vs observed click rate of the test-day impressions the model answered, and their log loss. */
    readonly meanScore: number;
    readonly observedRate: number;
    readonly logLoss: number;
    readonly feedbackAccepted: number;
  };
  readonly seconds: number;
}

/** Options of {@link runAdClick}. */
export interface AdClickOptions {
  readonly simulation: ClickSimulationOptions;
  /** Working directory (the registry goes in `<dir>/registry`); emptied first. */
  readonly dir: string;
  /** Progress lines go here. Default: nowhere. */
  readonly log?: (line: string) => void;
}

/**
 * The seven steps on ad clicks: simulate impressions with string ids, split by time with the schema's event-time
 * column (a day's gap for the delayed clicks), compute the point-in-time features and fit the transforms on the
 * training days, train a logistic regression baseline and gradient-boosted trees, evaluate both on the test days
 * (log loss, Brier score, calibration, ROC AUC), register the better one with its pipeline and reference profile,
 * and serve it with `mlsd serve` and the example's rules file: the last days replayed through `POST /v1/score`,
 * each click reported through `POST /v1/feedback` an hour later.
 */
export async function runAdClick(options: AdClickOptions): Promise<AdClickSummary> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const { simulation } = options;
  await rm(options.dir, { recursive: true, force: true });
  await mkdir(options.dir, { recursive: true });

  // 1-2. Data: the impression log, split by time on the schema's event-time column.
  const { impressions, clicked } = simulateClicks(simulation);
  const table = impressionTable(impressions, clicked);
  const testDays = 2;
  const trainStart = SIMULATION_START + 2 * DAY; // two days of history before the first training day
  const trainDays = simulation.days - 2 - 1 - testDays;
  const fold = holdoutWithDelay(table, { schema: CLICK_SCHEMA, start: new Date(trainStart).toISOString(), trainDays, delayDays: 1, testDays });
  const clickRate = mean(clicked);
  log(`data      ${impressions.length} impressions, click rate ${pct(clickRate)}; train ${fold.train.length}, test ${fold.test.length}`);

  // 3. Features: time and id come from the schema's roles; transforms learn on the training rows only.
  const pipeline = new FeaturePipeline({ features: CLICK_FEATURES, transforms: CLICK_TRANSFORMS, schema: CLICK_SCHEMA }).fit(table, { rows: fold.train });
  const Xtrain = pipeline.transform(table, { rows: fold.train });
  const Xtest = pipeline.transform(table, { rows: fold.test });
  const ytrain = takeLabels(clicked, fold.train);
  const ytest = takeLabels(clicked, fold.test);

  // 4-5. Models and offline evaluation.
  const baselineRate = mean(ytrain);
  const baselineLogLoss = logLoss(ytest, new Float64Array(ytest.length).fill(baselineRate));
  const candidates: Array<{ name: string; model: Classifier }> = [
    { name: 'logistic-regression', model: await new LogisticRegression({ C: 1 }).fit(Xtrain, ytrain) },
    { name: 'gradient-boosting', model: await new GradientBoostingClassifier({ nRounds: 80, maxDepth: 3, learningRate: 0.08, seed: 1 }).fit(Xtrain, ytrain) },
  ];
  const evaluations = candidates.map(({ name, model }): ModelEvaluation => {
    const p = model.predictProba(Xtest);
    return {
      model: name,
      logLoss: logLoss(ytest, p),
      brierScore: brierScore(ytest, p),
      rocAuc: rocAuc(ytest, p),
      calibrationError: calibrationBins(ytest, p, { bins: 10 }).expectedCalibrationError,
    };
  });
  log(`baseline  log loss ${baselineLogLoss.toFixed(4)} (always ${pct(baselineRate)})`);
  for (const e of evaluations)
    log(
      `${e.model.padEnd(20)} log loss ${e.logLoss.toFixed(4)}, Brier ${e.brierScore.toFixed(4)}, ECE ${e.calibrationError.toFixed(4)}, ROC AUC ${e.rocAuc.toFixed(3)}`,
    );
  const best = evaluations.reduce((a, b) => (b.logLoss < a.logLoss ? b : a));
  const champion = candidates.find((c) => c.name === best.model)!.model;

  // 6. Registry: the model with its pipeline (which records the raw event schema) and a reference profile.
  const registry = new FileModelRegistry(join(options.dir, 'registry'));
  const profile = buildReferenceProfile({ features: pipeline.rawFeatures(table, { rows: fold.test }), scores: champion.predictProba(Xtest) });
  const entry = await registry.register('ad-click', champion, {
    featurePipeline: pipeline.toJSON(),
    profile,
    metrics: { logLoss: best.logLoss, rocAuc: best.rocAuc },
  });
  await registry.setAlias('ad-click', 'champion', entry.version);
  log(`registry  ad-click v${entry.version} = ${best.model}`);

  // 7. Serving: mlsd serve on the registry, no code; the last days replayed in time order, clicks fed back an hour later.
  const service = await startMlsdServe([
    '--registry',
    join(options.dir, 'registry'),
    '--model',
    'ad-click',
    '--port',
    '0',
    '--rules',
    RULES_FILE,
    '--deadline-ms',
    '1000',
    '--log-level',
    'warn',
  ]);
  let served: AdClickSummary['served'];
  try {
    const testStart = Number(table.numeric('shown_at')[fold.test[0]!]);
    // The week before the test days first (the longest window), so the online state holds what offline features saw.
    served = await replay(service.url, impressions, clicked, testStart - 7 * DAY - HOUR, testStart);
  } finally {
    await service.stop();
  }
  log(
    `serving   ${served.scored} test impressions: model ${served.bySource.model}, fallback ${served.bySource.fallback} ${JSON.stringify(served.fallbackReasons)}; mean score ${pct(served.meanScore)} vs observed ${pct(served.observedRate)}; log loss ${served.logLoss.toFixed(4)}`,
  );
  return {
    impressions: impressions.length,
    clickRate,
    trainRows: fold.train.length,
    testRows: fold.test.length,
    baselineLogLoss,
    models: evaluations,
    champion: best.model,
    served,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Replays impressions from `from` on in batches; answers of impressions at or after `testStart` are counted. */
async function replay(
  url: string,
  impressions: readonly { shown_at: number; impression_id: string }[],
  clicked: Uint8Array,
  from: number,
  testStart: number,
): Promise<AdClickSummary['served']> {
  const rows = impressions.map((_, i) => i).filter((i) => impressions[i]!.shown_at >= from);
  const scores: number[] = [];
  const labels: number[] = [];
  const bySource = { model: 0, fallback: 0 };
  const fallbackReasons: Record<string, number> = {};
  let feedbackAccepted = 0;
  let nextFeedback = 0;
  const post = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  for (let start = 0; start < rows.length; start += 200) {
    const batch = rows.slice(start, start + 200);
    // Clicks known by the first impression of this batch (an hour after theirs) go first, as the click log would.
    const due: Array<{ id: string; label: number }> = [];
    while (nextFeedback < start && impressions[rows[nextFeedback]!]!.shown_at + HOUR <= impressions[batch[0]!]!.shown_at) {
      const row = rows[nextFeedback++]!;
      due.push({ id: impressions[row]!.impression_id, label: clicked[row]! });
    }
    if (due.length > 0) feedbackAccepted += ((await post('/v1/feedback', due)) as unknown[]).length;
    const answers = (await post(
      '/v1/score',
      batch.map((row) => impressions[row]),
    )) as Array<{ score: number; source: 'model' | 'fallback'; fallbackReason?: string }>;
    answers.forEach((answer, k) => {
      if (impressions[batch[k]!]!.shown_at < testStart) return;
      bySource[answer.source]++;
      if (answer.fallbackReason !== undefined) fallbackReasons[answer.fallbackReason] = (fallbackReasons[answer.fallbackReason] ?? 0) + 1;
      if (answer.source !== 'model') return;
      scores.push(answer.score);
      labels.push(clicked[batch[k]!]!);
    });
  }
  const y = Uint8Array.from(labels);
  const p = Float64Array.from(scores);
  return {
    scored: bySource.model + bySource.fallback,
    bySource,
    fallbackReasons,
    meanScore: mean(p),
    observedRate: mean(y),
    logLoss: logLoss(y, p),
    feedbackAccepted,
  };
}

function takeLabels(labels: Uint8Array, rows: Int32Array): Uint8Array {
  const out = new Uint8Array(rows.length);
  for (let k = 0; k < rows.length; k++) out[k] = labels[rows[k]!]!;
  return out;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length === 0 ? 0 : sum / values.length;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}
