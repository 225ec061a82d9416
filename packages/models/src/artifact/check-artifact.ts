import { MlsdError } from '@mlsd/data';
import type { ModelArtifact } from '../contract/classifier.js';
import { validateOptions, type OptionRules } from '@mlsd/data';

/**
 * Checks that `artifact` is a well-formed {@link ModelArtifact} of model kind `kind` whose `schemaVersion` is
 * one of `schemaVersions` (the versions this library can read), and returns it typed. Throws
 * `CORRUPT_ARTIFACT` naming the field at fault: a wrong kind, an unknown schema version (written by a newer
 * mlsd, say), a missing `params`, `featureNames` or `state`.
 */
export function checkArtifact(artifact: unknown, kind: string, schemaVersions: readonly number[]): ModelArtifact {
  const fail = (field: string, problem: string): never => {
    throw new MlsdError('CORRUPT_ARTIFACT', `${kind} artifact: ${problem}`, { location: { field } });
  };
  if (artifact === null || typeof artifact !== 'object' || Array.isArray(artifact)) {
    return fail('artifact', 'expected a JSON object as written by toJSON().');
  }
  const a = artifact as Record<string, unknown>;
  if (a['kind'] !== kind) {
    fail('kind', `field "kind" is ${JSON.stringify(a['kind'])}; this loader reads "${kind}". Load it with loadClassifier(), which picks the loader by kind.`);
  }
  if (typeof a['schemaVersion'] !== 'number' || !schemaVersions.includes(a['schemaVersion'])) {
    fail(
      'schemaVersion',
      `schemaVersion ${JSON.stringify(a['schemaVersion'])} is not readable by this mlsd (reads ${schemaVersions.join(', ')}). Upgrade mlsd or re-train the model.`,
    );
  }
  if (typeof a['libraryVersion'] !== 'string') fail('libraryVersion', 'field "libraryVersion" must be a string.');
  if (a['params'] === null || typeof a['params'] !== 'object' || Array.isArray(a['params'])) {
    fail('params', 'field "params" must be an object of hyper-parameters.');
  }
  const names = a['featureNames'];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    fail('featureNames', 'field "featureNames" must be an array of strings.');
  }
  if (a['state'] === undefined || a['state'] === null) fail('state', 'field "state" (the learned state) is missing.');
  return artifact as ModelArtifact;
}

/**
 * The hyper-parameters of a checked artifact, validated like constructor options (defaults filled in, unknown keys
 * and out-of-range values refused), so a loader never builds a model from parameters its constructor would
 * reject. Throws `CORRUPT_ARTIFACT` on the `params` field, keeping the validation error as `cause`.
 */
export function artifactParams<T extends object>(kind: string, artifact: ModelArtifact, defaults: T, rules: OptionRules<T> = {}): T {
  try {
    return validateOptions(kind, artifact.params as Partial<T>, defaults, rules);
  } catch (error) {
    throw new MlsdError('CORRUPT_ARTIFACT', `${kind} artifact: params are invalid: ${(error as Error).message}`, {
      cause: error,
      location: { field: 'params' },
    });
  }
}

/**
 * A function that throws `CORRUPT_ARTIFACT` for a malformed field of a `kind` artifact, naming the field and the
 * problem (e.g. `corrupt('state.trees', 'must be a non-empty array of trees')`).
 */
export function artifactCorruption(kind: string): (field: string, problem: string) => never {
  return (field, problem) => {
    throw new MlsdError('CORRUPT_ARTIFACT', `${kind} artifact: ${field} ${problem}. Re-create it with toJSON().`, {
      location: { field },
    });
  };
}
