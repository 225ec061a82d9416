/**
 * Which TensorFlow.js backend trains an `MlpClassifier`:
 *
 * - `auto`: `tensorflow` when `@tensorflow/tfjs-node` is installed, else `wasm`, else `cpu`.
 * - `tensorflow`: native TensorFlow through `@tensorflow/tfjs-node` (optional; never a dependency of mlsd,
 *   its install downloads a binary from outside npm).
 * - `wasm`: `@tensorflow/tfjs-backend-wasm`, single-threaded, its binary read from the installed package.
 * - `cpu`: the plain JavaScript backend (about 3x slower than wasm here).
 */
export type MlpBackend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** The valid backend names, in the order error messages list them. */
export const MLP_BACKENDS: readonly MlpBackend[] = ['auto', 'tensorflow', 'wasm', 'cpu'];
