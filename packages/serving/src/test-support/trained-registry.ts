import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateTransactions, type ColumnTable } from '@mlsd/data';
import { buildReferenceProfile } from '@mlsd/eval';
import { FeaturePipeline, computeFeatureMatrix, handbookFeatures } from '@mlsd/features';
import { FileModelRegistry, LogisticRegression } from '@mlsd/models';

/** A temporary registry holding a model trained through the real packages, and the simulated data behind it. */
export interface TrainedRegistry {
  readonly dir: string;
  readonly registry: FileModelRegistry;
  readonly table: ColumnTable;
  readonly pipeline: FeaturePipeline;
  readonly model: LogisticRegression;
  /** Registers another logistic regression (another C) on the same pipeline; resolves to its version. */
  registerAnother(options?: { readonly C?: number; readonly alias?: string }): Promise<number>;
  /** Deletes the directory. */
  remove(): Promise<void>;
}

/**
 * Simulates a small Handbook data set (`customers` cards over `days` days), fits the 15 Handbook features with
 * standard scaling and a balanced logistic regression on it, and registers them as `fraud` version 1 with the
 * `champion` alias, in a new temporary directory, with the monitoring reference profile of the raw features and
 * scores of the whole table.
 */
export async function trainedRegistry(options: { readonly customers?: number; readonly days?: number; readonly seed?: number } = {}): Promise<TrainedRegistry> {
  const table = simulateTransactions({
    customers: options.customers ?? 200,
    terminals: (options.customers ?? 200) * 2,
    days: options.days ?? 30,
    seed: options.seed ?? 3,
  });
  const names = handbookFeatures().map((feature) => feature.name!);
  const pipeline = new FeaturePipeline({ features: handbookFeatures(), transforms: [{ kind: 'standard-scale', columns: names }] }).fit(table);
  const X = pipeline.transform(table);
  const y = table.labels('TX_FRAUD');
  const fit = async (C: number) => new LogisticRegression({ C, classWeight: 'balanced' }).fit(X, y);
  const model = await fit(1);
  const profile = buildReferenceProfile({ features: computeFeatureMatrix(table, handbookFeatures()), scores: model.predictProba(X) });
  const dir = await mkdtemp(join(tmpdir(), 'mlsd-serving-registry-'));
  const registry = new FileModelRegistry(dir);
  const entry = await registry.register('fraud', model, { featurePipeline: pipeline.toJSON(), profile, notes: 'serving test model' });
  await registry.setAlias('fraud', 'champion', entry.version);
  return {
    dir,
    registry,
    table,
    pipeline,
    model,
    async registerAnother({ C = 0.1, alias } = {}) {
      const next = await registry.register('fraud', await fit(C), { featurePipeline: pipeline.toJSON() });
      if (alias !== undefined) await registry.setAlias('fraud', alias, next.version);
      return next.version;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
