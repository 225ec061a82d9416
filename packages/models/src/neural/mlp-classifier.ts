import { MlsdError, type DenseMatrix, LIBRARY_VERSION, validateOptions } from '@mlsd/data';
import { checkArtifact } from '../artifact/check-artifact.js';
import { checkFitInput, checkPredictInput } from '../artifact/check-input.js';
import { decodeTypedArray, encodeTypedArray, type EncodedTypedArray } from '../artifact/typed-array-codec.js';
import { ClassifierBase } from '../contract/classifier-base.js';
import type { Classifier, FitOptions, ModelArtifact } from '../contract/classifier.js';
import type { ClassWeight } from '../linear/logistic-regression.js';
import { MLP_ACTIVATIONS, type MlpActivation } from './activation.js';
import { MlpNetwork, type MlpLayerWeights } from './mlp-network.js';
import { MLP_BACKENDS, type MlpBackend } from './mlp-backend.js';
import { integratedGradients, type IntegratedGradients, type IntegratedGradientsOptions } from './integrated-gradients.js';
import { loadTensorFlow } from './tensorflow-runtime.js';
import { trainNetwork, type TrainingData } from './train-network.js';

/** Hyper-parameters of {@link MlpClassifier}; every field is optional in the constructor. */
export interface MlpOptions {
  /** Widths of the hidden layers, input side first. Default `[64, 32]`. */
  readonly hiddenLayers: readonly number[];
  /** Activation of every hidden layer. Default `'relu'`. */
  readonly activation: MlpActivation;
  /** Fraction of each hidden layer's units dropped per training step, in [0, 1). Default `0.1`. */
  readonly dropout: number;
  /** L2 penalty on the kernels (not the biases), added to the mean loss. Default `1e-5`. */
  readonly l2: number;
  /** Adam's learning rate. Default `0.003`. */
  readonly learningRate: number;
  /** Rows per training step. Default `512`. */
  readonly batchSize: number;
  /** Maximum passes over the training rows. Default `10`. */
  readonly epochs: number;
  /**
   * Weights multiplied into each row's loss weight by class (as in `LogisticRegression`):
   * `'balanced'` makes both classes weigh the same in total; `null` weighs both 1. Default `null`.
   */
  readonly classWeight: ClassWeight | null;
  /**
   * With `validation` in `fit`: stop after this many epochs without a better validation average precision and
   * keep the best epoch's weights. `null` trains all `epochs` (still keeping the best). Default `3`.
   */
  readonly earlyStoppingPatience: number | null;
  /**
   * Standardise each input column inside the model ((x - mean) / std, learned in `fit`, constant columns left
   * unscaled). Harmless on inputs the feature pipeline already standardised. Default `true`.
   */
  readonly standardize: boolean;
  /** Rows per TensorFlow.js call when scoring the validation set (large batches are much faster). Default `8192`. */
  readonly predictionBatchSize: number;
  /** The TensorFlow.js backend that trains the network (see {@link MlpBackend}). Default `'auto'`. */
  readonly backend: MlpBackend;
  /** Seed of the initial weights, the row shuffles and the dropout masks. Default `0`. */
  readonly seed: number;
}

/** How the last `fit` went: the backend actually used (from `tf.getBackend()`) and the epoch history. */
export interface MlpFitInfo {
  /** The TensorFlow.js backend that trained the network: `tensorflow`, `wasm` or `cpu`. */
  readonly backend: string;
  readonly epochsRun: number;
  /** 1-based epoch whose weights the model kept. */
  readonly bestEpoch: number;
  /** Validation average precision after each epoch (empty without validation). */
  readonly validationAveragePrecision: readonly number[];
  /** Mean weighted cross-entropy on the training rows during each epoch (without the L2 term). */
  readonly trainingLoss: readonly number[];
}

const KIND = 'mlp';
const SCHEMA_VERSION = 1;

/** The defaults of {@link MlpOptions}. */
export const MLP_DEFAULTS: MlpOptions = {
  hiddenLayers: [64, 32],
  activation: 'relu',
  dropout: 0.1,
  l2: 1e-5,
  learningRate: 0.003,
  batchSize: 512,
  epochs: 10,
  classWeight: null,
  earlyStoppingPatience: 3,
  standardize: true,
  predictionBatchSize: 8192,
  backend: 'auto',
  seed: 0,
};

