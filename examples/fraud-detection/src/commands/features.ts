import { InvalidArgumentError, type Command } from 'commander';
import { ColumnTable, TRANSACTION_SCHEMA, ingest, writeTable, type Column } from '@mlsd/data';
import { computeFeaturesInParallel, FeatureWorkers, handbookFeatures } from '@mlsd/features';
import { runAction } from '../cli-support/run-action.js';

/** Flags of `fraud features` (the contract). */
export interface FeaturesCommandOptions {
  readonly input: string;
  readonly out: string;
  /**
   * Where the features are computed: `typed` (default: the in-process typed-array executor, the fastest when the
   * data fits in memory), `duckdb` (the compiled SQL in embedded DuckDB) or a `postgres://…` URL (the compiled SQL
   * on that server).
   */
  readonly engine?: string;
}

/** The `--engine` values other than a `postgres://` URL. */
const ENGINES = ['typed', 'duckdb'];

/** What `fraud features` prints on stdout. */
export interface FeaturesOutput {
  readonly input: string;
  readonly out: string;
  readonly rows: number;
  readonly rejectedRows: number;
  readonly columns: readonly string[];
  /** Wall time of the feature computation alone, in ms. */
  readonly featureMs: number;
}

/** The identifying columns written before the features. */
const KEPT = ['TRANSACTION_ID', 'TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_FRAUD'];

/**
 * Reads a transactions file (validated against `TRANSACTION_SCHEMA`; bad rows are set aside and counted), computes
 * the 15 Handbook features for every accepted row, and writes the ids, time, keys, label and features to `out`
 * (CSV, Parquet or JSON lines by extension).
 */
export async function writeFeatures(options: FeaturesCommandOptions, log: (line: string) => void): Promise<FeaturesOutput> {
  const engine = options.engine ?? 'typed';
  // The typed engine's worker threads start while the input is read.
  const workers = engine === 'typed' ? FeatureWorkers.start() : undefined;
  try {
    return await ingestComputeWrite(options, engine, workers, log);
  } finally {
    await workers?.close();
  }
}

async function ingestComputeWrite(
  options: FeaturesCommandOptions,
  engine: string,
  workers: FeatureWorkers | undefined,
  log: (line: string) => void,
): Promise<FeaturesOutput> {
  log(`features: reading ${options.input}`);
  const { table, rejectedRows } = await ingest(options.input, { schema: TRANSACTION_SCHEMA });
  log(`features: ${table.rowCount} rows accepted, ${rejectedRows} rejected; computing ${handbookFeatures().length} features`);
  const started = performance.now();
  const features = await computeWith(engine, table, workers);
  const featureMs = performance.now() - started;
  const columns = new Map<string, Column>();
  for (const name of KEPT) columns.set(name, table.column(name));
  for (const name of features.columnNames) columns.set(name, features.column(name));
  const out = new ColumnTable(columns);
  log(`features: writing ${options.out}`);
  await writeTable(out, options.out);
  return { input: options.input, out: options.out, rows: out.rowCount, rejectedRows, columns: out.columnNames, featureMs: Math.round(featureMs) };
}

async function computeWith(engine: string, table: ColumnTable, workers: FeatureWorkers | undefined): Promise<ColumnTable> {
  // Customer and terminal windows at the same time, on a worker thread (bit-identical to one thread).
  if (engine === 'typed') return computeFeaturesInParallel(table, handbookFeatures(), workers === undefined ? {} : { workers });
  const sql = await import('@mlsd/features/sql');
  if (engine === 'duckdb') return sql.computeFeaturesInDuckDB(table, handbookFeatures());
  return sql.computeFeaturesInPostgres(table, handbookFeatures(), engine);
}

/** `--engine`: typed, duckdb or a postgres:// URL. */
function engineFlag(value: string): string {
  if (ENGINES.includes(value) || /^postgres(ql)?:\/\//.test(value)) return value;
  throw new InvalidArgumentError(`use one of ${ENGINES.join(', ')} or a postgres://user@host:port/db URL`);
}

/**
 * The SQL `fraud features` runs for an engine, ready to paste: for DuckDB over the input file in place (events with
 * equal times ordered by TRANSACTION_ID), for PostgreSQL over a table `transactions` with the same columns.
 */
async function explain(options: FeaturesCommandOptions): Promise<string> {
  const { compileFeatureSql } = await import('@mlsd/features/sql');
  const { formatOf } = await import('@mlsd/data');
  const postgres = options.engine?.startsWith('postgres') === true;
  const file = `'${options.input.replaceAll("'", "''")}'`;
  const source = postgres ? 'transactions' : formatOf(options.input) === 'parquet' ? `read_parquet(${file})` : `read_csv(${file})`;
  return compileFeatureSql(handbookFeatures(), { source, time: 'TX_DATETIME', order: 'TRANSACTION_ID', keep: KEPT, dialect: postgres ? 'postgres' : 'duckdb' });
}

/** Registers `fraud features --input FILE --out FILE`. */
export function registerFeaturesCommand(program: Command): void {
  program
    .command('features')
    .description(
      'The 15 Fraud Detection Handbook features for every transaction of a file; writes CSV, Parquet or JSON lines by extension, JSON summary on stdout.',
    )
    .requiredOption('--input <file>', 'transactions (CSV, Parquet or JSON lines) with the TRANSACTION_SCHEMA columns')
    .requiredOption('--out <file>', 'output file: TRANSACTION_ID, TX_DATETIME, CUSTOMER_ID, TERMINAL_ID, TX_FRAUD and the 15 features')
    .option(
      '--engine <engine>',
      'typed (in-process typed arrays, default), duckdb (compiled SQL, embedded) or postgres://user@host:port/db',
      engineFlag,
      'typed',
    )
    .option('--explain', 'print the compiled SQL of the features for the engine (DuckDB over the input file, or PostgreSQL) and exit')
    .action((flags: FeaturesCommandOptions & { explain?: boolean }) =>
      runAction('features', async () => {
        if (flags.explain === true) {
          process.stdout.write(`${await explain(flags)};\n`);
          return;
        }
        const output = await writeFeatures(flags, (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      }),
    );
}
