import type { Command } from 'commander';
import { defineSchema, ingest, MlsdError, type Schema } from '@mlsd/data';
import { dayIndex, summarizeScores, type ScoreSummary } from '@mlsd/eval';
import { positiveWholeNumber } from '../cli-support/flag-parsers.js';
import { runAction } from '../cli-support/run-action.js';

/**
 * The default columns of a predictions file, as `fraud evaluate` reads them and `fraud score` writes them: the
 * 0/1 label, the score, and the card and time columns Card Precision@k needs.
 */
export const PREDICTION_COLUMNS = { label: 'TX_FRAUD', score: 'SCORE', card: 'CUSTOMER_ID', time: 'TX_DATETIME' } as const;

/** Flags of `fraud evaluate` (the contract: exactly these names and defaults). */
export interface EvaluateOptions {
  readonly predictions: string;
  readonly labelCol: string;
  readonly scoreCol: string;
  readonly cardCol: string;
  readonly timeCol: string;
  readonly k: number;
}

/** What `fraud evaluate` prints: the metrics plus where they came from. */
export interface EvaluateOutput extends Omit<ScoreSummary, 'groupPrecisionAtK'> {
  /** The library's group precision@k with cards as the groups (Card Precision@k; a contract of `fraud evaluate`). */
  readonly cardPrecisionAtK: number | null;
  readonly file: string;
  readonly columns: { readonly label: string; readonly score: string; readonly card: string | null; readonly time: string | null };
}

/**
 * The schema of a predictions file: a 0/1 label, a score, and optionally an integer card id and a UTC
 * timestamp (both needed for Card Precision@k). Other columns in the file are ignored.
 */
export function predictionsSchema(options: Pick<EvaluateOptions, 'labelCol' | 'scoreCol' | 'cardCol' | 'timeCol'>): Schema {
  return defineSchema('predictions', [
    { name: options.labelCol, type: 'label', role: 'label' },
    { name: options.scoreCol, type: 'float', role: 'feature' },
    { name: options.cardCol, type: 'integer', role: 'entity-key', required: false },
    { name: options.timeCol, type: 'timestamp', role: 'event-time', required: false },
  ]);
}

/**
 * Scores a predictions file: reads it through `@mlsd/data` ingestion (any bad row fails the command, naming
 * its line) and returns every standard metric (`summarizeScores`). Card Precision@k needs the card and time
 * columns; without them it is null and `notes` says why.
 */
export async function evaluatePredictions(options: EvaluateOptions): Promise<EvaluateOutput> {
  const { table, source } = await ingest(options.predictions, { schema: predictionsSchema(options), onInvalidRow: 'fail' });
  const labels = table.labels(options.labelCol);
  const scores = table.numeric(options.scoreCol);
  const hasCards = table.has(options.cardCol);
  const hasTimes = table.has(options.timeCol);
  const summary = summarizeScores(
    {
      labels,
      scores,
      ...(hasCards && hasTimes ? { groupIds: table.numeric(options.cardCol), days: dayIndex(table.numeric(options.timeCol)) } : {}),
    },
    { k: options.k },
  );
  const { groupPrecisionAtK, ...metrics } = summary;
  return {
    file: source,
    columns: { label: options.labelCol, score: options.scoreCol, card: hasCards ? options.cardCol : null, time: hasTimes ? options.timeCol : null },
    ...metrics,
    cardPrecisionAtK: groupPrecisionAtK,
  };
}

/** Registers `fraud evaluate`: score anyone's predictions CSV and print the metrics as one JSON object. */
export function registerEvaluateCommand(program: Command): void {
  program
    .command('evaluate')
    .description('Score a CSV of predictions: prints ROC AUC, average precision, Card Precision@k, log loss, Brier score, … as JSON.')
    .option('--predictions <file>', 'CSV (or Parquet / JSON lines) with one prediction per transaction, e.g. written by fraud score')
    .option('--input <file>', 'the same as --predictions (the name the other commands use for their input file)')
    .option('--label-col <name>', 'column of the 0/1 fraud label', PREDICTION_COLUMNS.label)
    .option('--score-col <name>', 'column of the predicted fraud probability', PREDICTION_COLUMNS.score)
    .option('--card-col <name>', 'column of the card (customer) id, for Card Precision@k', PREDICTION_COLUMNS.card)
    .option('--time-col <name>', 'column of the transaction time (UTC), for Card Precision@k', PREDICTION_COLUMNS.time)
    .option('--k <n>', 'alerts per day for precision@k and Card Precision@k', positiveWholeNumber, 100)
    .action((flags: Omit<EvaluateOptions, 'predictions'> & { predictions?: string; input?: string }) =>
      runAction('evaluate', async () => {
        const predictions = predictionsFlag(flags);
        process.stderr.write(`evaluate: reading ${predictions}\n`);
        const output = await evaluatePredictions({ ...flags, predictions });
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      }),
    );
}

/** The predictions file of `--predictions` or its synonym `--input`; throws `INVALID_OPTION` for none or two different files. */
function predictionsFlag(flags: { readonly predictions?: string; readonly input?: string }): string {
  const { predictions, input } = flags;
  if (predictions !== undefined && input !== undefined && predictions !== input) {
    throw new MlsdError('INVALID_OPTION', `--predictions (${predictions}) and --input (${input}) name different files; give one of them.`, {
      location: { field: 'predictions' },
    });
  }
  const file = predictions ?? input;
  if (file === undefined) {
    throw new MlsdError('INVALID_OPTION', 'fraud evaluate needs the predictions file: --predictions FILE (or --input FILE).', {
      location: { field: 'predictions' },
    });
  }
  return file;
}
