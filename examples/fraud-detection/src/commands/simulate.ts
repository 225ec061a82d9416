import type { Command } from 'commander';
import { simulateTransactions, writeTable } from '@mlsd/data';
import { createProgress } from '../cli-support/progress.js';
import { integer, positiveWholeNumber } from '../cli-support/flag-parsers.js';
import { runAction } from '../cli-support/run-action.js';

/** Flags of `fraud simulate` (a contract: scripts outside the repo call them). */
interface SimulateFlags {
  readonly customers: number;
  readonly terminals: number;
  readonly days: number;
  readonly seed: number;
  readonly start: string;
  readonly out: string;
}

/**
 * Registers `fraud simulate`: the Handbook's transaction generator (ch. 3.2) written to CSV, Parquet or JSON
 * lines by the file's extension. Prints a JSON summary on stdout (rows, fraud rate, frauds per scenario).
 */
export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('Simulate card transactions with the Fraud Detection Handbook generator and write them to a file.')
    .option('--customers <n>', 'number of customers', positiveWholeNumber, 5000)
    .option('--terminals <n>', 'number of terminals', positiveWholeNumber, 10_000)
    .option('--days <n>', 'number of days', positiveWholeNumber, 183)
    .option('--seed <n>', 'seed of every random draw (same seed, same file)', integer, 0)
    .option('--start <date>', 'first day, YYYY-MM-DD (UTC)', '2018-04-01')
    .requiredOption('--out <file>', 'output file: .csv, .parquet or .jsonl')
    .action((flags: SimulateFlags) =>
      runAction('simulate', async () => {
        const progress = createProgress();
        progress.start(`simulate ${flags.customers} customers, ${flags.terminals} terminals, ${flags.days} days`);
        const table = simulateTransactions({
          customers: flags.customers,
          terminals: flags.terminals,
          days: flags.days,
          seed: flags.seed,
          start: flags.start,
        });
        progress.done(`${table.rowCount} transactions`);
        progress.start(`write ${flags.out}`);
        await writeTable(table, flags.out);
        progress.done();

        const scenario = table.numeric('TX_FRAUD_SCENARIO');
        const perScenario = [0, 0, 0, 0];
        for (let i = 0; i < scenario.length; i++) perScenario[scenario[i]!]!++;
        const frauds = perScenario[1]! + perScenario[2]! + perScenario[3]!;
        const summary = {
          out: flags.out,
          rows: table.rowCount,
          frauds,
          fraudRate: table.rowCount === 0 ? 0 : frauds / table.rowCount,
          fraudsByScenario: { amount: perScenario[1], compromisedTerminal: perScenario[2], compromisedCard: perScenario[3] },
          seed: flags.seed,
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      }),
    );
}
