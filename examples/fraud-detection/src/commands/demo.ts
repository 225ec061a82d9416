import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ingest, simulateTransactions, TRANSACTION_SCHEMA, writeTable, type ColumnTable } from '@mlsd/data';
import { FileModelRegistry } from '@mlsd/models';
import { JsonlPredictionLog, Monitor, type MonitoringReport } from '@mlsd/monitoring';
import { createScoringService, memoryFeatureBackend, registryModelSource, type FeatureBackend } from '@mlsd/serving';
import { createProgress, type Progress, type ProgressStream } from '../cli-support/progress.js';
import { ratio, wholeNumber } from '../cli-support/flag-parsers.js';
import { runAction } from '../cli-support/run-action.js';
import { demoScale, type DemoScale } from '../pipeline/demo-scale.js';
import { MODEL_LABELS, parseModelList, type ModelName } from '../pipeline/model-catalog.js';
import { HANDBOOK_SPLIT, prepareDataset, type PreparedDataset, type SplitSettings } from '../pipeline/prepare-dataset.js';
import { days, replayThroughService, rowsInTimeRange, type ReplaySummary } from '../pipeline/replay-through-service.js';
import { warmFromTable } from '../pipeline/state-materialization.js';
import {
  CARD_PRECISION_K,
  REGISTRY_MODEL_NAME,
  REVIEW_COST,
  registerModels,
  trainingReport,
  trainModels,
  writeTrainingReports,
  type TrainingReport,
} from '../pipeline/train-models.js';
import { fraudServiceOptions } from '../pipeline/fraud-service.js';
import { experimentAnswer, type ExperimentAnswer } from './experiment.js';

/** Flags of `fraud demo` (`pnpm demo`). */
export interface DemoFlags {
  readonly scale: string;
  readonly out: string;
  readonly seed: number;
  readonly models: string;
  readonly feedbackDelayDays: number;
  /** Share of the cards the challenger answers in the A/B phase (default 0.5; 0 leaves every card to the champion). */
  readonly experimentShare?: number;
  /** The last days of the test week replayed as the A/B phase (default 3; 0: no A/B phase). */
  readonly experimentDays?: number;
}

/**
 * The seven steps of the walkthrough (examples/fraud-detection/README.md, its `## 1.` to `## 7.` headings), in
 * order: the demo's progress follows them.
 */
export const WALKTHROUGH_STEPS = [
  'Clarify the requirements',
  'Frame it as an ML task',
  'Data',
  'Features',
  'Models: baseline first',
  'Offline evaluation',
  'Serving with a fallback, and monitoring',
] as const;

/**
 * Registers `fraud demo`: every step of the framework in one run, following the walkthrough's seven steps. The
 * requirements and the framing it encodes; simulate, ingest and validate; the Handbook features and the split with
 * delay; the baseline then the upgrades; offline evaluation (holdout with delay and prequential), the report, and
 * champion and challenger registered; then the scoring service in-process, the test week replayed through it with
 * labels fed back after their delay, its last days as an A/B test of the challenger, and live quality, fallbacks,
 * drift and the experiment's answer printed.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the whole framework end to end: data, features, baseline and upgrades, evaluation, serving, monitoring, an A/B test.')
    .option('--scale <scale>', 'full (the Handbook data set, about 1.75 million transactions) or small (seconds)', 'full')
    .option('--out <dir>', 'where the data, registry, reports and prediction logs go', 'out/demo')
    .option('--seed <n>', 'seed of every random choice', wholeNumber, 0)
    .option('--models <list>', 'models to train, baseline first', 'lr,gbdt,rf,mlp')
    .option('--feedback-delay-days <n>', 'days until a label reaches the service after its transaction', wholeNumber, 1)
    .option('--experiment-share <F>', 'A/B phase: the share F in [0, 1] of the cards (sticky by card) the challenger answers', ratio, 0.5)
    .option('--experiment-days <n>', 'A/B phase: the last n days of the test week (0: no A/B phase)', wholeNumber, 3)
    .action((flags: DemoFlags) =>
      runAction('demo', async () => {
        const outcome = await runDemo(flags);
        process.stdout.write(`${formatSummary(outcome)}\n`);
      }),
    );
}

/** Everything a demo run produced: the training report, what serving saw, and where the files are. */
export interface DemoOutcome {
  readonly scale: DemoScale;
  readonly report: TrainingReport;
  readonly serving: ServingOutcome;
  /** The training report (`report.json`, `.md`, `.html`) and the run's summary as JSON (`summary.json`, see {@link summaryJson}). */
  readonly paths: { readonly json: string; readonly markdown: string; readonly html: string; readonly summary: string };
  readonly out: string;
  readonly seconds: number;
}

