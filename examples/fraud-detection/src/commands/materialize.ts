import type { Command } from 'commander';
import { ingest, MlsdError, TRANSACTION_SCHEMA } from '@mlsd/data';
import { writeStateSnapshotFile } from '@mlsd/features';
import type { FeatureBackend } from '@mlsd/serving';
import { featureBackendForStore } from '@mlsd/serving/cli';
import { isoTimeFlag } from '../cli-support/flag-parsers.js';
import { createProgress, type Progress } from '../cli-support/progress.js';
import { registryDir } from '../cli-support/registry-dir.js';
import { runAction } from '../cli-support/run-action.js';
import { championPipeline, importIntoBackend, stateSnapshot, type ChampionPipeline } from '../pipeline/state-materialization.js';
import { REGISTRY_MODEL_NAME } from '../pipeline/train-models.js';

/** The `--store` prefix of a snapshot file for `fraud serve --warm-from`. */
export const SNAPSHOT_STORE_PREFIX = 'memory-snapshot:';

/** Flags of `fraud materialize`. */
export interface MaterializeOptions {
  /** Transactions (CSV, Parquet or JSON lines with the `TRANSACTION_SCHEMA` columns). */
  readonly input: string;
  /** `memory-snapshot:FILE`, a Redis URL (`redis://…`, `rediss://…`) or `redis-cluster://…`. */
  readonly store: string;
  /** The state is as known just before this time (epoch ms); default after the file's last transaction. */
  readonly until?: number;
  /** The registry folder (or the `--out` folder of `fraud train` / `fraud demo`). */
  readonly registry: string;
  /** The registered model name whose champion's feature definitions the state is for. */
  readonly model: string;
  /** Key prefix of the feature state in Redis (as `fraud serve --redis-prefix`). */
  readonly redisPrefix: string;
}

/** What `fraud materialize` prints on stdout. */
export interface MaterializeOutput {
  readonly input: string;
  readonly store: string;
  readonly model: { readonly name: string; readonly version: number };
  /** ISO time the state is as of (exclusive). */
  readonly until: string;
  /** Rows of the input accepted by the schema, and rejected. */
  readonly rows: number;
  readonly rejectedRows: number;
  /** Transactions inside the retention before `until`: the state's events. */
  readonly events: number;
  /** Distinct keys per entity column. */
  readonly keys: Readonly<Record<string, number>>;
  /**
   * Events written per entity column, summed: into a store, after each key's own retention trim; into a snapshot
   * file, every event once per entity column (the trim happens when `fraud serve --warm-from` loads it).
   */
  readonly written: number;
  /** Events whose labels were not known at `until` (their feedback is still to come; indexed by id for it). */
  readonly labelsPending: number;
  /** Wall-clock seconds of each phase and in all. */
  readonly seconds: { readonly read: number; readonly compute: number; readonly write: number; readonly total: number };
}

/**
 * Loads the state every feature of the registry's champion needs into an online store, from a transactions file:
 * the offline executor's passes compute each entity's recent events and the labels known at `until`, then the
 * state goes to a Redis store (pipelined) or to a snapshot file that `fraud serve --warm-from` loads into the
 * memory store. The first event after `until` then gets exactly the features the offline executor computes for it.
 */
export async function materialize(options: MaterializeOptions, progress: Progress): Promise<MaterializeOutput> {
  const started = performance.now();
  const snapshotFile = options.store.startsWith(SNAPSHOT_STORE_PREFIX) ? options.store.slice(SNAPSHOT_STORE_PREFIX.length) : undefined;
  if (snapshotFile === '') throw storeError(options.store, 'names no file');
  if (options.store === 'memory') {
    throw storeError(
      options.store,
      'lives inside a serving process; write a snapshot with --store memory-snapshot:FILE and start fraud serve --warm-from FILE',
    );
  }
  const champion = await championPipeline(registryDir(options.registry), options.model);
  // The store is opened (and must answer) before the file is read: a wrong URL fails in a second, not after the read.
  const backend = snapshotFile === undefined ? await openStore(options) : undefined;
  try {
    return await materializeInto(options, champion, backend, snapshotFile, progress, started);
  } finally {
    await backend?.close();
  }
}

