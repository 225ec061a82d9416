import { checkLength, checkProbabilities, checkWeights, countPositives, rejectUnknownOptions, type Scores } from './check-inputs.js';

/** Probabilities are clipped to [ε, 1 − ε] with ε the float64 machine epsilon, as scikit-learn >= 1.5 does. */
const EPSILON = 2 ** -52;

/**
 * Mean log loss (cross-entropy) of probabilities against 0/1 labels, in nats, equal to scikit-learn's
 * `log_loss(y, p)`: −mean(y ln p + (1 − y) ln(1 − p)) with p clipped to [2⁻⁵², 1 − 2⁻⁵²]. Unlike
 * scikit-learn it accepts a single class. Throws `INVALID_INPUT` on probabilities outside [0, 1].
 */
export function logLoss(labels: Uint8Array, probabilities: Scores, options: { readonly sampleWeight?: Float64Array } = {}): number {
  rejectUnknownOptions('logLoss', options, ['sampleWeight']);
  checkProbabilityInputs(labels, probabilities, options.sampleWeight);
  return logLossUnchecked(labels, probabilities, options.sampleWeight);
}

/**
 * Brier score: the (weighted) mean of (p − y)², equal to scikit-learn's `brier_score_loss(y, p)`.
 * Throws `INVALID_INPUT` on probabilities outside [0, 1].
 */
export function brierScore(labels: Uint8Array, probabilities: Scores, options: { readonly sampleWeight?: Float64Array } = {}): number {
  rejectUnknownOptions('brierScore', options, ['sampleWeight']);
  checkProbabilityInputs(labels, probabilities, options.sampleWeight);
  return brierUnchecked(labels, probabilities, options.sampleWeight);
}

/** Checks lengths, 0/1 labels, probabilities in [0, 1] and weights for a probability metric. */
export function checkProbabilityInputs(labels: Uint8Array, probabilities: Scores, weights?: Float64Array): void {
  checkLength('probabilities', probabilities.length, 'labels', labels.length);
  countPositives(labels);
  checkProbabilities(probabilities, 'probabilities');
  if (weights !== undefined) checkWeights(weights, labels.length);
}

/** {@link logLoss} without input checks; NaN when the weights sum to 0. */
export function logLossUnchecked(labels: Uint8Array, probabilities: Scores, weights?: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    if (w === 0) continue;
    const p = Math.min(Math.max(probabilities[i]!, EPSILON), 1 - EPSILON);
    sum -= w * (labels[i] === 1 ? Math.log(p) : Math.log(1 - p));
    total += w;
  }
  return total > 0 ? sum / total : Number.NaN;
}

/** {@link brierScore} without input checks; NaN when the weights sum to 0. */
export function brierUnchecked(labels: Uint8Array, probabilities: Scores, weights?: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = weights === undefined ? 1 : weights[i]!;
    const d = probabilities[i]! - labels[i]!;
    sum += w * d * d;
    total += w;
  }
  return total > 0 ? sum / total : Number.NaN;
}
