import { InvalidArgumentError } from 'commander';
import { MlsdError } from '@mlsd/data';
import { memoryFeatureBackend, redisClusterFeatureBackend, redisFeatureBackend } from '../adapters/pipeline-feature-backend.js';
import { LOG_LEVELS } from '../config/service-options.js';
import type { ScoringService } from '../http/create-scoring-service.js';
import type { FeatureBackend } from '../scoring/ports.js';
import { onPrimaryStop, reportWorkerReady, shareWorkerMetrics } from './serve-workers.js';

/**
 * The online feature state a `--store` flag names: `memory` (one process), a Redis URL (`redis://` or `rediss://`,
 * keys under `redisPrefix`) or a Redis Cluster (`redis-cluster://host:port[,host:port…]`, seed nodes). Throws `INVALID_OPTION` naming `--store` and the valid forms for anything else.
 */
export function featureBackendForStore(store: string, redisPrefix: string): Promise<FeatureBackend> {
  if (store === 'memory') return Promise.resolve(memoryFeatureBackend());
  if (store.startsWith('redis://') || store.startsWith('rediss://')) return redisFeatureBackend({ url: store, prefix: redisPrefix });
  if (store.startsWith('redis-cluster://')) {
    const nodes = store
      .slice('redis-cluster://'.length)
      .split(',')
      .filter((node) => node !== '');
    if (nodes.length === 0) {
      throw new MlsdError('INVALID_OPTION', `--store is "${store}": name at least one node, e.g. redis-cluster://127.0.0.1:7000,127.0.0.1:7001.`, {
        location: { field: 'store' },
      });
    }
    return redisClusterFeatureBackend({ nodes, prefix: redisPrefix });
  }
  throw new MlsdError(
    'INVALID_OPTION',
    `--store is "${store}"; use "memory" or a Redis URL such as redis://127.0.0.1:6379 or redis-cluster://host:port[,host:port…].`,
    {
      location: { field: 'store' },
    },
  );
}

/**
 * Resolves once a started service has drained and closed after SIGINT or SIGTERM; a second signal exits at once with
 * code 1. Each step is one `serve: …` line on stderr; a failed shutdown sets the exit code to 1. In a worker of
 * {@link serveWithWorkers} it also tells the primary the service is listening (and shares its metrics registry with
 * the primary's merged `/metrics`), and drains when the primary forwards
 * a signal (a signal the worker also got itself, like Ctrl-C's SIGINT to the whole process group, counts once).
 */
export async function serveUntilSignal(service: ScoringService): Promise<void> {
  let stopFromPrimary: () => void = () => undefined;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string, forwarded = false) => {
      if (stopping && forwarded) return;
      if (stopping) {
        process.stderr.write(`serve: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`serve: ${signal}, draining requests in flight\n`);
      service.close().then(resolve, (error: unknown) => {
        process.stderr.write(`serve: shutdown failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    stopFromPrimary = onPrimaryStop((signal) => stop(signal, true));
    shareWorkerMetrics(service.metrics.registry);
    reportWorkerReady();
  });
  stopFromPrimary();
  process.stderr.write('serve: stopped\n');
}

/** Parses `--port`: a whole number 0–65535 (0: any free port); commander prints the message and exits. */
export function portFlag(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return parsed;
}

/** Parses a flag that takes a finite number > 0 (e.g. `--deadline-ms`). */
export function positiveNumberFlag(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0) || !Number.isFinite(parsed)) throw new InvalidArgumentError('expected a number > 0');
  return parsed;
}

/** Parses `--log-level`: one of {@link LOG_LEVELS}. */
export function logLevelFlag(value: string): (typeof LOG_LEVELS)[number] {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}`);
  return value as (typeof LOG_LEVELS)[number];
}
