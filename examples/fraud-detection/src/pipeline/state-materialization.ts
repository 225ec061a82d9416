import type { ColumnTable } from '@mlsd/data';
import { MlsdError } from '@mlsd/data';
import { FeaturePipeline, materializeState, readStateSnapshotFile, type ImportStateOptions, type StateSnapshot } from '@mlsd/features';
import { FileModelRegistry } from '@mlsd/models';
import type { FeatureBackend } from '@mlsd/serving';

/** The registered model whose feature definitions a materialized state is computed for. */
export interface ChampionPipeline {
  readonly name: string;
  readonly version: number;
  /** The model's feature pipeline JSON, as serving loads it. */
  readonly featurePipeline: unknown;
}

/**
 * The champion of `model` in the registry folder `dir` with its feature pipeline: what `fraud serve` scores with,
 * so a state computed from its definitions is the state serve computes. Throws `SCHEMA_MISMATCH` when the model
 * was registered without a feature pipeline.
 */
export async function championPipeline(dir: string, model: string): Promise<ChampionPipeline> {
  const loaded = await new FileModelRegistry(dir).load(`${model}@champion`);
  const { name, version } = loaded.entry;
  if (loaded.featurePipeline === null) {
    throw new MlsdError(
      'SCHEMA_MISMATCH',
      `Model ${name}/${version} was registered without its feature pipeline, so its feature state cannot be computed; register it with one (fraud train does).`,
      { location: { field: 'registry' } },
    );
  }
  return { name, version, featurePipeline: loaded.featurePipeline };
}

/**
 * The online state the service holds for `featurePipeline` just before `until` (epoch ms; default after the last
 * event), computed from the transactions `table` by the offline executor's passes: the events inside the
 * retention, labels known by `until` (see `materializeState`). The layout is the one the serve backends use with
 * their default options.
 */
export function stateSnapshot(featurePipeline: unknown, table: ColumnTable, until: number | undefined): StateSnapshot {
  const executor = FeaturePipeline.fromJSON(featurePipeline).createOnline().executor;
  return materializeState(table, executor, until === undefined ? {} : { until });
}

/**
 * Writes `snapshot` into the backend's store for `featurePipeline`; resolves to the events written. Throws
 * `INVALID_OPTION` naming `--store` when the backend cannot import state.
 */
export function importIntoBackend(
  backend: FeatureBackend,
  featurePipeline: unknown,
  snapshot: StateSnapshot,
  store: string,
  options: ImportStateOptions = {},
): Promise<number> {
  if (backend.importState === undefined) {
    return Promise.reject(
      new MlsdError('INVALID_OPTION', `--store ${store} cannot import feature state yet; use redis://… or memory-snapshot:FILE.`, {
        location: { field: 'store' },
      }),
    );
  }
  return backend.importState(featurePipeline, snapshot, options);
}

/**
 * `fraud serve --warm-from FILE`: loads a snapshot file (written by `fraud materialize --store memory-snapshot:FILE`)
 * into the memory backend's store of the champion's feature definitions, before the service starts; resolves to
 * a one-line account. Throws `INVALID_OPTION` for another store and `INVALID_INPUT` for a file that is not a
 * snapshot, is corrupt, or was computed for other feature definitions.
 */
export async function warmFromSnapshot(backend: FeatureBackend, options: { store: string; file: string; registry: string; model: string }): Promise<string> {
  if (options.store !== 'memory') {
    throw new MlsdError(
      'INVALID_OPTION',
      `--warm-from loads the memory store, and --store is ${options.store}; for Redis, run fraud materialize --store <url> once before starting the service.`,
      { location: { field: 'warm-from' } },
    );
  }
  const snapshot = await readStateSnapshotFile(options.file);
  const champion = await championPipeline(options.registry, options.model);
  const written = await importIntoBackend(backend, champion.featurePipeline, snapshot, options.store);
  return `feature store warmed from ${options.file}: ${snapshot.times.length} transactions (${written} entity events) as of ${new Date(snapshot.until).toISOString()}`;
}

/**
 * The demo's warm-up: the champion's state just before `until` computed from `table` and imported into `backend`
 * (the code path of `fraud materialize`), with every label of the history known (the demo knows them all; a
 * delayed-label feature reads a label only once its delay has passed, so this changes no feature, and the replay
 * need not send feedback for transactions it did not replay). Resolves to the number of transactions in the state.
 */
export async function warmFromTable(backend: FeatureBackend, featurePipeline: unknown, table: ColumnTable, until: number): Promise<number> {
  const executor = FeaturePipeline.fromJSON(featurePipeline).createOnline().executor;
  const snapshot = materializeState(table, executor, { until, labelsKnownAt: Number.POSITIVE_INFINITY });
  await importIntoBackend(backend, featurePipeline, snapshot, 'memory');
  return snapshot.times.length;
}
