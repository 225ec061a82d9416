import { MlsdError, LIBRARY_VERSION, classWeights, validateOptions } from '@mlsd/data';
import type { DenseMatrix } from '@mlsd/data';
import type { Classifier, FitOptions, ModelArtifact } from '../contract/classifier.js';
import { ClassifierBase } from '../contract/classifier-base.js';
import { artifactParams, checkArtifact } from '../artifact/check-artifact.js';
import { checkFitInput, checkPredictInput } from '../artifact/check-input.js';
import { KernelMemory } from '../kernels/kernel-memory.js';
import { logisticRegressionKernel, type LogisticRegressionExports } from '../kernels/kernel-modules.js';
import { choleskySolve } from './cholesky.js';

/** Per-class weights: `'balanced'` gives each class the weight `n / (2 · n_class)`, as scikit-learn does. */
export type ClassWeight = 'balanced' | { readonly negative: number; readonly positive: number };

/** Hyper-parameters of {@link LogisticRegression}. */
export interface LogisticRegressionOptions {
  /**
   * Inverse L2 strength, as scikit-learn's `C`: the model minimises `C · Σ wᵢ · logloss(yᵢ, pᵢ) + ½‖coef‖²`
   * (the intercept is not penalised). Larger C, weaker penalty. Default 1 (scikit-learn's default). The
   * penalty acts on the coefficients of the features as given, so it depends on their scale.
   */
  readonly C: number;
  /** Weights multiplied into each row's weight by class; `null` (default) weighs both classes 1. */
  readonly classWeight: ClassWeight | null;
  /** Newton iterations at most (default 100; a well-posed problem needs about 6 to 12). */
  readonly maxIter: number;
  /**
   * Convergence tolerance: stop when every component of the gradient of the objective, taken on internally
   * standardised features and divided by the total row weight, is at most `tol` (default 1e-6; scikit-learn's
   * lbfgs stops at 1e-4 on a comparable scale). Newton converges quadratically: one more iteration from 1e-6
   * typically reaches 1e-12.
   */
  readonly tol: number;
  /** Learn an intercept (default true). */
  readonly fitIntercept: boolean;
}

/** What the last fit did: Newton iterations, whether it met `tol`, and the final scaled gradient max-norm. */
export interface LogisticRegressionFitInfo {
  readonly iterations: number;
  readonly converged: boolean;
  readonly gradientNorm: number;
}

const KIND = 'logistic-regression';
const SCHEMA_VERSION = 1;

const DEFAULTS: LogisticRegressionOptions = { C: 1, classWeight: null, maxIter: 100, tol: 1e-6, fitIntercept: true };

const RULES = {
  C: { min: 0, minExclusive: true },
  maxIter: { min: 1, integer: true },
  tol: { min: 0, minExclusive: true },
  classWeight: (value: unknown): string | undefined => {
    if (value === null || value === 'balanced') return undefined;
    if (typeof value === 'object' && !Array.isArray(value)) {
      const { negative, positive, ...rest } = value as Record<string, unknown>;
      const ok = (w: unknown): boolean => typeof w === 'number' && Number.isFinite(w) && w > 0;
      if (Object.keys(rest).length === 0 && ok(negative) && ok(positive)) return undefined;
    }
    return '"balanced", null or { negative, positive } with finite weights > 0';
  },
} as const;

interface LearnedState {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly featureNames: readonly string[];
  readonly info: LogisticRegressionFitInfo;
}

/** Sets a model's learned state: the loader's way in (assigned in the class's static block). */
let restoreState: (model: LogisticRegression, state: LearnedState) => void;

/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least squares) with a
 * Cholesky solve and a backtracking line search, over typed arrays. Features are standardised internally for
 * numerical conditioning only — the penalty is transformed so the optimum is that of the objective on the
 * features as given (see {@link LogisticRegressionOptions.C}), which matches scikit-learn's
 * `LogisticRegression(C=…)` with the lbfgs solver.
 *
 * `featureImportance()` is `|coef|` (so it depends on the feature scale); `contributions(X)` is `coef_j · x_j`
 * per feature plus the intercept as the bias column: they sum to the log-odds.
 */
export class LogisticRegression extends ClassifierBase<LogisticRegressionOptions, LearnedState> implements Classifier {
  readonly kind = KIND;

  /** Stores the hyper-parameters; unknown or out-of-range options throw `INVALID_OPTION`. */
  constructor(options: Partial<LogisticRegressionOptions> = {}) {
    super(validateOptions(KIND, options, DEFAULTS, RULES));
  }

