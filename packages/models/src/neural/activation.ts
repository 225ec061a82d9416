/**
 * The activations a hidden layer of {@link MlpClassifier} may use. Each has the same definition in the
 * typed-array forward pass and in TensorFlow.js, so both give the same outputs:
 *
 * - `relu`: max(0, x).
 * - `elu`: x for x > 0, exp(x) - 1 otherwise (alpha 1, as `tf.elu`).
 * - `tanh`: the hyperbolic tangent.
 * - `sigmoid`: 1 / (1 + exp(-x)).
 */
export type MlpActivation = 'relu' | 'elu' | 'tanh' | 'sigmoid';

/** The valid activation names, in the order error messages list them. */
export const MLP_ACTIVATIONS: readonly MlpActivation[] = ['relu', 'elu', 'tanh', 'sigmoid'];

/** Applies `activation` in place to `values[0..length)`. */
export function applyActivation(activation: MlpActivation, values: Float64Array, length: number): void {
  switch (activation) {
    case 'relu':
      for (let i = 0; i < length; i++) if (values[i]! < 0) values[i] = 0;
      return;
    case 'elu':
      for (let i = 0; i < length; i++) {
        const v = values[i]!;
        if (v < 0) values[i] = Math.expm1(v);
      }
      return;
    case 'tanh':
      for (let i = 0; i < length; i++) values[i] = Math.tanh(values[i]!);
      return;
    case 'sigmoid':
      for (let i = 0; i < length; i++) values[i] = sigmoid(values[i]!);
      return;
  }
}

/** The logistic function, computed without overflow for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