const RULES = {
  hiddenLayers: (value: unknown) =>
    Array.isArray(value) && value.length > 0 && value.every((w) => Number.isInteger(w) && w >= 1 && w <= 65536)
      ? undefined
      : 'a non-empty array of layer widths (integers from 1 to 65536)',
  activation: { oneOf: MLP_ACTIVATIONS },
  dropout: { min: 0, max: 1, maxExclusive: true },
  l2: { min: 0 },
  learningRate: { min: 0, minExclusive: true },
  batchSize: { min: 1, integer: true },
  epochs: { min: 1, integer: true },
  classWeight: (value: unknown) => {
    if (value === null || value === 'balanced') return undefined;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const { negative, positive, ...rest } = value as Record<string, unknown>;
      const ok = (w: unknown): boolean => typeof w === 'number' && Number.isFinite(w) && w > 0;
      if (Object.keys(rest).length === 0 && ok(negative) && ok(positive)) return undefined;
    }
    return '"balanced", null or { negative, positive } with finite weights > 0';
  },
  earlyStoppingPatience: { min: 1, integer: true, nullable: true },
  predictionBatchSize: { min: 1, integer: true },
  backend: { oneOf: MLP_BACKENDS },
  seed: { integer: true },
} as const;

/**
 * A feed-forward neural network for binary classification (kind `mlp`): dense hidden layers, one logit output,
 * trained with Adam on TensorFlow.js, whose backend is picked by {@link MlpOptions.backend} (wasm by default,
 * native TensorFlow when `@tensorflow/tfjs-node` is installed). TensorFlow is imported only inside `fit`:
 * prediction, after `fit` or after {@link loadMlpClassifier}, runs a typed-array forward pass, so a serving
 * process never loads TensorFlow.
 */
export class MlpClassifier extends ClassifierBase<MlpOptions, Learned> implements Classifier {
  readonly kind = KIND;

  /** Stores the hyper-parameters; unknown or out-of-range options throw `INVALID_OPTION`. */
  constructor(options: Partial<MlpOptions> = {}) {
    super(validateOptions<MlpOptions>(KIND, options, MLP_DEFAULTS, RULES));
  }

  /**
   * The TensorFlow.js backend that trained the model (`tensorflow`, `wasm` or `cpu`, as `tf.getBackend()` said
   * after switching); a loaded model reports its artifact's. Throws `NOT_FITTED` before `fit`.
   */
  get backend(): string {
    return this.fitted('backend').info.backend;
  }

  /** How the fit went (stored in the artifact, so a loaded model reports it too). Throws `NOT_FITTED` before `fit`. */
  get fitInfo(): MlpFitInfo {
    return this.fitted('fitInfo').info;
  }

  /**
   * Trains the network on `X` (standardised inside when `standardize`) and `y`. `sampleWeight` multiplies each
   * row's loss; `validation` drives early stopping on average precision. Loads TensorFlow.js on first call.
   */
  async fit(X: DenseMatrix, y: Uint8Array, options: FitOptions = {}): Promise<this> {
    checkFitInput(KIND, X, y, options);
    const p = this.params;
    const moments = columnMoments(X);
    const { mean, scale } = p.standardize ? moments : identityScaling(X.cols);
    const { validation } = options;
    if (validation !== undefined && !hasPositive(validation.y)) {
      throw new MlsdError(
        'INVALID_INPUT',
        `${KIND}.fit: validation.y has no positive label, so its average precision (the early-stopping score) is undefined; pass a validation set with frauds or no validation set.`,
        { location: { field: 'validation.y' } },
      );
    }
    const data: TrainingData = {
      X: standardise(X, mean, scale),
      y: Float32Array.from(y),
      weight: lossWeights(y, options.sampleWeight, p.classWeight),
      rows: X.rows,
      cols: X.cols,
      ...(validation === undefined ? {} : { validation: { X: standardise(validation.X, mean, scale), y: validation.y, rows: validation.X.rows } }),
    };
    const { tf, backend } = await loadTensorFlow(p.backend);
    const result = await trainNetwork(tf, data, p);
    this.state = {
      network: new MlpNetwork({ inputMean: mean, inputScale: scale, layers: result.layers, activation: p.activation }),
      featureNames: [...X.featureNames],
      baseline: moments.mean,
      info: {
        backend,
        epochsRun: result.epochsRun,
        bestEpoch: result.bestEpoch,
        validationAveragePrecision: result.validationAveragePrecision,
        trainingLoss: result.trainingLoss,
      },
    };
    return this;
  }