  /** The coefficients on the features as given (a copy), in `featureNames` order. */
  get coefficients(): Float64Array {
    return this.fitted('coefficients').coef.slice();
  }

  /** The intercept (log-odds when every feature is 0). */
  get intercept(): number {
    return this.fitted('intercept').intercept;
  }

  /** Diagnostics of the last fit; a loaded model reports those of the fit that produced it. */
  get fitInfo(): LogisticRegressionFitInfo {
    return this.fitted('fitInfo').info;
  }

  async fit(X: DenseMatrix, y: Uint8Array, options: FitOptions = {}): Promise<this> {
    checkFitInput(KIND, X, y, options);
    this.state = solve(X, y, rowWeights(y, options.sampleWeight, this.params.classWeight), this.params);
    return this;
  }

  predictProba(X: DenseMatrix): Float64Array {
    const { coef, intercept, featureNames } = this.fitted('predictProba');
    checkPredictInput(KIND, X, featureNames);
    const { data, rows, cols } = X;
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let z = intercept;
      const offset = i * cols;
      for (let j = 0; j < cols; j++) z += coef[j]! * data[offset + j]!;
      out[i] = sigmoid(z);
    }
    return out;
  }

  /** `|coef|` per feature. */
  featureImportance(): Float64Array {
    return this.fitted('featureImportance').coef.map(Math.abs);
  }

  /** Row-major `X.rows` x (`X.cols` + 1): `coef_j · x_ij`, then the intercept; each row sums to the log-odds. */
  contributions(X: DenseMatrix): Float64Array {
    const { coef, intercept, featureNames } = this.fitted('contributions');
    checkPredictInput(KIND, X, featureNames);
    const { data, rows, cols } = X;
    const width = cols + 1;
    const out = new Float64Array(rows * width);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) out[i * width + j] = coef[j]! * data[i * cols + j]!;
      out[i * width + cols] = intercept;
    }
    return out;
  }

  toJSON(): ModelArtifact {
    const { coef, intercept, featureNames, info } = this.fitted('toJSON');
    return {
      schemaVersion: SCHEMA_VERSION,
      libraryVersion: LIBRARY_VERSION,
      kind: KIND,
      params: { ...this.params },
      featureNames: [...featureNames],
      state: { coef: Array.from(coef), intercept, ...info },
    };
  }

  /** Restores a model from {@link LogisticRegression.toJSON}'s artifact; throws `CORRUPT_ARTIFACT` if malformed. */
  static fromJSON(artifact: ModelArtifact): LogisticRegression {
    return loadLogisticRegression(artifact);
  }

  static {
    restoreState = (model, state) => {
      model.state = state;
    };
  }
}

/** The loader of kind `logistic-regression` (see `loadClassifier`). */
export function loadLogisticRegression(artifact: ModelArtifact): LogisticRegression {
  const checked = checkArtifact(artifact, KIND, [SCHEMA_VERSION]);
  const state = checked.state as Record<string, unknown>;
  const d = checked.featureNames.length;
  const coef = state['coef'];
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const corrupt = (field: string, problem: string): never => {
    throw new MlsdError('CORRUPT_ARTIFACT', `${KIND} artifact: ${field} ${problem}.`, { location: { field } });
  };
  if (!Array.isArray(coef) || coef.length !== d || !coef.every(finite)) {
    corrupt('state.coef', `must be ${d} finite numbers (one per feature name)`);
  }
  if (!finite(state['intercept'])) corrupt('state.intercept', 'must be a finite number');
  if (typeof state['iterations'] !== 'number' || typeof state['converged'] !== 'boolean' || !finite(state['gradientNorm'])) {
    corrupt('state', 'must hold iterations, converged and gradientNorm');
  }
  const params = artifactParams(KIND, checked, DEFAULTS, RULES);
  const model = new LogisticRegression(params);
  restoreState(model, {
    coef: Float64Array.from(coef as number[]),
    intercept: state['intercept'] as number,
    featureNames: Object.freeze([...checked.featureNames]),
    info: {
      iterations: state['iterations'] as number,
      converged: state['converged'] as boolean,
      gradientNorm: state['gradientNorm'] as number,
    },
  });
  return model;
}

function rowWeights(y: Uint8Array, sampleWeight: Float64Array | undefined, classWeight: ClassWeight | null): Float64Array {
  const n = y.length;
  let negative = 1;
  let positive = 1;
  if (classWeight === 'balanced') ({ negative, positive } = classWeights(y));
  else if (classWeight !== null) {
    ({ negative, positive } = classWeight);
  }
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = (y[i] === 1 ? positive : negative) * (sampleWeight === undefined ? 1 : sampleWeight[i]!);
  return w;
}

