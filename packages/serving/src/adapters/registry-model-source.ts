import type { FileModelRegistry } from '@mlsd/models';
import type { ModelSource } from '../scoring/ports.js';

/**
 * The service's {@link ModelSource} over the file model registry of `@mlsd/models`: `load('fraud@champion')` or
 * `load('fraud/3')` gives the classifier with the feature pipeline and profile saved beside it. A missing alias or
 * version rejects with the registry's `NOT_FOUND`; a corrupt artifact with `CORRUPT_ARTIFACT` naming the file.
 */
export function registryModelSource(registry: Pick<FileModelRegistry, 'load'>): ModelSource {
  return {
    async load(ref) {
      const loaded = await registry.load(ref);
      return {
        name: loaded.entry.name,
        version: loaded.entry.version,
        classifier: loaded.model,
        featurePipeline: loaded.featurePipeline,
        profile: loaded.profile ?? undefined,
      };
    },
  };
}
