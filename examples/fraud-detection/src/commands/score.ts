import type { Command } from 'commander';
import { ColumnTable, ingest, MlsdError, TRANSACTION_SCHEMA, writeTable, type Column } from '@mlsd/data';
import { FeaturePipeline } from '@mlsd/features';
import { FileModelRegistry } from '@mlsd/models';
import { decide, type Decision } from '@mlsd/serving';
import { isoTimeFlag } from '../cli-support/flag-parsers.js';
import { registryDir } from '../cli-support/registry-dir.js';
import { runAction } from '../cli-support/run-action.js';
import { FRAUD_THRESHOLDS } from '../pipeline/fraud-service.js';
import { REGISTRY_MODEL_NAME } from '../pipeline/train-models.js';
import { PREDICTION_COLUMNS } from './evaluate.js';

/** Flags of `fraud score`. */
export interface ScoreOptions {
  /** The registry folder (or the `--out` folder of `fraud train` / `fraud demo`). */
  readonly registry: string;
  /** Transactions to score (CSV, Parquet or JSON lines with the `TRANSACTION_SCHEMA` columns). */
  readonly input: string;
  /** Predictions file to write; the format follows the extension. */
  readonly out: string;
  /** The registered model, `name@alias` or `name/version` (default `fraud@champion`). */
  readonly model: string;
  /**
   * Epoch ms: only transactions at or after it are scored and written; the earlier ones are the feature windows'
   * history (e.g. the test week's start, so the file holds out-of-sample scores only). Default: every row.
   */
  readonly from?: number;
}

/** What `fraud score` prints on stdout. */
export interface ScoreOutput {
  readonly input: string;
  readonly out: string;
  readonly model: { readonly name: string; readonly version: number; readonly aliases: readonly string[] };
  /** Transactions scored and written. */
  readonly rows: number;
  /** Transactions before `from`, read as the features' history only. */
  readonly historyRows: number;
  readonly from: string | null;
  readonly rejectedRows: number;
  readonly columns: readonly string[];
  /** How many rows got each decision. */
  readonly decisions: Readonly<Record<Decision, number>>;
  readonly thresholds: { readonly review: number; readonly block: number };
}

/** The column of the decision (allow, review or block) in the predictions file. */
export const DECISION_COLUMN = 'DECISION';

const DECISIONS: readonly Decision[] = ['allow', 'review', 'block'];

/**
 * Scores every transaction of a file with a registered model, offline: the model's own feature pipeline (as
 * registered with it, the one training fitted and serving runs online) computes the features over the whole file
 * with the offline executor, the model gives P(fraud), and `decide` maps it to allow / review / block with the
 * service's thresholds. Writes `TRANSACTION_ID`, the time, the card, the label, `SCORE` and `DECISION`: the
 * columns `fraud evaluate` reads by default. Feature windows see only the history inside the file, so its first
 * 37 days (the longest window plus the label delay) score with thinner history than the service would have: with
 * `from`, rows before it are read as history and neither scored nor written.
 */
