import type { Command } from 'commander';
import { ingestToFile, TRANSACTION_SCHEMA } from '@mlsd/data';
import { createProgress } from '../cli-support/progress.js';
import { ratio } from '../cli-support/flag-parsers.js';
import { runAction } from '../cli-support/run-action.js';

/** Flags of `fraud ingest` (a contract: scripts outside the repo call them). */
interface IngestFlags {
  readonly input: string;
  readonly out: string;
  readonly rejects?: string;
  readonly maxRejectRatio: number;
}

/**
 * Registers `fraud ingest`: validates a transactions file against the Handbook schema and writes the accepted
 * rows to `--out` (CSV, Parquet or JSON lines by extension) and the rejects to `--rejects`. Prints the accepted
 * and rejected counts as JSON on stdout; exits non-zero when ingestion fails (missing file or column, reject
 * ratio above `--max-reject-ratio`).
 */
export function registerIngestCommand(program: Command): void {
  program
    .command('ingest')
    .description('Validate a transactions file (CSV, Parquet, JSON lines), write the valid rows and the rejects.')
    .requiredOption('--input <file>', 'transactions in the Handbook format')
    .requiredOption('--out <file>', 'where to write the accepted rows: .csv, .parquet or .jsonl')
    .option('--rejects <file>', 'where to write the rejects (line, column, rawValue, reason): .csv or .jsonl')
    .option('--max-reject-ratio <r>', 'fail when more than this share of rows is rejected, in [0, 1]', ratio, 1)
    .action((flags: IngestFlags) =>
      runAction('ingest', async () => {
        const progress = createProgress();
        progress.start(`ingest ${flags.input} → ${flags.out}`);
        // Parquet output never leaves DuckDB (ingestToFile); other formats go through the typed table.
        const result = await ingestToFile(flags.input, flags.out, {
          schema: TRANSACTION_SCHEMA,
          maxRejectRatio: flags.maxRejectRatio,
          ...(flags.rejects === undefined ? {} : { rejectsPath: flags.rejects }),
        });
        progress.done(`${result.acceptedRows} accepted, ${result.rejectedRows} rejected`);
        const summary = {
          input: flags.input,
          out: flags.out,
          acceptedRows: result.acceptedRows,
          rejectedRows: result.rejectedRows,
          rejectedValues: result.rejects.length,
          ...(flags.rejects === undefined ? {} : { rejects: flags.rejects }),
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      }),
    );
}