  /** P(y = 1) per row, from the typed-array forward pass (no TensorFlow). Throws `NOT_FITTED` before `fit`. */
  predictProba(X: DenseMatrix): Float64Array {
    const { network, featureNames } = this.fitted('predictProba');
    checkPredictInput(KIND, X, featureNames);
    return network.predictProba(X);
  }

  /**
   * The reference row the reasons are measured against: the training rows' column means (saved with the model).
   * Throws `NOT_FITTED` before `fit`.
   */
  get baseline(): Float64Array {
    return Float64Array.from(this.fitted('baseline').baseline);
  }

  /**
   * Integrated gradients of every row's logit against {@link baseline} (see {@link integratedGradients}):
   * the attributions, the logits and each row's completeness gap. Throws `NOT_FITTED` before `fit`.
   */
  integratedGradients(X: DenseMatrix, options: IntegratedGradientsOptions = {}): IntegratedGradients {
    const { network, featureNames, baseline } = this.fitted('integratedGradients');
    checkPredictInput(KIND, X, featureNames);
    return integratedGradients(network.state, X, baseline, options);
  }

  /**
   * Reason codes: row-major `X.rows` x (`X.cols` + 1), each input's integrated gradient of the logit against
   * {@link baseline} (64 path points), the last column logit(baseline). A row's values sum to its logit up to
   * the completeness gap, which {@link integratedGradients} reports (under 1e-3 logit on the fraud networks).
   */
  contributions(X: DenseMatrix): Float64Array {
    const { attributions, baselineLogit } = this.integratedGradients(X);
    const cols = X.cols;
    const out = new Float64Array(X.rows * (cols + 1));
    for (let r = 0; r < X.rows; r++) {
      out.set(attributions.subarray(r * cols, (r + 1) * cols), r * (cols + 1));
      out[r * (cols + 1) + cols] = baselineLogit;
    }
    return out;
  }

  /** The versioned artifact: parameters, standardisation, float32 weights (base64) and the fit info. */
  toJSON(): ModelArtifact {
    const { network, featureNames, info, baseline } = this.fitted('toJSON');
    const { state } = network;
    const artifactState: MlpArtifactState = {
      training: info,
      baseline: encodeTypedArray(baseline),
      inputMean: encodeTypedArray(state.inputMean),
      inputScale: encodeTypedArray(state.inputScale),
      layers: state.layers.map((layer) => ({
        inputs: layer.inputs,
        outputs: layer.outputs,
        kernel: encodeTypedArray(layer.kernel),
        bias: encodeTypedArray(layer.bias),
      })),
    };
    return {
      schemaVersion: SCHEMA_VERSION,
      libraryVersion: LIBRARY_VERSION,
      kind: KIND,
      params: { ...this.params, hiddenLayers: [...this.params.hiddenLayers] },
      featureNames: [...featureNames],
      state: artifactState,
    };
  }

  /** Restores a model saved by {@link toJSON} without TensorFlow; see {@link loadMlpClassifier}. */
  static fromJSON(artifact: unknown): MlpClassifier {
    const checked = checkArtifact(artifact, KIND, [SCHEMA_VERSION]);
    let model: MlpClassifier;
    try {
      model = new MlpClassifier(checked.params as Partial<MlpOptions>);
    } catch (error) {
      throw new MlsdError('CORRUPT_ARTIFACT', `${KIND} artifact: its params are invalid (${(error as Error).message})`, {
        cause: error,
        location: { field: 'params' },
      });
    }
    const state = checked.state as Partial<MlpArtifactState>;
    if (!Array.isArray(state.layers) || typeof state.training?.backend !== 'string') {
      throw new MlsdError('CORRUPT_ARTIFACT', `${KIND} artifact: state.layers or state.training is missing. Re-save the model with toJSON().`, {
        location: { field: 'state' },
      });
    }
    const cols = checked.featureNames.length;
    const layers: MlpLayerWeights[] = state.layers.map((layer, l) => {
      const inputs = Number(layer?.inputs);
      const outputs = Number(layer?.outputs);
      return {
        inputs,
        outputs,
        kernel: decodeTypedArray(layer?.kernel, 'float32', `state.layers[${l}].kernel`, inputs * outputs),
        bias: decodeTypedArray(layer?.bias, 'float32', `state.layers[${l}].bias`, outputs),
      };
    });
    const inputMean = decodeTypedArray(state.inputMean, 'float64', 'state.inputMean', cols);
    model.state = {
      // Artifacts written before reasons existed have no baseline: the standardisation mean is the training mean.
      baseline: state.baseline === undefined ? Float64Array.from(inputMean) : decodeTypedArray(state.baseline, 'float64', 'state.baseline', cols),
      network: new MlpNetwork({
        inputMean,
        inputScale: decodeTypedArray(state.inputScale, 'float64', 'state.inputScale', cols),
        layers,
        activation: model.params.activation,
      }),
      featureNames: [...checked.featureNames],
      info: state.training,
    };
    return model;
  }
}

