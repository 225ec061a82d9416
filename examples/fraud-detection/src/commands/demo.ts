import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ingest, simulateTransactions, TRANSACTION_SCHEMA, writeTable, type ColumnTable } from '@mlsd/data';
import { FileModelRegistry } from '@mlsd/models';
import { JsonlPredictionLog, Monitor, type MonitoringReport } from '@mlsd/monitoring';
import { createScoringService, memoryFeatureBackend, registryModelSource } from '@mlsd/serving';
import { createProgress, type Progress } from '../cli-support/progress.js';
import { wholeNumber } from '../cli-support/flag-parsers.js';
import { runAction } from '../cli-support/run-action.js';
import { demoScale, type DemoScale } from '../pipeline/demo-scale.js';
import { MODEL_LABELS, parseModelList, type ModelName } from '../pipeline/model-catalog.js';
import { HANDBOOK_SPLIT, prepareDataset, type PreparedDataset, type SplitSettings } from '../pipeline/prepare-dataset.js';
import { days, replayThroughService, rowsInTimeRange, warmFeatureStore, type ReplaySummary } from '../pipeline/replay-through-service.js';
import { REGISTRY_MODEL_NAME, registerModels, trainingReport, trainModels, writeTrainingReports, type TrainingReport } from '../pipeline/train-models.js';
import { fraudServiceOptions } from '../pipeline/fraud-service.js';

/** Flags of `fraud demo` (`pnpm demo`). */
export interface DemoFlags {
  readonly scale: string;
  readonly out: string;
  readonly seed: number;
  readonly models: string;
  readonly feedbackDelayDays: number;
}

/** The longest feature window plus its label delay: the history the online store needs (Handbook: 30 + 7 days). */
const FEATURE_HISTORY_DAYS = 37;

/**
 * Registers `fraud demo`: every step of the framework in one run. Simulate, ingest and validate, compute the
 * Handbook features, split with delay, train the baseline then the upgrades, evaluate (holdout with delay and
 * prequential), write the report, register champion and challenger, start the scoring service in-process, replay
 * the test period through it with labels fed back after their delay, and print live quality, fallbacks and drift.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the whole framework end to end: data, features, baseline and upgrades, evaluation, serving, monitoring.')
    .option('--scale <scale>', 'full (the Handbook data set, about 1.75 million transactions) or small (seconds)', 'full')
    .option('--out <dir>', 'where the data, registry, reports and prediction log go', 'out/demo')
    .option('--seed <n>', 'seed of every random choice', wholeNumber, 0)
    .option('--models <list>', 'models to train, baseline first', 'lr,gbdt,rf,mlp')
    .option('--feedback-delay-days <n>', 'days until a label reaches the service after its transaction', wholeNumber, 1)
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
  readonly paths: { readonly json: string; readonly markdown: string; readonly html: string };
  readonly out: string;
  readonly seconds: number;
}

/**
 * Runs the whole demo (see `registerDemoCommand`) and returns what it produced; progress goes to stderr unless
 * `quiet`. The end-to-end tests call this, so they run the same code path as `pnpm demo`.
 */
export async function runDemo(flags: DemoFlags, options: { readonly quiet?: boolean } = {}): Promise<DemoOutcome> {
  const scale = demoScale(flags.scale);
  const models = parseModelList(flags.models);
  const out = resolve(flags.out);
  await mkdir(out, { recursive: true });
  const progress = createProgress({ quiet: options.quiet === true });
  const split: SplitSettings = { ...HANDBOOK_SPLIT, prequentialFolds: scale.prequentialFolds };
  const started = performance.now();

  // Data: simulate, write, and ingest back through validation (nothing is dropped silently).
  progress.start(`1 simulate ${scale.customers} customers, ${scale.terminals} terminals, ${scale.days} days`);
  const simulated = simulateTransactions({ customers: scale.customers, terminals: scale.terminals, days: scale.days, start: scale.start, seed: flags.seed });
  progress.done(`${simulated.rowCount} transactions`);
  const dataFile = join(out, 'transactions.parquet');
  progress.start(`2 write and ingest ${dataFile}`);
  await writeTable(simulated, dataFile);
  const ingested = await ingest(dataFile, { schema: TRANSACTION_SCHEMA, rejectsPath: join(out, 'rejects.csv') });
  const table = ingested.table;
  progress.done(`${ingested.acceptedRows} accepted, ${ingested.rejectedRows} rejected`);

  // Features, and the split with delay.
  progress.start('3 features (15 Handbook features) and split');
  const dataset = prepareDataset(table, split);
  progress.done(`${dataset.holdout.train.length} training rows, ${dataset.holdout.test.length} test rows, ${dataset.prequential.length} prequential folds`);

  // Models and offline evaluation: baseline first, then the upgrades; holdout with delay and prequential folds.
  const run = await trainWithProgress(progress, dataset, models, split, flags.seed);

  // Registry: champion (best average precision) and challenger (runner-up).
  const registryDir = join(out, 'registry');
  progress.start('6 register models');
  const registration = await registerModels(registryDir, dataset, run, split);
  progress.done(`champion ${registration.champion}, challenger ${registration.challenger ?? 'none'}`);
  const report = trainingReport(dataset, run, split, registration);
  const paths = await writeTrainingReports(out, report, run);

  // Serving and monitoring: serve in-process and replay the test period through HTTP.
  const serving = await serveAndReplay(progress, { table, registryDir, out, split, feedbackDelayDays: flags.feedbackDelayDays });

  return { scale, report, serving, paths, out, seconds: (performance.now() - started) / 1000 };
}

