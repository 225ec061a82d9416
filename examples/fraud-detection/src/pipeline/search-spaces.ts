import type { ParamSpace } from '@mlsd/eval';
import type { ModelName } from './model-catalog.js';

/**
 * The grids `fraud train --tune` searches, per model (the Handbook's chapter 5 grids, narrowed to the
 * settings that moved average precision in the models README): a few values of the parameters that matter
 * around each library default. The baseline (the first model) is never tuned.
 */
export const TUNING_SPACES: Readonly<Record<ModelName, ParamSpace>> = {
  lr: { C: [0.1, 1, 10] },
  gbdt: { maxDepth: [3, 4, 6], learningRate: [0.05, 0.1, 0.3] },
  rf: { nTrees: [50, 100], maxDepth: [10, 14, 0] },
  mlp: { learningRate: [1e-3, 3e-3], dropout: [0, 0.2] },
};

/** Validation folds of a search (Handbook ch. 5.3: 4 prequential folds ending before the holdout's training week is scored). */
export const TUNING_FOLDS = 4;

/** Seconds a `fraud train --tune` search may take, over all tuned models, by default. */
export const DEFAULT_TUNING_BUDGET_SECONDS = 300;
