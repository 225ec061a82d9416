import type { Command } from 'commander';
import { MlsdError } from '@mlsd/data';
import { FileModelRegistry } from '@mlsd/models';
import { JsonlPredictionLog, Monitor } from '@mlsd/monitoring';
import { createScoringService, LOG_LEVELS, registryModelSource, type ScoringService } from '@mlsd/serving';
import {
  checkWorkersStore,
  featureBackendForStore,
  logLevelFlag,
  portFlag,
  positiveNumberFlag,
  serveUntilSignal,
  serveWithWorkers,
  workersFlag,
} from '@mlsd/serving/cli';
import { ratio, wholeNumber } from '../cli-support/flag-parsers.js';
import { registryDir } from '../cli-support/registry-dir.js';
import { FRAUD_RULES_FILE, fraudServiceOptions } from '../pipeline/fraud-service.js';
import { warmFromSnapshot } from '../pipeline/state-materialization.js';
import { runAction } from '../cli-support/run-action.js';

/** Flags of `fraud serve` (a contract: `--registry`, `--port`, `--store` come from the issue). */
interface ServeFlags {
  readonly registry: string;
  readonly port: number;
  readonly host: string;
  readonly store: string;
  readonly model: string;
  readonly adminToken?: string;
  readonly deadlineMs: number;
  readonly predictionLog?: string;
  readonly rules: string;
  readonly redisPrefix: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly experimentShare?: number;
  readonly experimentSeed: number;
  readonly warmFrom?: string;
  readonly workers: number;
  readonly metricsPort?: number;
}