async function materializeInto(
  options: MaterializeOptions,
  champion: ChampionPipeline,
  backend: FeatureBackend | undefined,
  snapshotFile: string | undefined,
  progress: Progress,
  started: number,
): Promise<MaterializeOutput> {
  progress.start(`read ${options.input}`);
  const { table, rejectedRows } = await ingest(options.input, { schema: TRANSACTION_SCHEMA });
  progress.done(`${table.rowCount} rows, ${rejectedRows} rejected`);
  const read = performance.now();

  progress.start(`compute the state of ${champion.name} v${champion.version}'s features`);
  const snapshot = stateSnapshot(champion.featurePipeline, table, options.until);
  progress.done(`${snapshot.times.length} events up to ${new Date(snapshot.until).toISOString()}`);
  const computed = performance.now();

  let written: number;
  if (backend === undefined) {
    progress.start(`write ${snapshotFile}`);
    await writeStateSnapshotFile(snapshotFile!, snapshot);
    written = snapshot.times.length * snapshot.entities.length;
    progress.done();
  } else {
    let total = 0;
    for (const entity of snapshot.entities) total += entity.codes.length;
    progress.start(`write to ${redact(options.store)}`, total);
    written = await importIntoBackend(backend, champion.featurePipeline, snapshot, options.store, { onProgress: (done) => progress.update(done) });
    progress.done(`${written} events`);
  }
  const finished = performance.now();
  const keys: Record<string, number> = {};
  snapshot.source.entities.forEach((entity, e) => (keys[entity.entity] = snapshot.entities[e]!.keys.length));
  return {
    input: options.input,
    store: redact(options.store),
    model: { name: champion.name, version: champion.version },
    until: new Date(snapshot.until).toISOString(),
    rows: table.rowCount,
    rejectedRows,
    events: snapshot.times.length,
    keys,
    written,
    labelsPending: snapshot.times.length - snapshot.feedbackFrom,
    seconds: {
      read: round((read - started) / 1000),
      compute: round((computed - read) / 1000),
      write: round((finished - computed) / 1000),
      total: round((finished - started) / 1000),
    },
  };
}

/** The feature backend of `--store`, once it answers; throws `INVALID_OPTION` or `UNAVAILABLE` naming `--store`. */
async function openStore(options: MaterializeOptions): Promise<FeatureBackend> {
  let backend: FeatureBackend;
  try {
    backend = await featureBackendForStore(options.store, options.redisPrefix);
  } catch (error) {
    if (!(error instanceof MlsdError && error.code === 'INVALID_OPTION')) throw error;
    throw storeError(
      options.store,
      options.store.startsWith('redis-cluster://')
        ? `is not a Redis Cluster address (${error.message.replace(/^--store is "[^"]*":? ?/, '')})`
        : 'is not a store fraud materialize writes; give memory-snapshot:FILE, a Redis URL such as redis://127.0.0.1:6379, or redis-cluster://host:port[,host:port…]',
    );
  }
  try {
    await backend.ping();
  } catch (error) {
    await backend.close();
    throw new MlsdError(
      'UNAVAILABLE',
      `--store ${redact(options.store)} does not answer (${(error as Error).message}); start the server or correct the URL, then run fraud materialize again.`,
      { cause: error, location: { field: 'store' } },
    );
  }
  return backend;
}

function redact(store: string): string {
  return store.replace(/\/\/[^@/]*@/, '//***@');
}

function storeError(store: string, detail: string): MlsdError {
  return new MlsdError('INVALID_OPTION', `--store ${store} ${detail}.`, { location: { field: 'store' } });
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Registers `fraud materialize --input FILE --store memory-snapshot:FILE|redis://…|redis-cluster://… [--until ISO]`. */
export function registerMaterializeCommand(program: Command): void {
  program
    .command('materialize')
    .description(
      "Load the online feature state of the registry's champion from a transactions file (offline → online): each card's and terminal's recent transactions and the labels known at --until, into Redis or a snapshot file for fraud serve --warm-from. JSON summary on stdout.",
    )
    .requiredOption('--input <file>', 'transactions (CSV, Parquet or JSON lines) with the TRANSACTION_SCHEMA columns')
    .requiredOption(
      '--store <store>',
      'where the state goes: memory-snapshot:FILE (a file for fraud serve --warm-from), a Redis URL such as redis://127.0.0.1:6379, or redis-cluster://host:port[,host:port…]',
    )
    .option(
      '--until <iso>',
      'the state as known just before this time: transactions before it, labels known by then (default: after the last transaction)',
      isoTimeFlag,
    )
    .requiredOption('--registry <dir>', 'model registry directory (DIR/registry as written by fraud train), or that --out folder DIR itself')
    .option('--model <name>', 'registry model name whose champion fraud serve will score with', REGISTRY_MODEL_NAME)
    .option('--redis-prefix <prefix>', 'key prefix of the feature state in Redis (as fraud serve --redis-prefix)', 'mlsd:features:')
    .action((flags: MaterializeOptions) =>
      runAction('materialize', async () => {
        const output = await materialize(flags, createProgress());
        process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      }),
    );
}