/** What `fit` learned (or the loader restored). */
interface Learned {
  readonly network: MlpNetwork;
  readonly featureNames: readonly string[];
  /** The training column means: the reference row of the reasons. */
  readonly baseline: Float64Array;
  readonly info: MlpFitInfo;
}

/**
 * Restores an {@link MlpClassifier} from its artifact without TensorFlow (the loader registered for kind `mlp`).
 * Throws `CORRUPT_ARTIFACT` naming the malformed field.
 */
export function loadMlpClassifier(artifact: ModelArtifact): MlpClassifier {
  return MlpClassifier.fromJSON(artifact);
}

/** The `state` of an `mlp` artifact, schema version 1. */
interface MlpArtifactState {
  readonly training: MlpFitInfo;
  /** The reasons' reference row (training column means); absent in artifacts written before it existed. */
  readonly baseline?: EncodedTypedArray;
  readonly inputMean: EncodedTypedArray;
  readonly inputScale: EncodedTypedArray;
  readonly layers: readonly {
    readonly inputs: number;
    readonly outputs: number;
    readonly kernel: EncodedTypedArray;
    readonly bias: EncodedTypedArray;
  }[];
}

function hasPositive(y: Uint8Array): boolean {
  for (let i = 0; i < y.length; i++) if (y[i] === 1) return true;
  return false;
}

/** Column means and standard deviations (population); a constant column gets scale 1. */
function columnMoments(X: DenseMatrix): { mean: Float64Array; scale: Float64Array } {
  const { data, rows, cols } = X;
  const mean = new Float64Array(cols);
  const scale = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += data[r * cols + c]!;
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = data[r * cols + c]! - mean[c]!;
      scale[c]! += d * d;
    }
  }
  for (let c = 0; c < cols; c++) {
    const std = Math.sqrt(scale[c]! / rows);
    scale[c] = std > 1e-12 * Math.max(1, Math.abs(mean[c]!)) ? std : 1;
  }
  return { mean, scale };
}

function identityScaling(cols: number): { mean: Float64Array; scale: Float64Array } {
  return { mean: new Float64Array(cols), scale: new Float64Array(cols).fill(1) };
}

function standardise(X: DenseMatrix, mean: Float64Array, scale: Float64Array): Float32Array {
  const { data, rows, cols } = X;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    for (let c = 0; c < cols; c++) out[offset + c] = (data[offset + c]! - mean[c]!) / scale[c]!;
  }
  return out;
}

/**
 * Per-row loss weight: sample weight x class weight (`'balanced'`: each class gets half the total), scaled to
 * mean 1 so the learning rate keeps its meaning whatever the weights.
 */
function lossWeights(y: Uint8Array, sampleWeight: Float64Array | undefined, classWeight: ClassWeight | null): Float32Array {
  const n = y.length;
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < n; i++) {
    const w = sampleWeight === undefined ? 1 : sampleWeight[i]!;
    if (y[i] === 1) positive += w;
    else negative += w;
  }
  let weightOfPositive = 1;
  let weightOfNegative = 1;
  if (classWeight === 'balanced') {
    weightOfPositive = 1 / positive;
    weightOfNegative = 1 / negative;
  } else if (classWeight !== null) {
    weightOfPositive = classWeight.positive;
    weightOfNegative = classWeight.negative;
  }
  const scale = n / (weightOfNegative * negative + weightOfPositive * positive);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const w = sampleWeight === undefined ? 1 : sampleWeight[i]!;
    out[i] = (y[i] === 1 ? weightOfPositive : weightOfNegative) * w * scale;
  }
  return out;
}
