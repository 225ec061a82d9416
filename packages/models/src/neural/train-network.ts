import { SeededRandom } from '@mlsd/data';
import type * as TensorFlow from '@tensorflow/tfjs';
import { averagePrecisionOfScores } from '../trees/early-stopping-metric.js';
import type { MlpActivation } from './activation.js';
import type { MlpLayerWeights } from './mlp-network.js';
import { forwardPass, networkGradients, type NetworkTensors } from './network-gradients.js';
import type { TensorFlowModule } from './tensorflow-runtime.js';

/** Training data already standardised, as float32 row-major arrays, and its per-row loss weights. */
export interface TrainingData {
  readonly X: Float32Array;
  readonly y: Float32Array;
  /** Loss weight per row (sample weight x class weight), scaled to mean 1. */
  readonly weight: Float32Array;
  readonly rows: number;
  readonly cols: number;
  /** A held-out standardised set scored after every epoch for early stopping, when given. */
  readonly validation?: { readonly X: Float32Array; readonly y: Uint8Array; readonly rows: number };
}

/** The hyper-parameters the training loop uses (a subset of the classifier's options). */
export interface TrainingSettings {
  readonly hiddenLayers: readonly number[];
  readonly activation: MlpActivation;
  readonly dropout: number;
  readonly l2: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** Epochs without a better validation AP before stopping; `null` trains all epochs. */
  readonly earlyStoppingPatience: number | null;
  readonly predictionBatchSize: number;
  readonly seed: number;
}

/** What training learned and how it went. */
export interface TrainingResult {
  /** The weights of the best epoch (by validation AP) or of the last epoch without validation. */
  readonly layers: MlpLayerWeights[];
  readonly epochsRun: number;
  /** 1-based epoch whose weights were kept. */
  readonly bestEpoch: number;
  /** Validation average precision after each epoch; empty without validation. */
  readonly validationAveragePrecision: number[];
  /** Mean weighted cross-entropy on the training rows during each epoch (without the L2 term). */
  readonly trainingLoss: number[];
}

type Tensor = TensorFlow.Tensor;
type Variable = TensorFlow.Variable;

/**
 * Trains a feed-forward network with Adam on TensorFlow.js (gradients from {@link networkGradients}): weighted
 * binary cross-entropy on the logit, L2 on the kernels, inverted dropout after each hidden layer, rows shuffled
 * every epoch. Initial weights, shuffles and dropout masks all come from one {@link SeededRandom}, so the same
 * seed gives the same model on the same backend.
 * With validation data, keeps the weights of the epoch with the best validation average precision and stops
 * after `earlyStoppingPatience` epochs without improvement. Yields to the event loop after every epoch.
 */
export async function trainNetwork(tf: TensorFlowModule, data: TrainingData, settings: TrainingSettings): Promise<TrainingResult> {
  const random = new SeededRandom(settings.seed);
  const widths = [data.cols, ...settings.hiddenLayers, 1];
  const kernels: Variable[] = [];
  const biases: Variable[] = [];
  const optimizer = tf.train.adam(settings.learningRate);
  try {
    for (let l = 0; l + 1 < widths.length; l++) {
      const isOutput = l + 2 === widths.length;
      const init = initialKernel(widths[l]!, widths[l + 1]!, isOutput ? 'sigmoid' : settings.activation, random);
      const bias = new Float32Array(widths[l + 1]!);
      if (isOutput) bias[0] = baseLogit(data);
      // tidy disposes the initial-value tensors; the variables survive it.
      tf.tidy(() => {
        kernels.push(tf.variable(tf.tensor2d(init, [widths[l]!, widths[l + 1]!])));
        biases.push(tf.variable(tf.tensor1d(bias)));
      });
    }
    const network = { kernels, biases };

    const order = new Int32Array(data.rows);
    for (let i = 0; i < data.rows; i++) order[i] = i;
    const batchSize = Math.min(settings.batchSize, data.rows);
    const batchX = new Float32Array(batchSize * data.cols);
    const batchY = new Float32Array(batchSize);
    const batchW = new Float32Array(batchSize);
    const hidden = settings.hiddenLayers;
    const maskBuffers = hidden.map((width) => new Float32Array(batchSize * width));

    const history: number[] = [];
    const losses: number[] = [];
    let best = Number.NEGATIVE_INFINITY;
    let bestEpoch = 0;
    let bestLayers: MlpLayerWeights[] | undefined;
    let sinceBest = 0;
    let epoch = 0;
    while (epoch < settings.epochs) {
      epoch++;
      random.shuffle(order);
      // The loss is summed on the device and read once per epoch, so steps need not wait for each other.
      let lossSum: Tensor = tf.scalar(0);
      for (let start = 0; start < data.rows; start += batchSize) {
        const m = Math.min(batchSize, data.rows - start);
        gatherBatch(data, order, start, m, batchX, batchY, batchW);
        if (settings.dropout > 0) fillMasks(maskBuffers, hidden, m, settings.dropout, random);
        const previous = lossSum;
        lossSum = tf.tidy(() => {
          const batch = {
            x: tf.tensor2d(batchX.slice(0, m * data.cols), [m, data.cols]),
            y: tf.tensor2d(batchY.slice(0, m), [m, 1]),
            weight: tf.tensor2d(batchW.slice(0, m), [m, 1]),
            masks: settings.dropout > 0 ? hidden.map((width, l) => tf.tensor2d(maskBuffers[l]!.slice(0, m * width), [m, width])) : undefined,
          };
          const gradients = networkGradients(tf, network, settings.activation, batch, settings.l2);
          const named: { name: string; tensor: Tensor }[] = [];
          for (let l = 0; l < kernels.length; l++) {
            named.push({ name: kernels[l]!.name, tensor: gradients.kernels[l]! });
            named.push({ name: biases[l]!.name, tensor: gradients.biases[l]! });
          }
          optimizer.applyGradients(named);
          return tf.add(previous, tf.mul(gradients.loss, m));
        });
        previous.dispose();
      }
      losses.push((lossSum.dataSync()[0] ?? Number.NaN) / data.rows);
      lossSum.dispose();
      // Let the event loop run between epochs: a server training in-process keeps answering.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (data.validation === undefined) continue;
      const logits = predictLogits(tf, network, settings.activation, data.validation, data.cols, settings.predictionBatchSize);
      const ap = averagePrecisionOfScores(logits, data.validation.y);
      history.push(ap);
      if (ap > best) {
        best = ap;
        bestEpoch = epoch;
        bestLayers = readLayers(kernels, biases);
        sinceBest = 0;
      } else {
        sinceBest++;
        if (settings.earlyStoppingPatience !== null && sinceBest >= settings.earlyStoppingPatience) break;
      }
    }
    if (bestLayers === undefined) {
      bestLayers = readLayers(kernels, biases);
      bestEpoch = epoch;
    }
    return { layers: bestLayers, epochsRun: epoch, bestEpoch, validationAveragePrecision: history, trainingLoss: losses };
  } finally {
    optimizer.dispose();
    for (const variable of [...kernels, ...biases]) variable.dispose();
  }
}

