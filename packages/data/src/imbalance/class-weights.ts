import { MlsdError } from '../errors/mlsd-error.js';
import { countPositives } from '../validation/binary-labels.js';

/**
 * Class weights that make both classes weigh the same in a loss, like scikit-learn's `class_weight='balanced'`:
 * weight(c) = n / (2 · count(c)). E.g. 990 negatives and 10 positives give { negative: 0.505..., positive: 50 }.
 * Throws `INVALID_INPUT` when a class is absent (its weight would be infinite) or a label is not 0/1.
 */
export function classWeights(labels: Uint8Array): { negative: number; positive: number } {
  const positives = countPositives(labels);
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new MlsdError('INVALID_INPUT', `Class weights need both classes; got ${negatives} negatives and ${positives} positives in ${labels.length} labels.`);
  }
  return { negative: labels.length / (2 * negatives), positive: labels.length / (2 * positives) };
}

/** One weight per row, the {@link classWeights} of its class: they sum to n, half on each class. */
export function balancedSampleWeights(labels: Uint8Array): Float64Array {
  const { negative, positive } = classWeights(labels);
  const weights = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) weights[i] = labels[i] === 1 ? positive : negative;
  return weights;
}
