import { MlsdError, type DenseMatrix } from '@mlsd/data';
import type { MlpNetworkState } from './mlp-network.js';

/** Options of {@link integratedGradients}. */
export interface IntegratedGradientsOptions {
  /**
   * Points on the straight path from the baseline to the row (midpoint rule) for smooth activations (elu, tanh,
   * sigmoid). ReLU networks ignore it: their path integral is computed exactly, segment by segment. Default 64.
   */
  readonly steps?: number;
}

/** What {@link integratedGradients} returns. */
export interface IntegratedGradients {
  /** Row-major `rows` x `cols`: each input's share of logit(row) − logit(baseline). */
  readonly attributions: Float64Array;
  /** logit(row) per row, from the same float64 forward pass. */
  readonly logits: Float64Array;
  /** logit(baseline). */
  readonly baselineLogit: number;
  /**
   * The completeness gap per row: Σ attributions − (logit(row) − logit(baseline)). Zero for a network without
   * curvature along the path; shrinks as `steps` grows otherwise.
   */
  readonly gaps: Float64Array;
}

/** The default number of path points for smooth activations (ReLU networks are integrated exactly). */
export const INTEGRATED_GRADIENTS_STEPS = 64;

/**
 * Integrated gradients (Sundararajan et al., 2017) of a network's logit against `baseline` (a row in the
 * model's raw input space, e.g. the training mean): attribution_c = (x_c − b_c) · mean over the path of
 * ∂logit/∂x_c, the gradients computed in plain float64 back-propagation at the midpoints of `steps` equal
 * segments. A ReLU network is piecewise linear along the path, so its integral is computed exactly instead:
 * the path is cut where any unit changes sign and each piece adds its length x its constant gradient (the
 * completeness gap is then rounding, ~1e-12). A linear network gets exactly w·(x − b). For smooth activations
 * `gaps` says how far the sum is from logit(x) − logit(b).
 */
export function integratedGradients(
  state: MlpNetworkState,
  X: DenseMatrix,
  baseline: Float64Array,
  options: IntegratedGradientsOptions = {},
): IntegratedGradients {
  const steps = options.steps ?? INTEGRATED_GRADIENTS_STEPS;
  const cols = state.inputMean.length;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new MlsdError('INVALID_OPTION', `integratedGradients: steps must be an integer >= 1, got ${steps}.`, { location: { field: 'steps' } });
  }
  if (X.cols !== cols || baseline.length !== cols) {
    throw new MlsdError(
      'SCHEMA_MISMATCH',
      `integratedGradients: the network takes ${cols} inputs but X has ${X.cols} columns and the baseline ${baseline.length}; pass rows of the model's features.`,
    );
  }
  const { inputMean, inputScale } = state;
  const z0 = new Float64Array(cols);
  for (let c = 0; c < cols; c++) z0[c] = (baseline[c]! - inputMean[c]!) / inputScale[c]!;
  const pass = new Backprop(state, steps);
  const path = new ReluPath(state);
  const baselineLogit = pass.logitOf(z0);
  const attributions = new Float64Array(X.rows * cols);
  const logits = new Float64Array(X.rows);
  const gaps = new Float64Array(X.rows);
  const z1 = new Float64Array(cols);
  const delta = new Float64Array(cols);
  for (let r = 0; r < X.rows; r++) {
    for (let c = 0; c < cols; c++) {
      z1[c] = (X.data[r * cols + c]! - inputMean[c]!) / inputScale[c]!;
      delta[c] = z1[c]! - z0[c]!;
    }
    const meanGradient = state.activation === 'relu' ? path.meanGradient(z0, delta) : midpointGradient(pass, z0, delta, steps);
    logits[r] = pass.logitOf(z1);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const a = delta[c]! * meanGradient[c]!;
      attributions[r * cols + c] = a;
      sum += a;
    }
    gaps[r] = sum - (logits[r]! - baselineLogit);
  }
  return { attributions, logits, baselineLogit, gaps };
}