async function trainWithProgress(progress: Progress, dataset: PreparedDataset, models: ModelName[], split: SplitSettings, seed: number) {
  const steps = models.length * (1 + split.prequentialFolds) * 2;
  let step = 0;
  progress.start(`4-5 train ${models.join(', ')} and evaluate`, steps);
  const run = await trainModels(dataset, models, { seed, onProgress: () => progress.update(++step) });
  progress.done();
  return run;
}

/** What the in-process service did during the replay. */
export interface ServingOutcome {
  readonly warmed: number;
  readonly replay: ReplaySummary;
  readonly monitoring: MonitoringReport;
  readonly predictionLog: string;
  readonly serviceLog: string;
  readonly championVersion: number;
}

async function serveAndReplay(
  progress: Progress,
  options: { table: ColumnTable; registryDir: string; out: string; split: SplitSettings; feedbackDelayDays: number },
): Promise<ServingOutcome> {
  const registry = new FileModelRegistry(options.registryDir);
  const champion = await registry.load(`${REGISTRY_MODEL_NAME}@champion`);
  const testStart = Date.parse(`${options.split.trainStart}T00:00:00Z`) + days(options.split.trainDays + options.split.delayDays);
  const testEnd = testStart + days(options.split.testDays);

  const historyMs = days(FEATURE_HISTORY_DAYS);
  progress.start('7 warm the online feature store', rowsInTimeRange(options.table, testStart - historyMs, testStart).length);
  const features = memoryFeatureBackend();
  const warmed = await warmFeatureStore(features, champion.featurePipeline, options.table, {
    untilTime: testStart,
    historyMs,
    onProgress: (recorded) => progress.update(recorded),
  });
  progress.done(`${warmed} past transactions`);

  const predictionLog = join(options.out, 'predictions.jsonl');
  const serviceLog = join(options.out, 'service.log');
  // Drift compares a window of live traffic with a week of reference traffic. The window spans a week too, so
  // that day-of-week and time-of-day features are compared over whole cycles (a Tuesday-only window would always
  // "drift" on TX_DURING_WEEKEND); it is first reported once it holds a day, and recomputed every day of traffic.
  const transactionsPerWeek = rowsInTimeRange(options.table, testStart, testEnd).length;
  const transactionsPerDay = Math.max(500, Math.round(transactionsPerWeek / options.split.testDays));
  const logStream = createWriteStream(serviceLog, { flags: 'a' });
  const service = await createScoringService({
    ...(await fraudServiceOptions()),
    models: registryModelSource(registry),
    features,
    modelName: REGISTRY_MODEL_NAME,
    port: 0,
    logLevel: 'info',
    logStream,
    logDecisions: false,
    monitor: (context) =>
      new Monitor({
        profile: context.model?.profile,
        drift: {
          windowSize: Math.max(transactionsPerDay, transactionsPerWeek),
          step: transactionsPerDay,
          minEvents: transactionsPerDay,
          schedule: 'background',
        },
        registry: context.registry,
        logger: context.logger,
        predictionLog: new JsonlPredictionLog(predictionLog),
      }),
  });
  try {
    const baseUrl = await service.start();
    progress.start(`8 replay the test week through ${baseUrl}`, transactionsPerWeek);
    const replay = await replayThroughService(options.table, {
      baseUrl,
      fromTime: testStart,
      toTime: testEnd,
      feedbackDelayMs: days(options.feedbackDelayDays),
      onProgress: (done) => progress.update(done),
    });
    progress.done(`${replay.scored} transactions in ${replay.seconds.toFixed(1)} s`);
    const monitoring = (await (await fetch(`${baseUrl}/v1/monitoring`)).json()) as MonitoringReport;
    return { warmed, replay, monitoring, predictionLog, serviceLog, championVersion: champion.entry.version };
  } finally {
    await service.close();
    await new Promise((done) => logStream.end(done));
  }
}

/** The summary table `pnpm demo` prints at the end. */
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
        `${model.name}${model.name === report.champion ? ' (champion)' : model.name === report.challenger ? ' (challenger)' : ''}`,
        pct(model.rocAuc),
        pct(model.averagePrecision),
        pct(model.cardPrecisionAt100),
        model.fitSeconds.toFixed(2),
        diff === undefined ? 'baseline' : `${diff.estimate >= 0 ? '+' : ''}${diff.estimate.toFixed(3)} [${diff.lower.toFixed(3)}, ${diff.upper.toFixed(3)}]`,
      ]),
    );
  }
  const { replay, monitoring } = serving;
  const quality = monitoring.quality;
  lines.push(
    '',
    `Serving (champion ${report.champion} = ${MODEL_LABELS[report.champion as ModelName] ?? report.champion}, version ${serving.championVersion})`,
    '',
  );
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
  lines.push(
    '',
    `Report:          ${summary.paths.html}`,
    `Comparison:      ${summary.paths.markdown}`,
    `Prediction log:  ${serving.predictionLog}`,
    `Service log:     ${serving.serviceLog}`,
  );
  lines.push(`Next:            pnpm fraud monitor --registry ${join(summary.out, 'registry')} --log ${serving.predictionLog}`);
  lines.push('', `Done in ${summary.seconds.toFixed(1)} s.`);
  return lines.join('\n');
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
