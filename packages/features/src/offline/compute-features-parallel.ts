import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ColumnTable, MlsdError, roleColumn, type Column } from '@mlsd/data';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { resolveFeatures, type ResolvedFeature } from '../definitions/resolve-features.js';
import { computeFeatureColumns, requireFeatureColumns, type ComputeFeaturesOptions } from './compute-features.js';
import { columnsRead, sharedColumns, splitByEntity, type EntityShareReply, type EntityShareRequest } from './entity-share.js';

/** Options of {@link computeFeaturesInParallel}. */
export interface ParallelFeaturesOptions extends ComputeFeaturesOptions {
  /**
   * Threads computing features, the calling one included. Default: `MLSD_FEATURE_THREADS` when set, else the
   * machine's available parallelism. At most one thread per entity column is used (each entity's windows are one
   * sweep); 1 computes everything on the calling thread, as {@link computeFeatures} does.
   */
  readonly threads?: number;
}

/**
 * {@link computeFeatures} with the windowed features of different entity columns (e.g. customer and terminal)
 * computed at the same time on worker threads: the calling thread computes the row-wise features and one entity's
 * windows while each worker computes another entity's. Inputs go to the workers on SharedArrayBuffers and results
 * come back transferred; no per-row objects cross threads.
 *
 * Every value is computed by the same code as on one thread, so the result is equal, bit for bit, to
 * `computeFeatures(table, definitions, options)`, with the same columns in the same order, and throws the same
 * errors (the first in the single-thread executor's order when several shares fail).
 */
export async function computeFeaturesInParallel(
  table: ColumnTable,
  definitions: readonly FeatureDefinition[],
  options: ParallelFeaturesOptions = {},
): Promise<ColumnTable> {
  const features = resolveFeatures(definitions);
  const time = roleColumn(options.time, options.schema, 'event-time', 'TX_DATETIME');
  requireFeatureColumns(table, features);
  const { rowWise, groups } = splitByEntity(features);
  const workerCount = Math.min(threadCount(options.threads) - 1, groups.length - 1);
  const values: Float64Array[] = new Array(features.length);
  if (workerCount <= 0) {
    computeFeatureColumns(table, features, time).forEach((column, f) => {
      values[f] = column;
    });
    return featureTable(features, values);
  }

  // Worker w takes groups w + 1, w + 1 + workers, …; the calling thread takes the rest (group 0 first).
  const shares: number[][] = Array.from({ length: workerCount + 1 }, () => []);
  for (let g = 0; g < groups.length; g++) shares[g % (workerCount + 1)]!.push(g);
  const needed = new Set<string>();
  for (let w = 1; w < shares.length; w++) for (const g of shares[w]!) for (const name of columnsRead(groups[g]!.map((f) => features[f]!))) needed.add(name);
  const columns = sharedColumns(table, [time, ...[...needed].filter((name) => name !== time)]);
  const replies = shares.slice(1).map((share) => {
    const indices = share.flatMap((g) => groups[g]!);
    return runShare({ columns, features: indices.map((f) => features[f]!), time }).then((reply) => ({ indices, reply }));
  });

  // Failures are kept per step and thrown in the single-thread executor's order: row-wise features, then entities.
  const failures: unknown[] = new Array(groups.length + 1);
  const local = (indices: readonly number[], step: number) => {
    try {
      computeFeatureColumns(
        table,
        indices.map((f) => features[f]!),
        time,
      ).forEach((column, i) => {
        values[indices[i]!] = column;
      });
    } catch (error) {
      failures[step] = error;
    }
  };
  if (rowWise.length > 0) local(rowWise, 0);
  for (const g of shares[0]!) local(groups[g]!, g + 1);
  for (const { indices, reply } of await Promise.all(replies)) {
    if ('error' in reply) {
      const group = groups.findIndex((members) => members.includes(indices[0]!));
      failures[group + 1] = new MlsdError(reply.error.code, reply.error.message, reply.error.location === undefined ? {} : { location: reply.error.location });
      continue;
    }
    reply.values.forEach((column, i) => {
      values[indices[i]!] = column;
    });
  }
  const failure = failures.find((error) => error !== undefined);
  if (failure !== undefined) throw failure;
  return featureTable(features, values);
}

function featureTable(features: readonly ResolvedFeature[], values: readonly Float64Array[]): ColumnTable {
  const out = new Map<string, Column>();
  features.forEach((feature, f) => out.set(feature.name, { type: 'float', values: values[f]! }));
  return new ColumnTable(out);
}

function threadCount(requested: number | undefined): number {
  const fromEnv = process.env['MLSD_FEATURE_THREADS'];
  const threads = requested ?? (fromEnv === undefined || fromEnv === '' ? availableParallelism() : Number(fromEnv));
  if (!Number.isInteger(threads) || threads < 1) {
    throw new MlsdError(
      'INVALID_OPTION',
      `threads must be a whole number >= 1 (got ${requested ?? `MLSD_FEATURE_THREADS=${fromEnv}`}); use 1 to compute on the calling thread alone.`,
      { location: { field: requested === undefined ? 'MLSD_FEATURE_THREADS' : 'threads' } },
    );
  }
  return threads;
}

/**
 * Runs one share on a new worker thread and resolves to its reply; the worker ends afterwards. From the TypeScript
 * sources (tests, `--conditions=@mlsd/source`) the worker loads them through tsx, as the caller does.
 */
function runShare(request: EntityShareRequest): Promise<EntityShareReply> {
  const worker = startWorker();
  return new Promise<EntityShareReply>((resolve, reject) => {
    worker.once('message', (reply: EntityShareReply) => {
      resolve(reply);
      void worker.terminate();
    });
    worker.once('error', (error) => reject(new MlsdError('INTERNAL', `A feature worker thread failed: ${error.message}`, { cause: error })));
    worker.once('exit', (code) => reject(new MlsdError('INTERNAL', `A feature worker thread exited (code ${code}) before answering.`)));
    worker.postMessage(request);
  });
}

/**
 * A worker running `entity-worker`: the compiled file, or from the TypeScript sources (tests,
 * `--conditions=@mlsd/source`) the `.ts` file loaded through tsx's loader, registered in the worker itself (a
 * loader registered in the calling thread does not reach worker threads).
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./entity-worker.js', import.meta.url));
  const source = new URL('./entity-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true });
}
