import type { Command } from 'commander';
import { experimentFromLog, readPredictionLog } from '@mlsd/monitoring';
import { runAction } from '../cli-support/run-action.js';

/**
 * What `fraud experiment --log FILE` answers: the log's path, then per-arm results (fraud caught, false alarms,
 * money saved) with card-clustered z-tests and a one-line conclusion. The demo prints the same for its A/B phase.
 */
export async function experimentAnswer(log: string) {
  const records = await readPredictionLog(log);
  return { log, ...experimentFromLog(records, { source: log }) };
}

/** The JSON `fraud experiment` prints (see {@link experimentAnswer}). */
export type ExperimentAnswer = Awaited<ReturnType<typeof experimentAnswer>>;

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
        process.stdout.write(`${JSON.stringify(await experimentAnswer(flags.log), null, 2)}\n`);
      }),
    );
}
