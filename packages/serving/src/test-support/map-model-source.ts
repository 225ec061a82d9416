import { MlsdError } from '@mlsd/data';
import type { Classifier } from '@mlsd/models';
import type { ModelSource, ServedModel } from '@mlsd/serving';
import { SIMPLE_FEATURES } from './simple-feature-backend.js';

/** An in-memory model source with versions and aliases, for tests of the HTTP layer. */
export class MapModelSource implements ModelSource {
  readonly versions = new Map<number, ServedModel>();
  readonly aliases = new Map<string, number>();
  loads = 0;

  constructor(readonly name = 'fraud') {}

  add(version: number, classifier: Classifier, aliases: readonly string[] = []): this {
    this.versions.set(version, { name: this.name, version, classifier, featurePipeline: { features: [...SIMPLE_FEATURES] } });
    for (const alias of aliases) this.aliases.set(alias, version);
    return this;
  }

  async load(ref: string): Promise<ServedModel> {
    this.loads += 1;
    const [name, rest] = ref.includes('@') ? ref.split('@') : ref.split('/');
    const version = ref.includes('@') ? this.aliases.get(rest!) : Number(rest);
    const model = name === this.name && version !== undefined ? this.versions.get(version) : undefined;
    if (model === undefined) throw new MlsdError('NOT_FOUND', `No model ${ref}.`);
    return model;
  }
}