/**
 * Runs the whole demo (see `registerDemoCommand`) and returns what it produced. Progress goes to stderr (or
 * `options.progressStream`), one `[n/7]` header per walkthrough step, unless `quiet`. The end-to-end tests call
 * this, so they run the same code path as `pnpm demo`.
 */
export async function runDemo(flags: DemoFlags, options: { readonly quiet?: boolean; readonly progressStream?: ProgressStream } = {}): Promise<DemoOutcome> {
  const scale = demoScale(flags.scale);
  const models = parseModelList(flags.models);
  const out = resolve(flags.out);
  await mkdir(out, { recursive: true });
  const progress = createProgress({ quiet: options.quiet === true, ...(options.progressStream === undefined ? {} : { stream: options.progressStream }) });
  const step = (index: number): void => progress.step(index, WALKTHROUGH_STEPS.length, WALKTHROUGH_STEPS[index - 1]!);
  const split: SplitSettings = { ...HANDBOOK_SPLIT, prequentialFolds: scale.prequentialFolds };
  const started = performance.now();

  // 1-2. What the business needs, and the ML task it becomes: the settings every later step uses.
  step(1);
  progress.start('what the business needs');
  progress.done(
    `analysts review ${CARD_PRECISION_K} cards a day (Card Precision@${CARD_PRECISION_K}), a review costs ${REVIEW_COST}, a missed fraud its amount; an answer within 20 ms, always`,
  );
  step(2);
  progress.start('the ML task');
  progress.done(
    `binary classification of each transaction, labels known ${split.delayDays} days late: train ${split.trainDays} days from ${split.trainStart}, ${split.delayDays} days gap, test ${split.testDays} days`,
  );

  // 3. Data: simulate, write, and ingest back through validation (nothing is dropped silently).
  step(3);
  progress.start(`simulate ${scale.customers} customers, ${scale.terminals} terminals, ${scale.days} days`);
  const simulated = simulateTransactions({ customers: scale.customers, terminals: scale.terminals, days: scale.days, start: scale.start, seed: flags.seed });
  progress.done(`${simulated.rowCount} transactions`);
  const dataFile = join(out, 'transactions.parquet');
  progress.start(`write and ingest ${dataFile}`);
  await writeTable(simulated, dataFile);
  const ingested = await ingest(dataFile, { schema: TRANSACTION_SCHEMA, rejectsPath: join(out, 'rejects.csv') });
  const table = ingested.table;
  progress.done(`${ingested.acceptedRows} accepted, ${ingested.rejectedRows} rejected`);

  // 4. Features, and the split with delay.
  step(4);
  progress.start('15 Handbook features, split with delay, scaling fitted on the training week');
  const dataset = prepareDataset(table, split);
  progress.done(`${dataset.holdout.train.length} training rows, ${dataset.holdout.test.length} test rows, ${dataset.prequential.length} prequential folds`);

  // 5-6. Models, baseline first, and their offline evaluation: holdout with delay, then the prequential folds.
  step(5);
  const run = await trainAndEvaluate(progress, () => step(6), dataset, models, split, flags.seed);
  const registryDir = join(out, 'registry');
  progress.start('register champion (best average precision) and challenger (runner-up)');
  const registration = await registerModels(registryDir, dataset, run, split);
  progress.done(
    `champion ${modelLabel(registration.champion)}, challenger ${registration.challenger === undefined ? 'none' : modelLabel(registration.challenger)}`,
  );
  const report = trainingReport(dataset, run, split, registration);
  progress.start('write the comparison report');
  const paths = await writeTrainingReports(out, report, run);
  progress.done(paths.html);

  // 7. Serving and monitoring: serve in-process, replay the test week through HTTP, its last days as an A/B test.
  step(7);
  const serving = await serveAndReplay(progress, {
    table,
    registryDir,
    out,
    split,
    feedbackDelayDays: flags.feedbackDelayDays,
    experimentShare: flags.experimentShare ?? 0.5,
    experimentDays: flags.experimentDays ?? 3,
    seed: flags.seed,
  });

  const outcome = { scale, report, serving, paths: { ...paths, summary: join(out, 'summary.json') }, out, seconds: (performance.now() - started) / 1000 };
  await writeFile(outcome.paths.summary, `${JSON.stringify(summaryJson(outcome), null, 2)}\n`);
  return outcome;
}

