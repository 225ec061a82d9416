import type { Command } from 'commander';
import { toMlsdError } from '@mlsd/data';
import { FileModelRegistry } from '@mlsd/models';
import { JsonlPredictionLog, Monitor } from '@mlsd/monitoring';
import { registryModelSource } from '../adapters/registry-model-source.js';
import { LOG_LEVELS } from '../config/service-options.js';
import { loadRulesFile } from '../fallback/rules-file.js';
import { createScoringService, type ScoringService } from '../http/create-scoring-service.js';
import { featureBackendForStore, logLevelFlag, portFlag, positiveNumberFlag, serveUntilSignal } from './serve-support.js';
import { checkWorkersStore, serveWithWorkers, workersFlag } from './serve-workers.js';

/** Flags of `mlsd serve`; `--registry`, `--model`, `--port`, `--host`, `--store`, `--rules`, `--prediction-log` are a contract. */
interface ServeFlags {
  readonly registry: string;
  readonly model: string;
  readonly port: number;
  readonly host: string;
  readonly store: string;
  readonly rules?: string;
  readonly predictionLog?: string;
  readonly adminToken?: string;
  readonly deadlineMs: number;
  readonly redisPrefix: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly workers: number;
  readonly metricsPort?: number;
}

/**
 * Registers `mlsd serve`: the scoring service on `NAME@champion` of a file model registry, its request schema taken
 * from the model's feature pipeline (`POST /v1/score` takes events in the model's own columns, string or integer
 * ids), the fallback from a rules file (none: no rules, every fallback answer allows), monitoring when the champion
 * has a reference profile, and a graceful shutdown on SIGINT/SIGTERM.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Serve NAME@champion of a model registry over HTTP: /v1/score, /v1/feedback, /v1/monitoring, /v2 (Open Inference Protocol), /metrics, /admin/reload.',
    )
    .requiredOption('--registry <dir>', 'model registry directory (the folder given to FileModelRegistry)')
    .requiredOption('--model <name>', 'registry model name to serve: its champion answers, its challenger scores in shadow')
    .option('--port <n>', 'TCP port (0: any free port)', portFlag, 8080)
    .option('--host <host>', 'interface to listen on (0.0.0.0 in a container)', '127.0.0.1')
    .option(
      '--store <store>',
      'online feature state: "memory", a Redis URL such as redis://127.0.0.1:6379, or redis-cluster://host:port[,host:port…]',
      'memory',
    )
    .option('--rules <file>', 'JSON rules file of the fallback ({ "rules": [{ field, operator, value, decision, reason }] }); default: no rules')
    .option('--prediction-log <file>', 'append every score and label to this JSON lines file (needs a champion with a reference profile)')
    .option('--admin-token <token>', 'bearer token of POST /admin/reload (default: $MLSD_ADMIN_TOKEN; without one the route is disabled)')
    .option('--deadline-ms <ms>', 'budget of the model path per event before the fallback answers', positiveNumberFlag, 20)
    .option('--redis-prefix <prefix>', 'key prefix of the feature state in Redis', 'mlsd:features:')
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`, logLevelFlag, 'info')
    .option('--workers <n>', 'processes serving the port (node:cluster); more than 1 needs a Redis store', workersFlag, 1)
    .option('--metrics-port <n>', 'with --workers > 1: the primary answers GET /metrics on this port, every worker merged', portFlag)
    .action(async (flags: ServeFlags) => {
      try {
        checkWorkersStore(flags.workers, flags.store);
        await serveWithWorkers(flags.workers, () => serve(flags), {
          ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort, metricsHost: flags.host }),
        });
      } catch (error) {
        const failure = toMlsdError(error, 'serve failed');
        process.stderr.write(`error: ${failure.message}\n`);
        if (process.env['MLSD_DEBUG'] === '1' && failure.cause instanceof Error) process.stderr.write(`${failure.cause.stack}\n`);
        process.exitCode = 1;
      }
    });
}

async function serve(flags: ServeFlags): Promise<void> {
  const adminToken = flags.adminToken ?? process.env['MLSD_ADMIN_TOKEN'];
  const thresholds = { review: 0.5, block: 0.8 };
  const rules = flags.rules === undefined ? undefined : await loadRulesFile(flags.rules, thresholds);
  const features = await featureBackendForStore(flags.store, flags.redisPrefix);
  let service: ScoringService;
  try {
    service = await createScoringService({
      models: registryModelSource(new FileModelRegistry(flags.registry)),
      features,
      modelName: flags.model,
      host: flags.host,
      port: flags.port,
      deadlineMs: flags.deadlineMs,
      thresholds,
      logLevel: flags.logLevel,
      ...(rules === undefined ? {} : { rules }),
      ...(adminToken === undefined || adminToken === '' ? {} : { adminToken }),
      monitor: ({ model, registry, logger }) => {
        if (model?.profile === undefined || model.profile === null) {
          logger.warn(
            flags.predictionLog === undefined
              ? 'the champion has no reference profile: monitoring (GET /v1/monitoring, drift gauges) is off'
              : 'the champion has no reference profile: monitoring and the prediction log are off',
          );
          return undefined;
        }
        return new Monitor({
          profile: model.profile,
          registry,
          logger,
          drift: { schedule: 'background', minIntervalMs: 1000 },
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
    `serve: listening on ${url} — ${model === undefined ? `NO MODEL ${flags.model}@champion (fallback rules only once a request schema is known)` : `${model.name} v${model.version}`}, store ${flags.store === 'memory' ? 'memory' : 'redis'}\n`,
  );
  await serveUntilSignal(service);
}
