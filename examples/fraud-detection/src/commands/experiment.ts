import type { Command } from 'commander';
import { experimentFromLog, readPredictionLog } from '@mlsd/monitoring';
import { runAction } from '../cli-support/run-action.js';

/** Registers `fraud experiment`: per-arm results of a champion/challenger experiment, with significance, from a prediction log. */
export function registerExperimentCommand(program: Command): void {
  program
    .command('experiment')
    .description(
      'Champion/challenger results per arm (fraud caught, false alarms, money saved) with card-clustered z-tests, from a prediction log; JSON on stdout.',
    )
    .requiredOption('--log <file>', 'prediction log (JSON lines) written by the service with an experiment running')
    .action((flags: { log: string }) =>
      runAction('experiment', async () => {
        process.stderr.write(`experiment: reading ${flags.log}\n`);
        const records = await readPredictionLog(flags.log);
        const report = experimentFromLog(records, { source: flags.log });
        process.stdout.write(`${JSON.stringify({ log: flags.log, ...report }, null, 2)}\n`);
      }),
    );
}