/**
 * Fits and evaluates the models: the holdout (fit on the training week, score the test week) under step 5, the
 * prequential folds under step 6 (`enterEvaluation` starts it, when the first fold begins or after the holdout).
 */
async function trainAndEvaluate(
  progress: Progress,
  enterEvaluation: () => void,
  dataset: PreparedDataset,
  models: ModelName[],
  split: SplitSettings,
  seed: number,
) {
  progress.start(`fit ${models.map(modelLabel).join(', ')}; score the test week`, models.length * 2);
  let finished = 0;
  let evaluating = false;
  const run = await trainModels(dataset, models, {
    seed,
    onProgress: (event) => {
      if (event.validation === 'prequential' && !evaluating) {
        progress.done();
        enterEvaluation();
        evaluating = true;
        finished = 0;
        progress.start(`prequential validation, ${split.prequentialFolds} folds`, models.length * split.prequentialFolds * 2);
      }
      const label = modelLabel(event.model as ModelName);
      progress.update(finished++, event.stage === 'fit' ? `fitting ${label}` : `scoring with ${label}`);
    },
  });
  progress.done();
  if (!evaluating) enterEvaluation();
  progress.start('compare with the baseline (paired bootstrap)');
  const baseline = run.holdoutComparison.rows[0]?.model;
  progress.done(
    run.holdoutComparison.rows
      .map(
        (row) =>
          `${modelLabel(row.model as ModelName)} AP ${row.metrics.averagePrecision?.toFixed(3) ?? '—'}${row.model === baseline ? '' : formatDifference(row.versusBaseline?.averagePrecision)}`,
      )
      .join(', '),
  );
  return run;
}

/** What the in-process service did during the replay. */
export interface ServingOutcome {
  readonly warmed: number;
  /** The champion over the whole test week. */
  readonly replay: ReplaySummary;
  /** `GET /v1/monitoring` at the end of the test week. */
  readonly monitoring: MonitoringReport;
  readonly predictionLog: string;
  readonly serviceLog: string;
  readonly championVersion: number;
  /** The A/B phase; null when it did not run (no challenger, or `experimentDays` 0). */
  readonly experiment: ExperimentOutcome | null;
}

/**
 * The A/B phase: the last days of the test week replayed again through a second service, on a feature store of
 * its own warmed up to their start, with a share of the cards (sticky by card) answered by the challenger.
 */
export interface ExperimentOutcome {
  readonly days: number;
  readonly share: number;
  readonly challengerVersion: number;
  /** Past transactions the experiment's feature store was warmed with. */
  readonly warmed: number;
  readonly replay: ReplaySummary;
  /** What `fraud experiment --log <predictionLog>` answers. */
  readonly answer: ExperimentAnswer;
  readonly predictionLog: string;
}

interface ServeOptions {
  readonly table: ColumnTable;
  readonly registryDir: string;
  readonly out: string;
  readonly split: SplitSettings;
  readonly feedbackDelayDays: number;
  readonly experimentShare: number;
  readonly experimentDays: number;
  readonly seed: number;
}

