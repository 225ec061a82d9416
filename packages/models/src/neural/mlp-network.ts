import { MlsdError, type DenseMatrix } from '@mlsd/data';
import { applyActivation, sigmoid, type MlpActivation } from './activation.js';

/**
 * One dense layer as TensorFlow.js holds it: `kernel` is row-major `inputs` x `outputs` (output = input · kernel
 * + bias), float32 because that is what the network was trained in.
 */
export interface MlpLayerWeights {
  readonly inputs: number;
  readonly outputs: number;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Everything a fitted network needs to predict: the input standardisation (x - mean) / scale per column, the
 * dense layers in order (the last one has a single output, the logit) and the hidden-layer activation.
 */
export interface MlpNetworkState {
  readonly inputMean: Float64Array;
  readonly inputScale: Float64Array;
  readonly layers: readonly MlpLayerWeights[];
  readonly activation: MlpActivation;
}

/**
 * The typed-array forward pass of a fitted network: P(y = 1) without TensorFlow, so serving never loads it.
 * Computes in float64 from the float32 weights (TensorFlow.js computes in float32; the two agree to about 1e-7).
 * It holds its scratch buffers, so predicting allocates only the output; not safe to share across threads.
 */
export class MlpNetwork {
  readonly state: MlpNetworkState;
  /** Kernels transposed to `outputs` x `inputs`, so each output's dot product reads memory in order. */
  private readonly kernels: Float64Array[];
  private readonly biases: Float64Array[];
  private readonly bufferA: Float64Array;
  private readonly bufferB: Float64Array;

  constructor(state: MlpNetworkState) {
    checkState(state);
    this.state = state;
    this.kernels = state.layers.map((layer) => transpose(layer));
    this.biases = state.layers.map((layer) => Float64Array.from(layer.bias));
    const widest = Math.max(state.inputMean.length, ...state.layers.map((layer) => layer.outputs));
    this.bufferA = new Float64Array(BLOCK * widest);
    this.bufferB = new Float64Array(BLOCK * widest);
  }

  /** The number of input columns the network expects. */
  get inputs(): number {
    return this.state.inputMean.length;
  }

  /** P(y = 1) for every row of `X` (which must have {@link inputs} columns). */
  predictProba(X: DenseMatrix): Float64Array {
    const out = new Float64Array(X.rows);
    this.logitsInto(X, out);
    for (let r = 0; r < out.length; r++) out[r] = sigmoid(out[r]!);
    return out;
  }

  /**
   * Writes the logit (log-odds) of every row of `X` into `out` (length `X.rows`). Rows go through the layers
   * four at a time, so each kernel weight is loaded once for four rows; every row's sums still run in input
   * order, so a row's logit does not depend on its neighbours.
   */
  logitsInto(X: DenseMatrix, out: Float64Array): void {
    const { data, cols } = X;
    const { inputMean, inputScale, layers, activation } = this.state;
    const last = layers.length - 1;
    for (let r0 = 0; r0 < X.rows; r0 += BLOCK) {
      const count = Math.min(BLOCK, X.rows - r0);
      let input = this.bufferA;
      let output = this.bufferB;
      for (let t = 0; t < count; t++) {
        const offset = (r0 + t) * cols;
        for (let c = 0; c < cols; c++) input[t * cols + c] = (data[offset + c]! - inputMean[c]!) / inputScale[c]!;
      }
      for (let l = 0; l <= last; l++) {
        const { inputs, outputs } = layers[l]!;
        const kernel = this.kernels[l]!;
        const bias = this.biases[l]!;
        if (count === BLOCK) denseBlockOfFour(input, kernel, bias, inputs, outputs, output);
        else denseRows(input, kernel, bias, inputs, outputs, output, count);
        if (l < last) applyActivation(activation, output, count * outputs);
        const swap = input;
        input = output;
        output = swap;
      }
      for (let t = 0; t < count; t++) out[r0 + t] = input[t]!;
    }
  }
}

/** Rows per block of the forward pass. */
const BLOCK = 4;

/** output[t][j] = bias[j] + Σ_i input[t][i] · kernel[j][i] for the four rows t of a block (row-major buffers). */
function denseBlockOfFour(
  input: Float64Array,
  kernel: Float64Array,
  bias: Float64Array,
  inputs: number,
  outputs: number,
  output: Float64Array,
): void {
  const i1 = inputs;
  const i2 = 2 * inputs;
  const i3 = 3 * inputs;
  for (let j = 0; j < outputs; j++) {
    const row = j * inputs;
    let s0 = bias[j]!;
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    for (let i = 0; i < inputs; i++) {
      const k = kernel[row + i]!;
      s0 += input[i]! * k;
      s1 += input[i1 + i]! * k;
      s2 += input[i2 + i]! * k;
      s3 += input[i3 + i]! * k;
    }
    output[j] = s0;
    output[outputs + j] = s1;
    output[2 * outputs + j] = s2;
    output[3 * outputs + j] = s3;
  }
}

/** The same product for the `count` (< 4) rows of the last block. */
function denseRows(
  input: Float64Array,
  kernel: Float64Array,
  bias: Float64Array,
  inputs: number,
  outputs: number,
  output: Float64Array,
  count: number,
): void {
  for (let t = 0; t < count; t++) {
    for (let j = 0; j < outputs; j++) {
      const row = j * inputs;
      let sum = bias[j]!;
      for (let i = 0; i < inputs; i++) sum += input[t * inputs + i]! * kernel[row + i]!;
      output[t * outputs + j] = sum;
    }
  }
}

function transpose(layer: MlpLayerWeights): Float64Array {
  const { inputs, outputs, kernel } = layer;
  const out = new Float64Array(inputs * outputs);
  for (let i = 0; i < inputs; i++) {
    for (let j = 0; j < outputs; j++) out[j * inputs + i] = kernel[i * outputs + j]!;
  }
  return out;
}

function checkState(state: MlpNetworkState): void {
  const fail = (detail: string): never => {
    throw new MlsdError('CORRUPT_ARTIFACT', `MLP network state is inconsistent: ${detail}. Re-train or re-save the model.`);
  };
  if (state.inputScale.length !== state.inputMean.length) fail('input mean and scale lengths differ');
  if (state.layers.length === 0) fail('it has no layers');
  let width = state.inputMean.length;
  state.layers.forEach((layer, l) => {
    if (layer.inputs !== width) fail(`layer ${l} takes ${layer.inputs} inputs but receives ${width}`);
    if (layer.kernel.length !== layer.inputs * layer.outputs) fail(`layer ${l} kernel has ${layer.kernel.length} values`);
    if (layer.bias.length !== layer.outputs) fail(`layer ${l} bias has ${layer.bias.length} values`);
    width = layer.outputs;
  });
  if (width !== 1) fail(`the last layer has ${width} outputs instead of 1`);
}
