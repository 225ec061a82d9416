import { rejectUnknownOptions } from '../validation/validate-options.js';
import { MlsdError } from '../errors/mlsd-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { countPositives } from '../validation/binary-labels.js';

/**
 * Seeded random undersampling of the majority class (like imbalanced-learn's `RandomUnderSampler` with a float
 * `sampling_strategy`): keeps every minority row and `min(majority, round(minority / ratio))` majority rows drawn
 * without replacement, so that minority / majority ≈ `ratio` (0 < ratio <= 1; 1 balances the classes). Returns the
 * kept row indices, ascending. The majority class is the more frequent one (0 on a tie).
 */
export function undersampleMajority(labels: Uint8Array, options: { ratio: number; seed: number }): Int32Array {
  rejectUnknownOptions('undersampleMajority', options, ['ratio', 'seed']);
  const { ratio, seed } = options;
  if (!(ratio > 0 && ratio <= 1)) {
    throw new MlsdError('INVALID_OPTION', `Option "ratio" (minority / majority after sampling) must be in (0, 1], got ${ratio}.`, {
      location: { field: 'ratio' },
    });
  }
  const positives = countPositives(labels);
  const majorityClass = positives > labels.length - positives ? 1 : 0;
  const majorityCount = majorityClass === 1 ? positives : labels.length - positives;
  const minorityCount = labels.length - majorityCount;
  const keepCount = Math.min(majorityCount, Math.round(minorityCount / ratio));

  const majorityRows = new Int32Array(majorityCount);
  for (let i = 0, j = 0; i < labels.length; i++) if (labels[i] === majorityClass) majorityRows[j++] = i;
  const picked = new SeededRandom(seed).sampleWithoutReplacement(majorityCount, keepCount);
  const keep = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (labels[i] !== majorityClass) keep[i] = 1;
  for (let j = 0; j < picked.length; j++) keep[majorityRows[picked[j]!]!] = 1;
  const out = new Int32Array(minorityCount + keepCount);
  for (let i = 0, j = 0; i < labels.length; i++) if (keep[i] === 1) out[j++] = i;
  return out;
}