async function serveAndReplay(progress: Progress, options: ServeOptions): Promise<ServingOutcome> {
  const registry = new FileModelRegistry(options.registryDir);
  const champion = await registry.load(`${REGISTRY_MODEL_NAME}@champion`);
  const testStart = Date.parse(`${options.split.trainStart}T00:00:00Z`) + days(options.split.trainDays + options.split.delayDays);
  const testEnd = testStart + days(options.split.testDays);

  // An online feature store holding the history before `untilTime` that the feature windows need, materialized
  // from the table as `fraud materialize` does.
  const warmStore = async (label: string, untilTime: number): Promise<{ features: FeatureBackend; warmed: number }> => {
    progress.start(label);
    const features = memoryFeatureBackend();
    const warmed = await warmFromTable(features, champion.featurePipeline, options.table, untilTime);
    progress.done(`${warmed} past transactions`);
    return { features, warmed };
  };
  const { features, warmed } = await warmStore('warm the online feature store', testStart);

  const predictionLog = join(options.out, 'predictions.jsonl');
  const experimentLog = join(options.out, 'experiment.jsonl');
  // The logs are appended to as the service runs: start them empty, so a second run in the same folder does not mix.
  await rm(predictionLog, { force: true });
  await rm(experimentLog, { force: true });
  const serviceLog = join(options.out, 'service.log');
  // Drift compares a window of live traffic with a week of reference traffic. The window spans a week too, so
  // that day-of-week and time-of-day features are compared over whole cycles (a Tuesday-only window would always
  // "drift" on TX_DURING_WEEKEND); it is first reported once it holds a day, and recomputed every day of traffic.
  const transactionsPerWeek = rowsInTimeRange(options.table, testStart, testEnd).length;
  const transactionsPerDay = Math.max(500, Math.round(transactionsPerWeek / options.split.testDays));
  const drift = {
    windowSize: Math.max(transactionsPerDay, transactionsPerWeek),
    step: transactionsPerDay,
    minEvents: transactionsPerDay,
    schedule: 'background',
  } as const;
  const logStream = createWriteStream(serviceLog, { flags: 'a' });
  const replayPeriod = (baseUrl: string, fromTime: number, toTime: number, label: string) => {
    progress.start(label, rowsInTimeRange(options.table, fromTime, toTime).length);
    return replayThroughService(options.table, {
      baseUrl,
      fromTime,
      toTime,
      feedbackDelayMs: days(options.feedbackDelayDays),
      onProgress: (done) => progress.update(done),
    }).then((replay) => {
      progress.done(`${replay.scored} transactions in ${replay.seconds.toFixed(1)} s`);
      return replay;
    });
  };
  try {
    const { replay, monitoring } = await withService({ registry, features, logStream }, { drift, predictionLog }, async (baseUrl) => {
      const replay = await replayPeriod(baseUrl, testStart, testEnd, `serve the champion: replay the test week through ${baseUrl}`);
      const monitoring = (await (await fetch(`${baseUrl}/v1/monitoring`)).json()) as MonitoringReport;
      return { replay, monitoring };
    });

    // The A/B phase: the last days again, on a store of their own, with a share of the cards on the challenger.
    const challengerVersion = (await registry.aliases(REGISTRY_MODEL_NAME))['challenger'];
    const experimentDays = Math.min(options.experimentDays, options.split.testDays);
    let experiment: ExperimentOutcome | null = null;
    if (experimentDays > 0 && challengerVersion !== undefined) {
      const share = options.experimentShare;
      const experimentStart = testEnd - days(experimentDays);
      const store = await warmStore(`A/B test: a second feature store, warmed up to ${new Date(experimentStart).toISOString().slice(0, 10)}`, experimentStart);
      const experimentReplay = await withService(
        { registry, features: store.features, logStream },
        { drift, predictionLog: experimentLog, experiment: { challengerShare: share, seed: options.seed } },
        (baseUrl) =>
          replayPeriod(baseUrl, experimentStart, testEnd, `A/B test: the last ${experimentDays} days again, ${share} of the cards to the challenger`),
      );
      progress.start(`the experiment's answer (fraud experiment --log ${experimentLog})`);
      const answer = await experimentAnswer(experimentLog);
      progress.done(answer.conclusion);
      experiment = { days: experimentDays, share, challengerVersion, warmed: store.warmed, replay: experimentReplay, answer, predictionLog: experimentLog };
    }
    return { warmed, replay, monitoring, predictionLog, serviceLog, championVersion: champion.entry.version, experiment };
  } finally {
    await new Promise((done) => logStream.end(done));
  }
}

/**
 * Starts the fraud service in-process on the registry's champion (and challenger) over `features`, with a monitor
 * writing `monitor.predictionLog` (and running `monitor.experiment` when given), runs `work` against its URL, then
 * closes it: the monitor flushes its log and the feature backend is closed.
 */
async function withService<T>(
  deps: { readonly registry: FileModelRegistry; readonly features: FeatureBackend; readonly logStream: NodeJS.WritableStream },
  monitor: {
    readonly drift: ConstructorParameters<typeof Monitor>[0]['drift'];
    readonly predictionLog: string;
    readonly experiment?: { readonly challengerShare: number; readonly seed: number };
  },
  work: (baseUrl: string) => Promise<T>,
): Promise<T> {
  const service = await createScoringService({
    ...(await fraudServiceOptions()),
    models: registryModelSource(deps.registry),
    features: deps.features,
    modelName: REGISTRY_MODEL_NAME,
    port: 0,
    logLevel: 'info',
    logStream: deps.logStream,
    logDecisions: false,
    monitor: (context) =>
      new Monitor({
        profile: context.model?.profile,
        drift: monitor.drift,
        registry: context.registry,
        logger: context.logger,
        predictionLog: new JsonlPredictionLog(monitor.predictionLog),
        ...(monitor.experiment === undefined ? {} : { experiment: monitor.experiment }),
      }),
  });
  try {
    return await work(await service.start());
  } finally {
    await service.close();
  }
}