/**
 * Newton's method on f(θ) = Σ wᵢ ℓᵢ(θ) + ½ Σⱼ λⱼ θⱼ² over standardised features x̃ = (x − m) / s, where
 * λⱼ = 1 / (C sⱼ²) makes the penalty equal to ½‖coef‖² / C on the original scale (coef = θ / s); the intercept
 * has λ = 0. Minimising f is minimising C · Σ wᵢ ℓᵢ + ½‖coef‖², the objective in the options. The passes over
 * the rows run in the logistic-regression kernel (`assembly/logistic-regression.ts`), on the design laid out in
 * its memory, which the fit hands back at the end for the next one.
 */
function solve(X: DenseMatrix, y: Uint8Array, w: Float64Array, params: LogisticRegressionOptions): LearnedState {
  const { rows: n, cols: d } = X;
  const withIntercept = params.fitIntercept;
  const P = withIntercept ? d + 1 : d;
  const kernel = new NewtonKernel(P, d, n, n >= WARM_START_ROWS ? Math.ceil(n / WARM_START_STRIDE) : 0);
  try {
    // Standardise (centre only when an intercept can absorb the shift); constant columns keep s = 1.
    const { mean, scale } = kernel.loadRows(X);
    if (!withIntercept) mean.fill(0);
    const lambda = new Float64Array(P);
    for (let j = 0; j < d; j++) lambda[j] = 1 / (params.C * scale[j]! * scale[j]!);
    kernel.layOut(n, withIntercept);
    const sample = n >= WARM_START_ROWS ? kernel.design(1, y, w, WARM_START_STRIDE) : null;
    const full = kernel.design(0, y, w, 1);
    const theta = new Float64Array(P);
    if (withIntercept) {
      const rate = full.positiveWeight / full.totalWeight;
      theta[d] = Math.log(rate / (1 - rate));
    }
    // On large inputs the first Newton steps (which often need a shortened step) run on every 8th row, with
    // weights x8 so the sums estimate the full ones; the full data then needs about 3 steps from there. About
    // halves the fit time on the Handbook's 67k rows; the optimum is the full-data one either way.
    if (sample !== null && sample.positiveWeight > 0 && sample.positiveWeight < sample.totalWeight) {
      newton(kernel, sample, lambda, theta, Math.max(params.tol, WARM_START_TOL), params.maxIter);
    }
    const { iterations, converged, gradientNorm } = newton(kernel, full, lambda, theta, params.tol, params.maxIter);

    const coef = new Float64Array(d);
    let intercept = withIntercept ? theta[d]! : 0;
    for (let j = 0; j < d; j++) {
      coef[j] = theta[j]! / scale[j]!;
      intercept -= coef[j]! * mean[j]!;
    }
    return {
      coef,
      intercept,
      featureNames: Object.freeze([...X.featureNames]),
      info: { iterations, converged, gradientNorm },
    };
  } finally {
    kernel.release();
  }
}

/** Rows from which {@link solve} warm-starts on a sample, the sampling stride, and the sample's tolerance. */
const WARM_START_ROWS = 20_000;
const WARM_START_STRIDE = 8;
const WARM_START_TOL = 1e-4;

/**
 * Newton's method with a backtracking line search from `theta` (updated in place) until the gradient max-norm
 * divided by the total weight is at most `tol`, or `maxIter` steps.
 */