/**
 * Logits of standardised rows through TensorFlow.js, `batchRows` rows per call: large batches matter, tfjs's
 * default of 32 made wasm prediction 175x slower than 8192.
 */
function predictLogits(
  tf: TensorFlowModule,
  network: NetworkTensors,
  activation: MlpActivation,
  set: { readonly X: Float32Array; readonly rows: number },
  cols: number,
  batchRows: number,
): Float64Array {
  const out = new Float64Array(set.rows);
  for (let start = 0; start < set.rows; start += batchRows) {
    const m = Math.min(batchRows, set.rows - start);
    const logits = tf.tidy(() => {
      const x = tf.tensor2d(set.X.subarray(start * cols, (start + m) * cols), [m, cols]);
      return forwardPass(tf, network, activation, x, undefined).logit;
    });
    out.set(logits.dataSync(), start);
    logits.dispose();
  }
  return out;
}

/**
 * A uniform initial kernel: He (limit sqrt(6 / fanIn)) before rectifiers, Glorot (limit sqrt(6 / (fanIn +
 * fanOut))) before saturating activations and for the output layer. Glorot & Bengio 2010; He et al. 2015.
 */
function initialKernel(fanIn: number, fanOut: number, activation: MlpActivation, random: SeededRandom): Float32Array {
  const rectifier = activation === 'relu' || activation === 'elu';
  const limit = rectifier ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = random.uniform(-limit, limit);
  return out;
}

/** The weighted log-odds of the positive class: the output bias that starts the network at the base rate. */
function baseLogit(data: TrainingData): number {
  let positive = 0;
  let total = 0;
  for (let i = 0; i < data.rows; i++) {
    total += data.weight[i]!;
    positive += data.weight[i]! * data.y[i]!;
  }
  const rate = Math.min(Math.max(positive / total, 1e-6), 1 - 1e-6);
  return Math.log(rate / (1 - rate));
}

function gatherBatch(data: TrainingData, order: Int32Array, start: number, m: number, batchX: Float32Array, batchY: Float32Array, batchW: Float32Array): void {
  const cols = data.cols;
  for (let i = 0; i < m; i++) {
    const row = order[start + i]!;
    batchX.set(data.X.subarray(row * cols, row * cols + cols), i * cols);
    batchY[i] = data.y[row]!;
    batchW[i] = data.weight[row]!;
  }
}

/** Inverted-dropout masks: each unit kept with probability 1 - rate and then scaled by 1 / (1 - rate). */
function fillMasks(masks: Float32Array[], widths: readonly number[], m: number, rate: number, random: SeededRandom): void {
  const keep = 1 - rate;
  const scale = 1 / keep;
  for (let l = 0; l < masks.length; l++) {
    const mask = masks[l]!;
    const count = m * widths[l]!;
    for (let i = 0; i < count; i++) mask[i] = random.nextUint32() < keep * 4294967296 ? scale : 0;
  }
}

function readLayers(kernels: readonly Variable[], biases: readonly Variable[]): MlpLayerWeights[] {
  return kernels.map((kernel, l) => {
    const [inputs, outputs] = kernel.shape as [number, number];
    return {
      inputs,
      outputs,
      kernel: Float32Array.from(kernel.dataSync() as Float32Array),
      bias: Float32Array.from(biases[l]!.dataSync() as Float32Array),
    };
  });
}