export async function scoreFile(options: ScoreOptions, log: (line: string) => void): Promise<ScoreOutput> {
  const registry = new FileModelRegistry(registryDir(options.registry));
  const loaded = await registry.load(options.model);
  const { name, version, aliases } = loaded.entry;
  if (loaded.featurePipeline === null) {
    throw new MlsdError(
      'SCHEMA_MISMATCH',
      `Model ${name}/${version} was registered without its feature pipeline, so its inputs cannot be computed; register it with one (fraud train does).`,
      { location: { field: 'model' } },
    );
  }
  const pipeline = FeaturePipeline.fromJSON(loaded.featurePipeline);
  log(`score: model ${name}/${version}${aliases.length === 0 ? '' : ` (${aliases.join(', ')})`}; reading ${options.input}`);

  const { table, rejectedRows } = await ingest(options.input, { schema: TRANSACTION_SCHEMA });
  log(`score: ${table.rowCount} rows accepted, ${rejectedRows} rejected; computing ${pipeline.rawFeatureNames.length} features and scoring`);
  const times = table.numeric(PREDICTION_COLUMNS.time);
  const rows = scoredRows(times, options.from);
  if (rows.length === 0) {
    const last = times.reduce((latest, time) => Math.max(latest, time), Number.NEGATIVE_INFINITY);
    throw new MlsdError(
      'INVALID_OPTION',
      `No transaction of ${options.input} is at or after --from ${new Date(options.from!).toISOString()}: its last is at ${new Date(last).toISOString()}. Give an earlier --from.`,
      { location: { field: 'from', file: options.input } },
    );
  }
  // Features are computed over every row (windows need the history); only the rows from `from` on are scored.
  const scores = loaded.model.predictProba(pipeline.transform(table, { rows }));

  const decisions: Record<Decision, number> = { allow: 0, review: 0, block: 0 };
  const codes = new Int32Array(scores.length);
  for (let row = 0; row < scores.length; row++) {
    const decision = decide(scores[row]!, FRAUD_THRESHOLDS);
    decisions[decision]++;
    codes[row] = DECISIONS.indexOf(decision);
  }
  const kept = table.take(rows);
  const columns = new Map<string, Column>([
    [pipeline.id, kept.column(pipeline.id)],
    [PREDICTION_COLUMNS.time, kept.column(PREDICTION_COLUMNS.time)],
    [PREDICTION_COLUMNS.card, kept.column(PREDICTION_COLUMNS.card)],
    [PREDICTION_COLUMNS.label, kept.column(PREDICTION_COLUMNS.label)],
    [PREDICTION_COLUMNS.score, { type: 'float', values: scores }],
    [DECISION_COLUMN, { type: 'category', codes, dictionary: DECISIONS }],
  ]);
  const out = new ColumnTable(columns);
  log(`score: writing ${options.out}`);
  await writeTable(out, options.out);
  return {
    input: options.input,
    out: options.out,
    model: { name, version, aliases },
    rows: out.rowCount,
    historyRows: table.rowCount - out.rowCount,
    from: options.from === undefined ? null : new Date(options.from).toISOString(),
    rejectedRows,
    columns: out.columnNames,
    decisions,
    thresholds: { ...FRAUD_THRESHOLDS },
  };
}

/** Registers `fraud score --registry DIR --input FILE --out FILE [--model NAME@ALIAS]`. */
export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description(
      'Batch scoring: a registered model and its feature pipeline over a transactions file; writes the id, time, card, label, SCORE and DECISION (CSV, Parquet or JSON lines by extension) for fraud evaluate, JSON summary on stdout.',
    )
    .requiredOption('--registry <dir>', 'model registry directory (DIR/registry as written by fraud train), or that --out folder DIR itself')
    .requiredOption('--input <file>', 'transactions (CSV, Parquet or JSON lines) with the TRANSACTION_SCHEMA columns, history included')
    .requiredOption('--out <file>', 'predictions file: TRANSACTION_ID, TX_DATETIME, CUSTOMER_ID, TX_FRAUD, SCORE, DECISION')
    .option('--model <ref>', 'registered model: NAME@ALIAS (e.g. fraud@challenger, fraud@latest) or NAME/VERSION', `${REGISTRY_MODEL_NAME}@champion`)
    .option(
      '--from <time>',
      "score only the transactions at or after this UTC time (e.g. 2018-08-08, the test week); the earlier ones are the features' history",
      isoTimeFlag,
    )
    .action((flags: ScoreOptions) =>
      runAction('score', async () => {
        const output = await scoreFile(flags, (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      }),
    );
}

/** The rows (in file order) whose time is at or after `from`; every row when `from` is undefined. */
function scoredRows(times: Float64Array, from: number | undefined): Int32Array {
  if (from === undefined) return Int32Array.from({ length: times.length }, (_, row) => row);
  let count = 0;
  for (let row = 0; row < times.length; row++) if (times[row]! >= from) count++;
  const rows = new Int32Array(count);
  let next = 0;
  for (let row = 0; row < times.length; row++) if (times[row]! >= from) rows[next++] = row;
  return rows;
}