function newton(kernel: NewtonKernel, design: Design, lambda: Float64Array, theta: Float64Array, tol: number, maxIter: number): LogisticRegressionFitInfo {
  const P = theta.length;
  const { totalWeight } = design;
  let current = design.evaluations[0];
  let trial = design.evaluations[1];
  kernel.evaluate(design, lambda, theta, current);
  const hessian = kernel.hessianView();
  const step = new Float64Array(P);
  const candidate = new Float64Array(P);
  let iterations = 0;
  let gradientNorm = maxAbs(current.gradient) / totalWeight;
  while (iterations < maxIter && gradientNorm > tol) {
    iterations++;
    // The Hessian is only formed once a step is needed, so the final (converged) point and rejected trial
    // points cost a gradient pass alone.
    kernel.hessian(design, current, lambda);
    for (let k = 0; k < P; k++) step[k] = -current.gradient[k]!;
    choleskySolve(hessian, step, P);
    let slope = 0;
    for (let k = 0; k < P; k++) slope += current.gradient[k]! * step[k]!;
    // Backtracking (Armijo) line search: Newton's full step is almost always accepted near the optimum.
    let t = 1;
    let accepted = false;
    for (let halvings = 0; halvings < 40; halvings++) {
      for (let k = 0; k < P; k++) candidate[k] = theta[k]! + t * step[k]!;
      kernel.evaluate(design, lambda, candidate, trial);
      // Armijo's sufficient decrease; near the optimum the decrease drops below the rounding of f, so a step
      // that keeps f within rounding and shrinks the gradient is progress too.
      const withinRounding = trial.objective <= current.objective + 1e-12 * Math.abs(current.objective);
      if (trial.objective <= current.objective + 1e-4 * t * slope || (withinRounding && maxAbs(trial.gradient) < maxAbs(current.gradient))) {
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) break; // no further decrease representable in floating point
    theta.set(candidate);
    [current, trial] = [trial, current];
    gradientNorm = maxAbs(current.gradient) / totalWeight;
  }
  return { iterations, converged: gradientNorm <= tol, gradientNorm };
}

/** Objective and gradient at one point (the gradient a view of the kernel memory; the curvature stays there). */
interface Evaluation {
  objective: number;
  readonly gradient: Float64Array;
  readonly gradientAt: number;
  readonly curvatureAt: number;
}

/** A design in the kernel memory (see {@link NewtonKernel.design}): rows read, labels, weights and weight totals. */
interface Design {
  readonly at: number;
  /** Design rows between two rows read (the warm start reads every 8th row of the full design). */
  readonly step: number;
  readonly labelsAt: number;
  readonly weightsAt: number;
  readonly rows: number;
  readonly totalWeight: number;
  readonly positiveWeight: number;
  /** Two evaluations (the current point and a trial), swapped as steps are accepted. */
  readonly evaluations: readonly [Evaluation, Evaluation];
}

/** Rows per block of the kernel's passes (`BLOCK` in `assembly/logistic-regression.ts`): the residual scratch. */
const BLOCK = 256;

/**
 * The kernel memory of one fit: the design (laid out in place of the copied rows of X), labels, weights and two
 * evaluations for the full rows and for the warm start's sample of them, the standardisation, θ, the Hessian and
 * scratch. Everything is allocated up front, so views stay valid.
 */
class NewtonKernel {
  private readonly memory = new KernelMemory<LogisticRegressionExports>(logisticRegressionKernel());
  /** Columns of the design (features, then the intercept's ones). */
  private readonly P: number;
  /** Features. */
  private readonly d: number;
  /** Float64 per design row: `P` rounded up to even (two columns per SIMD vector; the padding column is 0). */
  private readonly stride: number;
  private readonly designAt: number;
  private readonly meanAt: number;
  private readonly scaleAt: number;
  private readonly sumsAt: number;
  private readonly slots: { labelsAt: number; weightsAt: number; evaluations: [Evaluation, Evaluation] }[] = [];
  private readonly thetaAt: number;
  private readonly hessianAt: number;
  private readonly residualAt: number;

  /** Room for `rows` rows of `d` features, their design of `P` columns and, unless 0, a sample of `sampleRows`. */
  constructor(P: number, d: number, rows: number, sampleRows: number) {
    this.P = P;
    this.d = d;
    this.stride = P + (P & 1);
    const m = this.memory;
    this.designAt = m.allocate(rows * Math.max(this.stride, d) * 8);
    const reserved = (sampleRows > 0 ? [rows, sampleRows] : [rows]).map((n) => ({
      labelsAt: m.allocate(n),
      weightsAt: m.allocate(n * 8),
      evaluations: [0, 1].map(() => ({ gradientAt: m.allocate(this.stride * 8), curvatureAt: m.allocate(n * 8) })),
    }));
    this.meanAt = m.allocate(d * 8);
    this.scaleAt = m.allocate(d * 8);
    this.sumsAt = m.allocate(d * 8);
    this.thetaAt = m.allocate(this.stride * 8);
    this.hessianAt = m.allocate(P * P * 8);
    this.residualAt = m.allocate(BLOCK * 8);
    for (const r of reserved) {
      const evaluation = (e: { gradientAt: number; curvatureAt: number }): Evaluation => ({ objective: 0, gradient: m.f64(e.gradientAt, P), ...e });
      this.slots.push({ labelsAt: r.labelsAt, weightsAt: r.weightsAt, evaluations: [evaluation(r.evaluations[0]!), evaluation(r.evaluations[1]!)] });
    }
  }

  /**
   * Copies the rows of `X` into the design's place and learns their standardisation: column means and population
   * standard deviations (1 for a constant or non-finite column), summed in row order. The returned arrays are views
   * of the kernel memory: {@link layOut} uses them as they are when it runs.
   */
  loadRows(X: DenseMatrix): { mean: Float64Array; scale: Float64Array } {
    const { rows: n, data } = X;
    const { d, memory: m } = this;
    m.f64(this.designAt, n * d).set(data);
    const { mean, scale } = this.standardisation();
    scale.fill(1);
    if (n > 0) {
      const k = m.kernels;
      const sums = m.f64(this.sumsAt, d);
      k.columnSums(this.designAt, n, d, this.sumsAt);
      for (let j = 0; j < d; j++) mean[j] = sums[j]! / n;
      k.columnSquares(this.designAt, n, d, this.meanAt, this.sumsAt);
      for (let j = 0; j < d; j++) {
        const s = Math.sqrt(sums[j]! / n);
        if (s > 0 && Number.isFinite(s)) scale[j] = s;
      }
    }
    return { mean, scale };
  }

  /** The means and scales of {@link loadRows} (views of the kernel memory). */
  standardisation(): { mean: Float64Array; scale: Float64Array } {
    return { mean: this.memory.f64(this.meanAt, this.d), scale: this.memory.f64(this.scaleAt, this.d) };
  }

  /**
   * Replaces the loaded rows by the augmented design (standardised features, then a column of ones for the
   * intercept), row-major, `stride` float64 per row.
   */
  layOut(rows: number, withIntercept: boolean): void {
    this.memory.kernels.designRows(this.designAt, rows, this.d, 1, this.meanAt, this.scaleAt, withIntercept ? 1 : 0, this.designAt, this.stride);
  }

  /**
   * The design's every `step`-th row (slot 0: all rows, step 1; slot 1: the warm start's sample) with the labels
   * and the weights, multiplied by `step`, of those rows.
   */
  design(slot: number, y: Uint8Array, w: Float64Array, step: number): Design {
    const { labelsAt, weightsAt, evaluations } = this.slots[slot]!;
    const n = Math.ceil(y.length / step);
    const labels = this.memory.u8(labelsAt, n);
    const weights = this.memory.f64(weightsAt, n);
    let totalWeight = 0;
    let positiveWeight = 0;
    for (let r = 0; r < n; r++) {
      const i = r * step;
      labels[r] = y[i]!;
      weights[r] = w[i]! * step;
      totalWeight += weights[r]!;
      positiveWeight += weights[r]! * y[i]!;
    }
    return { at: this.designAt, step, labelsAt, weightsAt, rows: n, totalWeight, positiveWeight, evaluations };
  }

  /** f and ∇f at `theta` into `out` (and each row's curvature into the kernel memory). */
  evaluate(design: Design, lambda: Float64Array, theta: Float64Array, out: Evaluation): void {
    const P = this.P;
    this.memory.f64(this.thetaAt, P).set(theta);
    let objective = this.memory.kernels.evaluate(
      design.at,
      design.labelsAt,
      design.weightsAt,
      design.rows,
      P,
      this.stride,
      design.step,
      this.thetaAt,
      out.gradientAt,
      out.curvatureAt,
      this.residualAt,
    );
    const g = out.gradient;
    for (let k = 0; k < P; k++) {
      const t = theta[k]!;
      objective += 0.5 * lambda[k]! * t * t;
      g[k]! += lambda[k]! * t;
    }
    out.objective = objective;
  }

  /** ∇²f = Zᵀ diag(curvature) Z + diag(λ) at the point of `at` into {@link hessianView} (upper triangle). */
  hessian(design: Design, at: Evaluation, lambda: Float64Array): void {
    const P = this.P;
    this.memory.kernels.hessian(design.at, at.curvatureAt, design.rows, P, this.stride, design.step, this.hessianAt);
    const H = this.hessianView();
    for (let k = 0; k < P; k++) H[k * P + k]! += lambda[k]!;
  }

  /** The Hessian, row-major `P` x `P` (upper triangle; the lower one is 0). */
  hessianView(): Float64Array {
    return this.memory.f64(this.hessianAt, this.P * this.P);
  }

  /** Hands the memory to the next fit on this thread (see `KernelMemory.release`). */
  release(): void {
    this.memory.release();
  }
}

function maxAbs(values: Float64Array): number {
  let m = 0;
  for (let k = 0; k < values.length; k++) m = Math.max(m, Math.abs(values[k]!));
  return m;
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
