import { MlsdError, type DenseMatrix } from '@mlsd/data';
import { KernelMemory } from '../kernels/kernel-memory.js';
import { denseLayerKernel, type DenseLayerExports } from '../kernels/kernel-modules.js';
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

/** Rows that go through the layers together: the size of the two activation buffers. */
const CHUNK_ROWS = 512;

/**
 * The typed-array forward pass of a fitted network: P(y = 1) without TensorFlow, so serving never loads it.
 * Computes in float64 from the float32 weights (TensorFlow.js computes in float32; the two agree to about 1e-7).
 * The dense layers run in a WebAssembly kernel (`assembly/dense-layer.ts`, 128-bit SIMD, about 3x the plain
 * loop) whose memory holds the weights (float64) and two activation buffers of {@link CHUNK_ROWS} rows, so
 * predicting allocates only the output; not safe to share across threads.
 */
export class MlpNetwork {
  readonly state: MlpNetworkState;
  private readonly memory = new KernelMemory<DenseLayerExports>(denseLayerKernel());
  /** Byte offsets of each layer's kernel (`inputs` x `outputs`) and bias in the kernel memory. */
  private readonly kernelAt: number[];
  private readonly biasAt: number[];
  /** The two activation buffers (`CHUNK_ROWS` x the widest layer), as offsets and as views (the memory never grows after construction). */
  private readonly bufferAt: [number, number];
  private readonly buffers: [Float64Array, Float64Array];

  constructor(state: MlpNetworkState) {
    checkState(state);
    this.state = state;
    const m = this.memory;
    const widest = Math.max(state.inputMean.length, ...state.layers.map((layer) => layer.outputs));
    this.kernelAt = state.layers.map((layer) => m.allocate(layer.inputs * layer.outputs * 8));
    this.biasAt = state.layers.map((layer) => m.allocate(layer.outputs * 8));
    this.bufferAt = [m.allocate(CHUNK_ROWS * widest * 8), m.allocate(CHUNK_ROWS * widest * 8)];
    state.layers.forEach((layer, l) => {
      m.f64(this.kernelAt[l]!, layer.kernel.length).set(layer.kernel);
      m.f64(this.biasAt[l]!, layer.outputs).set(layer.bias);
    });
    this.buffers = [m.f64(this.bufferAt[0], CHUNK_ROWS * widest), m.f64(this.bufferAt[1], CHUNK_ROWS * widest)];
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
   * Writes the logit (log-odds) of every row of `X` into `out` (length `X.rows`), {@link CHUNK_ROWS} rows at a
   * time through every layer. Each row's sums run over its inputs in order, so a row's logit does not depend on
   * its neighbours (nor on the chunking).
   */
  logitsInto(X: DenseMatrix, out: Float64Array): void {
    const { data, cols } = X;
    const { inputMean, inputScale, layers, activation } = this.state;
    const { kernels } = this.memory;
    const last = layers.length - 1;
    for (let r0 = 0; r0 < X.rows; r0 += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, X.rows - r0);
      let from: 0 | 1 = 0;
      const input = this.buffers[from];
      for (let t = 0; t < count; t++) {
        const offset = (r0 + t) * cols;
        for (let c = 0; c < cols; c++) input[t * cols + c] = (data[offset + c]! - inputMean[c]!) / inputScale[c]!;
      }
      for (let l = 0; l <= last; l++) {
        const { inputs, outputs } = layers[l]!;
        const to: 0 | 1 = from === 0 ? 1 : 0;
        kernels.denseLayer(this.bufferAt[from], count, inputs, this.kernelAt[l]!, this.biasAt[l]!, outputs, this.bufferAt[to]);
        if (l < last) applyActivation(activation, this.buffers[to], count * outputs);
        from = to;
      }
      // The last layer has one output: its buffer holds the chunk's logits in row order.
      out.set(this.buffers[from].subarray(0, count), r0);
    }
  }
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