/** The mean over `steps` path midpoints of ∂logit/∂z, z = z0 + α·delta. */
function midpointGradient(pass: Backprop, z0: Float64Array, delta: Float64Array, steps: number): Float64Array {
  const cols = z0.length;
  const points = pass.input;
  for (let k = 0; k < steps; k++) {
    const alpha = (k + 0.5) / steps;
    for (let c = 0; c < cols; c++) points[k * cols + c] = z0[c]! + alpha * delta[c]!;
  }
  const gradient = pass.inputGradients(steps);
  const mean = new Float64Array(cols);
  for (let k = 0; k < steps; k++) for (let c = 0; c < cols; c++) mean[c]! += gradient[k * cols + c]!;
  for (let c = 0; c < cols; c++) mean[c]! /= steps;
  return mean;
}

/**
 * The exact path integral of a ReLU network's gradient: along z(α) = z0 + α·delta every pre-activation is affine
 * in α while no unit changes sign, so the path is walked piece by piece. At the start of a piece each layer's
 * pre-activations are written as intercept + α·slope (given the earlier layers' on/off pattern just after the
 * start), the piece ends at the first sign change ahead, and its constant input gradient (back-propagated through
 * the pattern) is weighted by its length.
 */
class ReluPath {
  private readonly intercept: Float64Array[];
  private readonly slope: Float64Array[];
  private readonly on: Uint8Array[];
  private readonly grad: Float64Array[];

  constructor(private readonly state: MlpNetworkState) {
    this.intercept = state.layers.map((layer) => new Float64Array(layer.outputs));
    this.slope = state.layers.map((layer) => new Float64Array(layer.outputs));
    this.on = state.layers.map((layer) => new Uint8Array(layer.outputs));
    this.grad = state.layers.map((layer) => new Float64Array(layer.inputs));
  }

  /** ∫₀¹ ∂logit/∂z(z0 + α·delta) dα, per input. */
  meanGradient(z0: Float64Array, delta: Float64Array): Float64Array {
    const { layers } = this.state;
    const last = layers.length - 1;
    const cols = z0.length;
    const total = new Float64Array(cols);
    let start = 0;
    // A piece shorter than this is merged with the next (a sign change this close is rounding).
    const eps = 1e-12;
    for (let pieces = 0; start < 1 && pieces < 1_000_000; pieces++) {
      let end = 1;
      const probe = start + eps;
      let inIntercept: Float64Array = z0;
      let inSlope: Float64Array = delta;
      for (let l = 0; l <= last; l++) {
        const { inputs, outputs, kernel, bias } = layers[l]!;
        const a = this.intercept[l]!;
        const s = this.slope[l]!;
        const on = this.on[l]!;
        for (let j = 0; j < outputs; j++) {
          a[j] = bias[j]!;
          s[j] = 0;
        }
        for (let i = 0; i < inputs; i++) {
          const ai = inIntercept[i]!;
          const si = inSlope[i]!;
          if (ai === 0 && si === 0) continue;
          for (let j = 0; j < outputs; j++) {
            const w = kernel[i * outputs + j]!;
            a[j]! += ai * w;
            s[j]! += si * w;
          }
        }
        if (l < last) {
          for (let j = 0; j < outputs; j++) {
            const value = a[j]! + probe * s[j]!;
            on[j] = value > 0 ? 1 : 0;
            if (s[j]! !== 0) {
              const crossing = -a[j]! / s[j]!;
              if (crossing > probe && crossing < end) end = crossing;
            }
            if (on[j] === 0) {
              a[j] = 0;
              s[j] = 0;
            }
          }
        }
        inIntercept = a;
        inSlope = s;
      }
      // Back-propagate 1 from the logit through the pattern.
      let upstream: Float64Array = new Float64Array([1]);
      for (let l = last; l >= 0; l--) {
        const { inputs, outputs, kernel } = layers[l]!;
        const g = this.grad[l]!;
        for (let i = 0; i < inputs; i++) {
          let sum = 0;
          for (let j = 0; j < outputs; j++) sum += upstream[j]! * kernel[i * outputs + j]!;
          g[i] = sum;
        }
        if (l > 0) {
          const on = this.on[l - 1]!;
          for (let i = 0; i < inputs; i++) if (on[i] === 0) g[i] = 0;
        }
        upstream = g;
      }
      const length = Math.min(end, 1) - start;
      for (let c = 0; c < cols; c++) total[c]! += length * upstream[c]!;
      start = end;
    }
    return total;
  }
}

