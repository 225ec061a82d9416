import type { Command } from 'commander';
import { ColumnTable, TRANSACTION_SCHEMA, ingest, writeTable, type Column } from '@mlsd/data';
import { computeFeatures, handbookFeatures } from '@mlsd/features';
import { runAction } from '../cli-support/run-action.js';

/** Flags of `fraud features` (the contract). */
export interface FeaturesCommandOptions {
  readonly input: string;
  readonly out: string;
}

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
  log(`features: reading ${options.input}`);
  const { table, rejectedRows } = await ingest(options.input, { schema: TRANSACTION_SCHEMA });
  log(`features: ${table.rowCount} rows accepted, ${rejectedRows} rejected; computing ${handbookFeatures().length} features`);
  const started = performance.now();
  const features = computeFeatures(table, handbookFeatures());
  const featureMs = performance.now() - started;
  const columns = new Map<string, Column>();
  for (const name of KEPT) columns.set(name, table.column(name));
  for (const name of features.columnNames) columns.set(name, features.column(name));
  const out = new ColumnTable(columns);
  log(`features: writing ${options.out}`);
  await writeTable(out, options.out);
  return { input: options.input, out: options.out, rows: out.rowCount, rejectedRows, columns: out.columnNames, featureMs: Math.round(featureMs) };
}

/** Registers `fraud features --input FILE --out FILE`. */
export function registerFeaturesCommand(program: Command): void {
  program
    .command('features')
    .description('The 15 Fraud Detection Handbook features for every transaction of a file; writes CSV, Parquet or JSON lines by extension, JSON summary on stdout.')
    .requiredOption('--input <file>', 'transactions (CSV, Parquet or JSON lines) with the TRANSACTION_SCHEMA columns')
    .requiredOption('--out <file>', 'output file: TRANSACTION_ID, TX_DATETIME, CUSTOMER_ID, TERMINAL_ID, TX_FRAUD and the 15 features')
    .action((flags: FeaturesCommandOptions) =>
      runAction('features', async () => {
        const output = await writeFeatures(flags, (line) => process.stderr.write(`${line}\n`));
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      }),
    );
}