/**
 * Registers `fraud serve`: the scoring service on the registry's champion, with the feature state in memory (one
 * replica) or in Redis (several replicas), monitoring when the champion has a reference profile, and a graceful
 * shutdown on SIGINT/SIGTERM. Logs are JSON lines on stdout; the address goes to stderr once listening.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve the champion of the registry over HTTP: /v1/score, /v1/feedback, /v1/monitoring, /v2 (Open Inference Protocol), /metrics, /admin/reload.',
    )
    .requiredOption('--registry <dir>', 'model registry directory (DIR/registry as written by fraud train), or that --out folder DIR itself')
    .option('--port <n>', 'TCP port (0: any free port)', portFlag, 8080)
    .option('--host <host>', 'interface to listen on (0.0.0.0 in a container)', '127.0.0.1')
    .option(
      '--store <store>',
      'online feature state: "memory", a Redis URL such as redis://127.0.0.1:6379, or redis-cluster://host:port[,host:port…]',
      'memory',
    )
    .option('--model <name>', 'registry model name to serve (its champion; challenger in shadow)', 'fraud')
    .option('--admin-token <token>', 'bearer token of POST /admin/reload (default: $MLSD_ADMIN_TOKEN; without one the route is disabled)')
    .option('--deadline-ms <ms>', 'budget of the model path per transaction before the fallback answers', positiveNumberFlag, 20)
    .option('--prediction-log <file>', 'append every score and label to this JSON lines file (for fraud monitor)')
    .option('--rules <file>', 'JSON rules file of the fallback', FRAUD_RULES_FILE)
    .option('--redis-prefix <prefix>', 'key prefix of the feature state in Redis', 'mlsd:features:')
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`, logLevelFlag, 'info')
    .option(
      '--experiment-share <F>',
      "run a champion/challenger experiment: a share F in [0, 1] of the cards (sticky by card id) is answered by the registry's challenger; every prediction-log record then names its arm, for fraud experiment",
      ratio,
    )
    .option('--experiment-seed <n>', 'seed of the card-to-arm assignment (the same seed gives the same split on every replica)', wholeNumber, 0)
    .option(
      '--warm-from <file>',
      "start the memory store from a state snapshot written by fraud materialize --store memory-snapshot:FILE (computed for the champion's feature definitions), instead of empty",
    )
    .option(
      '--workers <n>',
      'processes serving the port (node:cluster), sharing the feature state: more than 1 needs --store redis://… or redis-cluster://…',
      workersFlag,
      1,
    )
    .option(
      '--metrics-port <n>',
      'with --workers > 1: the primary answers GET /metrics on this port, every worker merged (each worker alone on the service port)',
      portFlag,
    )
    .action((flags: ServeFlags) =>
      runAction('serve', () => {
        if (flags.warmFrom !== undefined && flags.workers > 1) {
          throw new MlsdError(
            'INVALID_OPTION',
            `--warm-from fills one process's memory store, and --workers is ${flags.workers}: run fraud materialize --store redis://… once, then serve --workers ${flags.workers} --store redis://… without --warm-from.`,
            { location: { field: 'warm-from' } },
          );
        }
        checkWorkersStore(flags.workers, flags.store);
        return serveWithWorkers(flags.workers, () => serve(flags), {
          ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort, metricsHost: flags.host }),
        });
      }),
    );
}

async function serve(flags: ServeFlags): Promise<void> {
  const adminToken = flags.adminToken ?? process.env['MLSD_ADMIN_TOKEN'];
  const registry = new FileModelRegistry(registryDir(flags.registry));
  const contract = await fraudServiceOptions(flags.rules);
  const features = await featureBackendForStore(flags.store, flags.redisPrefix);
  let service: ScoringService;
  try {
    if (flags.warmFrom !== undefined) {
      const warmed = await warmFromSnapshot(features, { store: flags.store, file: flags.warmFrom, registry: registryDir(flags.registry), model: flags.model });
      process.stderr.write(`serve: ${warmed}\n`);
    }
    service = await createScoringService({
      ...contract,
      models: registryModelSource(registry),
      features,
      modelName: flags.model,
      host: flags.host,
      port: flags.port,
      deadlineMs: flags.deadlineMs,
      logLevel: flags.logLevel,
      ...(adminToken === undefined || adminToken === '' ? {} : { adminToken }),
      monitor: ({ model, registry: metricsRegistry, logger }) => {
        if (flags.experimentShare !== undefined && (model?.profile === undefined || model.profile === null)) {
          throw new MlsdError(
            'INVALID_OPTION',
            '--experiment-share needs monitoring, and the champion has no reference profile: register it with one (fraud train does), or drop --experiment-share.',
            { location: { field: 'experiment-share' } },
          );
        }
        if (model?.profile === undefined || model.profile === null) {
          logger.warn('the champion has no reference profile: monitoring (GET /v1/monitoring, drift gauges) is off');
          return undefined;
        }
        return new Monitor({
          profile: model.profile,
          registry: metricsRegistry,
          logger,
          // Drift recomputation one feature per event-loop turn, so no request waits for the whole window, and at
          // most once a second, so its cost follows time rather than traffic.
          drift: { schedule: 'background', minIntervalMs: 1000 },
          ...(flags.experimentShare === undefined ? {} : { experiment: { challengerShare: flags.experimentShare, seed: flags.experimentSeed } }),
          ...(flags.predictionLog === undefined ? {} : { predictionLog: new JsonlPredictionLog(flags.predictionLog) }),
        });
      },
    });
  } catch (error) {
    await features.close();
    throw error;
  }
  const url = await service.start();
  const model = service.scorer.model;
  process.stderr.write(
    `serve: listening on ${url} — ${model === undefined ? 'NO MODEL (fallback rules only)' : `${model.name} v${model.version}`}, store ${flags.store.startsWith('redis') ? 'redis' : 'memory'}\n`,
  );
  if (flags.experimentShare !== undefined) {
    const challenger = service.scorer.status().challengerVersion;
    process.stderr.write(
      challenger === null
        ? 'serve: --experiment-share is set but the registry has no challenger: every card is answered by the champion\n'
        : `serve: experiment: ${flags.experimentShare} of the cards answered by the challenger v${challenger} (seed ${flags.experimentSeed})\n`,
    );
  }
  process.stderr.write(`serve: dashboard ${url}/dashboard, API description ${url}/docs\n`);
  await serveUntilSignal(service);
}