/** A plain float64 forward and backward pass over a batch of standardised inputs, with buffers reused across calls. */
class Backprop {
  /** The batch's standardised inputs, row-major `capacity` x inputs (the caller fills it). */
  readonly input: Float64Array;
  /** Pre-activations of every layer, `capacity` x outputs. */
  private readonly pre: Float64Array[];
  /** Outputs after the activation of every hidden layer. */
  private readonly post: Float64Array[];
  private readonly grad: Float64Array[];
  private readonly inputGrad: Float64Array;

  constructor(
    private readonly state: MlpNetworkState,
    capacity: number,
  ) {
    const cols = state.inputMean.length;
    this.input = new Float64Array(capacity * cols);
    this.inputGrad = new Float64Array(capacity * cols);
    this.pre = state.layers.map((layer) => new Float64Array(capacity * layer.outputs));
    this.post = state.layers.map((layer) => new Float64Array(capacity * layer.outputs));
    this.grad = state.layers.map((layer) => new Float64Array(capacity * layer.outputs));
  }

  /** The logit of one standardised row (written at row 0 of the batch). */
  logitOf(z: Float64Array): number {
    this.input.set(z);
    this.forward(1);
    return this.pre[this.pre.length - 1]![0]!;
  }

  /** ∂logit/∂input (standardised space) for the first `rows` rows of {@link input}, row-major. */
  inputGradients(rows: number): Float64Array {
    this.forward(rows);
    const { layers, activation } = this.state;
    const last = layers.length - 1;
    // d logit / d pre-activation of the output layer is 1.
    this.grad[last]!.fill(1, 0, rows);
    for (let l = last; l >= 0; l--) {
      const { inputs, outputs, kernel } = layers[l]!;
      const g = this.grad[l]!;
      const target = l === 0 ? this.inputGrad : this.grad[l - 1]!;
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < inputs; i++) {
          let sum = 0;
          for (let j = 0; j < outputs; j++) sum += g[r * outputs + j]! * kernel[i * outputs + j]!;
          target[r * inputs + i] = sum;
        }
      }
      if (l > 0) {
        // Through the activation of layer l - 1.
        const pre = this.pre[l - 1]!;
        const post = this.post[l - 1]!;
        for (let k = 0; k < rows * inputs; k++) target[k] = target[k]! * derivative(activation, pre[k]!, post[k]!);
      }
    }
    return this.inputGrad;
  }

  private forward(rows: number): void {
    const { layers, activation } = this.state;
    let x = this.input;
    layers.forEach((layer, l) => {
      const { inputs, outputs, kernel, bias } = layer;
      const pre = this.pre[l]!;
      const post = this.post[l]!;
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < outputs; j++) pre[r * outputs + j] = bias[j]!;
        for (let i = 0; i < inputs; i++) {
          const v = x[r * inputs + i]!;
          for (let j = 0; j < outputs; j++) pre[r * outputs + j]! += v * kernel[i * outputs + j]!;
        }
      }
      if (l < layers.length - 1) for (let k = 0; k < rows * outputs; k++) post[k] = activate(activation, pre[k]!);
      x = post;
    });
  }
}

function activate(activation: MlpNetworkState['activation'], z: number): number {
  switch (activation) {
    case 'relu':
      return Math.max(z, 0);
    case 'elu':
      return z > 0 ? z : Math.expm1(z);
    case 'tanh':
      return Math.tanh(z);
    case 'sigmoid':
      return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
}

function derivative(activation: MlpNetworkState['activation'], z: number, a: number): number {
  switch (activation) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'elu':
      return z > 0 ? 1 : a + 1;
    case 'tanh':
      return 1 - a * a;
    case 'sigmoid':
      return a * (1 - a);
  }
}
