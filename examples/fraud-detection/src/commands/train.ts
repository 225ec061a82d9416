import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ingest, TRANSACTION_SCHEMA } from '@mlsd/data';
import { createProgress } from '../cli-support/progress.js';
import { wholeNumber } from '../cli-support/flag-parsers.js';
import { runAction } from '../cli-support/run-action.js';
import { MODEL_LABELS, parseModelList } from '../pipeline/model-catalog.js';
import { HANDBOOK_SPLIT, prepareDataset, type SplitSettings } from '../pipeline/prepare-dataset.js';
import { gridPoints } from '@mlsd/eval';
import { DEFAULT_TUNING_BUDGET_SECONDS, TUNING_FOLDS, TUNING_SPACES } from '../pipeline/search-spaces.js';
import { CALIBRATION_METHODS, type CalibrationMethod } from '@mlsd/models';
import { calibrateModels, calibrationHtml, calibrationMarkdown } from '../pipeline/calibrate-models.js';
import { registerModels, trainingReport, trainModels, writeTrainingReports, type TuningSettings } from '../pipeline/train-models.js';

/** Flags of `fraud train` (a contract: scripts outside the repo call them). */
interface TrainFlags {
  readonly input: string;
  readonly out: string;
  readonly trainStart: string;
  readonly trainDays: number;
  readonly delayDays: number;
  readonly testDays: number;
  readonly models: string;
  readonly seed: number;
  readonly prequential: number;
  readonly tune: boolean;
  readonly budgetSeconds: number;
  readonly calibrate: CalibrationMethod;
}

/**
 * Registers `fraud train`: ingestion, the Handbook features, the split with delay, every model fitted and scored
 * on the test week, each registered as a new version of `fraud` in `DIR/registry` (champion = best average
 * precision, challenger = runner-up), and `DIR/report.json` (+ `report.md`, `report.html`). With `--tune`, the
 * upgrade models' hyper-parameters are first chosen by a grid search on 4 earlier prequential folds (within
 * `--budget-seconds`), and report.json adds what was chosen and each candidate's fold scores.
 */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('Train the baseline and the upgrades on a transactions file, evaluate them on the test week, register them.')
    .requiredOption('--input <file>', 'transactions in the Handbook format (CSV, Parquet or JSON lines)')
    .requiredOption('--out <dir>', 'output folder: registry/, report.json, report.md, report.html')
    .option('--train-start <date>', 'first training day (YYYY-MM-DD)', HANDBOOK_SPLIT.trainStart)
    .option('--train-days <n>', 'days of training data', wholeNumber, HANDBOOK_SPLIT.trainDays)
    .option('--delay-days <n>', 'days between training and test (labels not yet known)', wholeNumber, HANDBOOK_SPLIT.delayDays)
    .option('--test-days <n>', 'days of test data', wholeNumber, HANDBOOK_SPLIT.testDays)
    .option('--models <list>', 'comma-separated models, baseline first: lr, gbdt, rf, mlp', 'lr,gbdt,rf')
    .option('--seed <n>', 'seed of every random choice', wholeNumber, 1)
    .option('--prequential <n>', 'also evaluate on n prequential folds (0: holdout only)', wholeNumber, 0)
    .option('--tune', "choose each upgrade model's hyper-parameters first: grid search scored on 4 prequential folds before the test week")
    .option(
      '--budget-seconds <n>',
      'with --tune: seconds the searches may take in all (no candidate starts past it)',
      wholeNumber,
      DEFAULT_TUNING_BUDGET_SECONDS,
    )
    .option(
      '--calibrate <method>',
      'calibrate every model on the first half of the test days (platt, isotonic, auto = lower log loss, none); report.json adds before/after on the second half',
      calibrationMethod,
      'none',
    )
    .action((flags: TrainFlags) =>
      runAction('train', async () => {
        const models = parseModelList(flags.models);
        const split: SplitSettings = {
          trainStart: flags.trainStart,
          trainDays: flags.trainDays,
          delayDays: flags.delayDays,
          testDays: flags.testDays,
          prequentialFolds: flags.prequential,
        };
        const progress = createProgress();
        progress.start(`ingest ${flags.input}`);
        const { table, rejectedRows } = await ingest(flags.input, { schema: TRANSACTION_SCHEMA });
        progress.done(`${table.rowCount} rows accepted, ${rejectedRows} rejected`);

        progress.start('features and split');
        const dataset = prepareDataset(table, split, { tuningFolds: flags.tune === true ? TUNING_FOLDS : 0 });
        progress.done(`${dataset.holdout.train.length} training rows, ${dataset.holdout.test.length} test rows`);

        let tune: TuningSettings | undefined;
        const steps = models.length * (1 + split.prequentialFolds) * 2;
        let step = 0;
        if (flags.tune === true) {
          const planned = models.slice(1).reduce((sum, name) => sum + gridPoints(TUNING_SPACES[name]).length, 0);
          let tried = 0;
          progress.start(`tune (grid search, budget ${flags.budgetSeconds} s)`, Math.max(1, planned));
          tune = { budgetSeconds: flags.budgetSeconds, onCandidate: (e) => progress.update(++tried, `${MODEL_LABELS[e.model]} ${e.tried}/${e.planned}`) };
        } else {
          progress.start('train and evaluate', steps);
        }
        const trained = await trainModels(dataset, models, {
          seed: flags.seed,
          onProgress: () => {
            if (step === 0 && tune !== undefined) progress.start('train and evaluate', steps);
            progress.update(++step);
          },
          ...(tune === undefined ? {} : { tune }),
        });
        progress.done();
        let run = trained;
        let calibration: ReturnType<typeof calibrateModels>['report'] | undefined;
        if (flags.calibrate !== 'none') {
          progress.start(`calibrate (${flags.calibrate})`);
          ({ run, report: calibration } = calibrateModels(dataset, trained, flags.calibrate));
          progress.done(calibration.models.map((m) => `${MODEL_LABELS[m.model]} ${m.method}`).join(', '));
        }

        progress.start('register');
        const registration = await registerModels(join(flags.out, 'registry'), dataset, run, split);
        progress.done(
          `champion ${MODEL_LABELS[registration.champion]}, challenger ${registration.challenger === undefined ? 'none' : MODEL_LABELS[registration.challenger]}`,
        );

        // Only with --calibrate, so an uncalibrated report is exactly what it was.
        const report = { ...trainingReport(dataset, run, split, registration), ...(calibration === undefined ? {} : { calibration }) };
        const paths = await writeTrainingReports(flags.out, report, run);
        if (calibration !== undefined) {
          await appendFile(paths.markdown, `\n${calibrationMarkdown(calibration)}\n`);
          const html = await readFile(paths.html, 'utf8');
          await writeFile(paths.html, html.replace('</body>', `${await calibrationHtml(calibration)}</body>`));
        }
        process.stderr.write(`report: ${paths.json}, ${paths.html}\n`);
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      }),
    );
}

function calibrationMethod(value: string): CalibrationMethod {
  if (!(CALIBRATION_METHODS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--calibrate must be one of ${CALIBRATION_METHODS.join(', ')}; got "${value}".`);
  }
  return value as CalibrationMethod;
}
