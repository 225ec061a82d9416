import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MlsdError } from '@mlsd/data';
import { parseReferenceProfile, type DriftReport } from '@mlsd/eval';
import { FileModelRegistry } from '@mlsd/models';
import { monitoringHtmlReport, readPredictionLog, replayPredictionLog, type MonitoringReport } from '@mlsd/monitoring';
import { registryDir } from '../cli-support/registry-dir.js';
import { runAction } from '../cli-support/run-action.js';

/** Flags of `fraud monitor` (the contract). */
export interface MonitorCommandOptions {
  readonly registry: string;
  readonly log: string;
  readonly html?: string;
}

/** What `fraud monitor` prints. */
export interface MonitorOutput {
  readonly model: { readonly ref: string; readonly name: string; readonly version: number };
  readonly log: { readonly file: string; readonly scores: number; readonly feedback: number };
  /** Drift of every model-scored event in the log against the champion's reference profile. */
  readonly drift: DriftReport | null;
  /** The service's view at the end of the log: sliding-window drift, live quality, experiment. */
  readonly live: MonitoringReport;
  readonly html: string | null;
}

const MODEL_REF = 'fraud@champion';

/**
 * Recomputes monitoring offline: loads the champion's reference profile from the registry, replays the prediction
 * log through the service's Monitor, and optionally writes the HTML page with charts. Throws `NOT_FOUND` when the
 * champion has no profile.
 */
export async function monitorFromLog(options: MonitorCommandOptions): Promise<MonitorOutput> {
  const loaded = await new FileModelRegistry(registryDir(options.registry)).load(MODEL_REF);
  if (loaded.profile === null || loaded.profile === undefined) {
    throw new MlsdError(
      'NOT_FOUND',
      `${MODEL_REF} (version ${loaded.entry.version}) in ${options.registry} has no reference profile; register the model with ` +
        'a profile (fraud train does) to monitor drift.',
      { location: { file: options.registry } },
    );
  }
  const profile = parseReferenceProfile(loaded.profile, `${options.registry} ${MODEL_REF} profile`);
  const records = await readPredictionLog(options.log);
  const replay = replayPredictionLog(records, { profile });
  if (options.html !== undefined) {
    const page = await monitoringHtmlReport(replay, profile, {
      subtitle: `${loaded.entry.name} v${loaded.entry.version}, prediction log ${options.log} (${replay.records.scores} scored, ${replay.records.feedback} labels)`,
    });
    await writeFile(options.html, page);
  }
  return {
    model: { ref: MODEL_REF, name: loaded.entry.name, version: loaded.entry.version },
    log: { file: options.log, ...replay.records },
    drift: replay.overall,
    live: replay.report,
    html: options.html ?? null,
  };
}

/** Registers `fraud monitor`: drift and live quality from a prediction log vs the champion's reference profile. */
export function registerMonitorCommand(program: Command): void {
  program
    .command('monitor')
    .description(
      "Drift (PSI, KS, Jensen–Shannon, Wasserstein per feature) and live quality from a prediction log, vs the champion's reference profile; JSON on stdout.",
    )
    .requiredOption('--registry <dir>', 'model registry directory (the champion of "fraud" and its reference profile), or the --out folder of fraud train')
    .requiredOption('--log <file>', 'prediction log (JSON lines) written by the service')
    .option('--html <file>', 'also write an HTML page with drift charts')
    .action((flags: MonitorCommandOptions) =>
      runAction('monitor', async () => {
        process.stderr.write(`monitor: replaying ${flags.log} against ${MODEL_REF} in ${flags.registry}\n`);
        const output = await monitorFromLog(flags);
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
        if (output.html !== null) process.stderr.write(`monitor: wrote ${output.html}\n`);
      }),
    );
}