/**
 * The figures of a demo run as JSON (`summary.json`, read by the demo benchmark): the scale, wall seconds, every
 * model's offline metrics by its full name, what serving answered with its live quality and drift, and the A/B
 * phase's answer.
 */
export function summaryJson(summary: DemoOutcome) {
  const { report, serving } = summary;
  const { quality, drift } = serving.monitoring;
  return {
    scale: summary.scale,
    seconds: summary.seconds,
    split: report.split,
    models: report.models.map(({ name, label, rocAuc, averagePrecision, cardPrecisionAt100, fitSeconds, versusBaseline }) => ({
      name,
      label,
      rocAuc,
      averagePrecision,
      cardPrecisionAt100,
      fitSeconds,
      averagePrecisionVersusBaseline: versusBaseline?.averagePrecision ?? null,
    })),
    champion: report.champion,
    challenger: report.challenger,
    serving: {
      championVersion: serving.championVersion,
      warmed: serving.warmed,
      replay: serving.replay,
      quality,
      drift: drift.ready ? { ready: true, windowEvents: drift.windowEvents, drifted: drift.drifted } : { ready: false, windowEvents: drift.windowEvents },
    },
    experiment:
      serving.experiment === null
        ? null
        : {
            days: serving.experiment.days,
            share: serving.experiment.share,
            warmed: serving.experiment.warmed,
            replay: serving.experiment.replay,
            arms: serving.experiment.answer.arms,
            tests: serving.experiment.answer.tests,
            conclusion: serving.experiment.answer.conclusion,
          },
  };
}

/** The summary `pnpm demo` prints at the end: models by their full names, serving, the A/B test's answer. */
export function formatSummary(summary: DemoOutcome): string {
  const { report, serving } = summary;
  const lines: string[] = [];
  const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : x.toFixed(3));
  lines.push('', 'Offline evaluation (test week, known-compromised cards dropped)', '');
  lines.push(row(['model', 'ROC AUC', 'avg precision', 'card prec@100', 'fit s', 'AP vs baseline [95% CI]']));
  lines.push(row(['---', '---', '---', '---', '---', '---']));
  for (const model of report.models) {
    const diff = model.versusBaseline?.averagePrecision;
    lines.push(
      row([
        `${model.label}${model.name === report.champion ? ', champion' : model.name === report.challenger ? ', challenger' : ''}`,
        pct(model.rocAuc),
        pct(model.averagePrecision),
        pct(model.cardPrecisionAt100),
        model.fitSeconds.toFixed(2),
        diff === undefined ? 'baseline' : formatDifference(diff).trim(),
      ]),
    );
  }
  const { replay, monitoring } = serving;
  const quality = monitoring.quality;
  const champion = report.champion === null ? 'none' : modelLabel(report.champion);
  lines.push('', `Serving (champion: ${champion}, version ${serving.championVersion})`, '');
  lines.push(
    `  replayed        ${replay.scored} transactions (store warmed with ${serving.warmed}), ${replay.feedbackSent} labels fed back, ${replay.errors} HTTP errors`,
  );
  lines.push(`  answered by     model ${replay.bySource.model}, fallback ${replay.bySource.fallback} ${formatCounts(replay.fallbackReasons)}`);
  lines.push(`  decisions       ${formatCounts(replay.byDecision)}`);
  lines.push(`  latency         p50 ${replay.latencyMs.p50.toFixed(3)} ms, p99 ${replay.latencyMs.p99.toFixed(3)} ms per transaction`);
  lines.push(
    `  live quality    average precision ${pct(quality.averagePrecision)}, recall at review ${pct(quality.recallAtReview)}, precision at review ${pct(quality.precisionAtReview)}, alert rate ${pct(quality.alertRate)}, fallback rate ${pct(quality.fallbackRate)}`,
  );
  lines.push(`  drift           ${describeDrift(monitoring)}`);
  lines.push(...formatExperiment(serving.experiment, report));
  lines.push(
    '',
    `Report:          ${summary.paths.html}`,
    `Comparison:      ${summary.paths.markdown}`,
    `Figures (JSON):  ${summary.paths.summary}`,
    `Prediction log:  ${serving.predictionLog}`,
    ...(serving.experiment === null ? [] : [`Experiment log:  ${serving.experiment.predictionLog}`]),
    `Service log:     ${serving.serviceLog}`,
  );
  lines.push(`Next:            pnpm fraud monitor --registry ${join(summary.out, 'registry')} --log ${serving.predictionLog}`);
  if (serving.experiment !== null) lines.push(`                 pnpm fraud experiment --log ${serving.experiment.predictionLog}`);
  const scored = join(summary.out, 'scored.csv');
  const { trainStart, trainDays, delayDays } = report.split;
  const testStart = new Date(Date.parse(`${trainStart}T00:00:00Z`) + days(trainDays + delayDays)).toISOString().slice(0, 10);
  lines.push(
    `                 pnpm fraud score --registry ${summary.out} --input ${join(summary.out, 'transactions.parquet')} --from ${testStart} --out ${scored} && pnpm fraud evaluate --input ${scored}`,
  );
  lines.push('', `Done in ${summary.seconds.toFixed(1)} s.`);
  return lines.join('\n');
}

