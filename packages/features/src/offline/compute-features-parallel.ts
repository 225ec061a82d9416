import { ColumnTable, MlsdError, roleColumn, type Column } from '@mlsd/data';
import type { FeatureDefinition } from '../definitions/feature-definition.js';
import { resolveFeatures, type ResolvedFeature } from '../definitions/resolve-features.js';
import { computeFeatureColumns, requireFeatureColumns, type ComputeFeaturesOptions } from './compute-features.js';
import { columnsRead, sharedColumns, splitByEntity } from './entity-share.js';
import { featureThreads, FeatureWorkers } from './feature-workers.js';

/** Options of {@link computeFeaturesInParallel}. */
export interface ParallelFeaturesOptions extends ComputeFeaturesOptions {
  /**
   * Threads computing features, the calling one included. Default: `MLSD_FEATURE_THREADS` when set, else the
   * machine's available parallelism. At most one thread per entity column is used (each entity's windows are one
   * sweep); 1 computes everything on the calling thread, as {@link computeFeatures} does.
   */
  readonly threads?: number;
  /**
   * Worker threads started ahead with `FeatureWorkers.start()` (their start then overlaps other work); they are
   * left running for the caller to close. Default: workers are started for this call and ended after it.
   */
  readonly workers?: FeatureWorkers;
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
  const pool = options.workers;
  const workerCount = Math.min(pool === undefined ? featureThreads(options.threads) - 1 : pool.size, groups.length - 1);
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
  const workers = pool ?? FeatureWorkers.start(workerCount);
  try {
    return await computeShares(table, features, time, rowWise, groups, shares, workers);
  } finally {
    if (pool === undefined) await workers.close();
  }
}

/** Sends shares 1… to `workers`, computes share 0 and the row-wise features here, and puts the columns together. */
async function computeShares(
  table: ColumnTable,
  features: readonly ResolvedFeature[],
  time: string,
  rowWise: readonly number[],
  groups: readonly number[][],
  shares: readonly number[][],
  workers: FeatureWorkers,
): Promise<ColumnTable> {
  const values: Float64Array[] = new Array(features.length);
  const needed = new Set<string>();
  for (let w = 1; w < shares.length; w++) for (const g of shares[w]!) for (const name of columnsRead(groups[g]!.map((f) => features[f]!))) needed.add(name);
  const columns = sharedColumns(table, [time, ...[...needed].filter((name) => name !== time)]);
  const replies = shares.slice(1).map((share) => {
    const indices = share.flatMap((g) => groups[g]!);
    return workers.run({ columns, features: indices.map((f) => features[f]!), time }).then((reply) => ({ indices, reply }));
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
