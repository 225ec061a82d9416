import { MlsdError } from '@mlsd/data';
import type { Classifier, ModelArtifact } from './contract/classifier.js';
import { loadLogisticRegression } from './linear/logistic-regression.js';
import { loadGradientBoosting } from './trees/gradient-boosting-classifier.js';
import { loadRandomForest } from './trees/random-forest-classifier.js';
import { loadMlpClassifier } from './neural/mlp-classifier.js';
import { loadCalibratedClassifier } from './calibration/calibrated-classifier.js';

/** Turns an artifact of one model kind back into a fitted model (throws `CORRUPT_ARTIFACT` if malformed). */
export type ClassifierLoader = (artifact: ModelArtifact) => Classifier;

const loaders = new Map<string, ClassifierLoader>();

/**
 * Makes {@link loadClassifier} read artifacts of model kind `kind` with `loader`. The built-in kinds are
 * registered below, when this module is first imported; a user-defined model registers its own kind once at
 * start-up. Registering a kind twice throws `INVALID_OPTION` (to catch two models claiming one name).
 */
export function registerClassifierKind(kind: string, loader: ClassifierLoader): void {
  if (loaders.has(kind)) {
    throw new MlsdError('INVALID_OPTION', `Model kind "${kind}" is already registered; pick another kind name.`, {
      location: { field: 'kind' },
    });
  }
  loaders.set(kind, loader);
}

/** The model kinds {@link loadClassifier} can read, in registration order. */
export function classifierKinds(): string[] {
  return [...loaders.keys()];
}

/**
 * Restores a fitted model from its artifact (e.g. `JSON.parse` of a saved `toJSON()`), picking the loader by
 * `artifact.kind`. Throws `CORRUPT_ARTIFACT` for an unknown kind (naming the known ones) or a malformed artifact.
 */
export function loadClassifier(artifact: ModelArtifact): Classifier {
  const kind = (artifact as Partial<ModelArtifact> | null)?.kind;
  const loader = typeof kind === 'string' ? loaders.get(kind) : undefined;
  if (loader === undefined) {
    throw new MlsdError(
      'CORRUPT_ARTIFACT',
      `Cannot load a model of kind ${JSON.stringify(kind)}: known kinds are ${classifierKinds().join(', ')}. Register custom kinds with registerClassifierKind().`,
      { location: { field: 'kind' } },
    );
  }
  return loader(artifact);
}

// Built-in kinds: one line each. Loaders must not pull in training-only dependencies (the 'mlp' loader is a
// typed-array forward pass, so serving never loads TensorFlow).
registerClassifierKind('logistic-regression', loadLogisticRegression);
registerClassifierKind('gbdt', loadGradientBoosting);
registerClassifierKind('random-forest', loadRandomForest);
registerClassifierKind('mlp', loadMlpClassifier);
registerClassifierKind('calibrated', (artifact) => loadCalibratedClassifier(artifact, loadClassifier));