/** The A/B section of the summary: per arm, the model, its traffic and outcomes; then the tests and their reading. */
function formatExperiment(experiment: ExperimentOutcome | null, report: TrainingReport): string[] {
  if (experiment === null) return ['', 'A/B test: not run (it needs a challenger: train two models or more, and --experiment-days above 0)'];
  const { answer } = experiment;
  // Two significant digits below 1 % (false-alarm rates are a few in ten thousand), one decimal above.
  const percent = (x: number | null): string => (x === null ? '—' : `${x < 0.01 ? (100 * x).toPrecision(2) : (100 * x).toFixed(1)} %`);
  const lines = [
    '',
    `A/B test (the last ${experiment.days} days of the test week again, ${percent(experiment.share)} of the cards to the challenger, sticky by card; fraud experiment on the log)`,
    '',
    row(['arm', 'model', 'transactions', 'frauds', 'caught (recall)', 'false alarms (rate)', 'money saved']),
    row(['---', '---', '---', '---', '---', '---', '---']),
  ];
  for (const arm of ['champion', 'challenger'] as const) {
    const result = answer.arms[arm];
    const name = arm === 'champion' ? report.champion : report.challenger;
    lines.push(
      row([
        arm,
        name === null ? '—' : modelLabel(name),
        String(result.scored),
        String(result.frauds),
        `${result.fraudCaught} (${percent(result.recall)})`,
        `${result.falseAlarms} (${percent(result.falseAlarmRate)})`,
        result.moneySaved.toFixed(0),
      ]),
    );
  }
  const p = (x: number): string => (Number.isNaN(x) ? '—' : x.toPrecision(2));
  lines.push(
    '',
    `  p-values        recall ${p(answer.tests.recall.pValue)}, false-alarm rate ${p(answer.tests.falseAlarmRate.pValue)} (card-clustered z-tests, alpha ${answer.alpha})`,
    `  answer          ${answer.conclusion}`,
  );
  return lines;
}

/** A model's full name (e.g. "gradient-boosted trees") from its command-line name. */
function modelLabel(name: string): string {
  return MODEL_LABELS[name as ModelName] ?? name;
}

/** ` (+0.055 [0.031, 0.080])`: a difference to the baseline with its interval, or nothing without one. */
function formatDifference(diff: { readonly estimate: number; readonly lower: number; readonly upper: number } | undefined): string {
  if (diff === undefined) return '';
  return ` ${diff.estimate >= 0 ? '+' : ''}${diff.estimate.toFixed(3)} [${diff.lower.toFixed(3)}, ${diff.upper.toFixed(3)}]`;
}

function describeDrift(report: MonitoringReport): string {
  const drift = report.drift;
  if (!drift.ready) return `not reported yet (${drift.windowEvents} of ${drift.minEvents} events in the window)`;
  const checked = `${Object.keys(drift.features).length} features and the score over the last ${drift.windowEvents} events`;
  if (drift.drifted.length === 0) return `none (${checked})`;
  const statusOf = (name: string): string => (name === 'score' ? drift.score?.status : drift.features[name]?.status) ?? '?';
  return `${drift.drifted.map((name) => `${name} ${statusOf(name)}`).join(', ')} (${checked})`;
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '' : `(${entries.map(([key, count]) => `${key} ${count}`).join(', ')})`;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}
