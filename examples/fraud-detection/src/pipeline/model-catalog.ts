import { MlsdError } from '@mlsd/data';
import { GradientBoostingClassifier, LogisticRegression, MlpClassifier, RandomForestClassifier, type Classifier } from '@mlsd/models';

/** The models the example trains, by their short command-line names, baseline first. */
export const MODEL_NAMES = ['lr', 'gbdt', 'rf', 'mlp'] as const;

/** A model's short command-line name. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** A readable label per model, for tables and charts. */
export const MODEL_LABELS: Readonly<Record<ModelName, string>> = {
  lr: 'logistic regression (baseline)',
  gbdt: 'gradient-boosted trees',
  rf: 'random forest',
  mlp: 'neural network',
};

/**
 * Parses a comma-separated model list such as `lr,gbdt,rf` (order kept, duplicates dropped); throws
 * `INVALID_OPTION` naming the valid names for anything else.
 */
export function parseModelList(text: string): ModelName[] {
  const names: ModelName[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(MODEL_NAMES as readonly string[]).includes(name)) {
      throw new MlsdError('INVALID_OPTION', `Unknown model "${name}" in --models; valid names: ${MODEL_NAMES.join(', ')}.`, {
        location: { field: 'models' },
      });
    }
    if (!names.includes(name as ModelName)) names.push(name as ModelName);
  }
  if (names.length === 0) throw new MlsdError('INVALID_OPTION', `--models is empty; give one or more of ${MODEL_NAMES.join(', ')}.`);
  return names;
}

/**
 * A new, unfitted model of that name with the example's settings. Every model uses its library defaults
 * (tuned on the Handbook setup, see each model's README) except the seed and `params` (e.g. what
 * `fraud train --tune` chose); the baseline is the plain L2 logistic regression the Handbook starts from.
 */
export function createModel(name: ModelName, seed: number, params: Readonly<Record<string, unknown>> = {}): Classifier {
  switch (name) {
    case 'lr':
      return new LogisticRegression(params);
    case 'gbdt':
      return new GradientBoostingClassifier({ ...params, seed });
    case 'rf':
      return new RandomForestClassifier({ ...params, seed });
    case 'mlp':
      return new MlpClassifier({ ...params, seed });
  }
}
