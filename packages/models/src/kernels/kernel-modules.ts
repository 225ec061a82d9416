import type { KernelModule } from './kernel-memory.js';
import {
  BINNING_WASM_BASE64,
  DENSE_LAYER_WASM_BASE64,
  FOREST_WALK_WASM_BASE64,
  LOGISTIC_REGRESSION_WASM_BASE64,
  TREE_GROWTH_WASM_BASE64,
} from './wasm-binaries.js';

/** The functions of `assembly/forest-walk.ts`; pointers are byte offsets into the kernel memory. */
export interface ForestWalkExports {
  setForest(
    treeCount: number,
    root: number,
    depth: number,
    link: number,
    threshold: number,
    feature: number,
    left: number,
    missingRight: number,
    value: number,
    featureBits: number,
  ): void;
  addForestOutputs(data: number, cols: number, rowCount: number, out: number, scale: number): void;
}

/** The functions of `assembly/tree-growth.ts`; pointers are byte offsets into the kernel memory. */
export interface TreeGrowthExports {
  buildHistogram(
    hist: number,
    rowIndex: number,
    start: number,
    end: number,
    rowWords: number,
    wordsPerRow: number,
    grad: number,
    hess: number,
    withCounts: number,
  ): void;
  copyCounts(to: number, from: number, slots: number): void;
  packRowWords(bins: number, rows: number, cols: number, words: number, wordsPerRow: number): void;
  sumRows(rowIndex: number, count: number, grad: number, hess: number, result: number): number;
  logisticGradients(margin: number, labels: number, weight: number, grad: number, hess: number, n: number): void;
  addToRows(margin: number, rowIndex: number, start: number, end: number, value: number): void;
  subtractHistogram(parent: number, child: number, features: number, featureCount: number, valueBins: number): void;
  partitionRows(rowIndex: number, scratch: number, start: number, end: number, column: number, splitBin: number, missingLeft: number): number;
  findBestSplit(
    hist: number,
    candidates: number,
    candidateCount: number,
    valueBins: number,
    G: number,
    H: number,
    C: number,
    lambda: number,
    minChildWeight: number,
    minSamplesLeaf: number,
    startScore: number,
    result: number,
  ): void;
}

/** The function of `assembly/dense-layer.ts`; pointers are byte offsets into the kernel memory. */
export interface DenseLayerExports {
  denseLayer(input: number, rows: number, inputs: number, kernel: number, bias: number, outputs: number, output: number): void;
}

/** The functions of `assembly/binning.ts`; pointers are byte offsets into the kernel memory. */
export interface BinningExports {
  sortColumn(column: number, rows: number, labels: number, positivesOnly: number, out: number, scratch: number, table: number): number;
  countDistinct(sorted: number, m: number, distinct: number, counts: number): number;
  binColumn(column: number, rows: number, f: number, cols: number, edges: number, first: number, bins: number, columns: number): void;
  cumulativeCounts(distinct: number, counts: number, d: number, positives: number, p: number, rowsUpTo: number, positivesUpTo: number): void;
  bestCut(rowsUpTo: number, positivesUpTo: number, a: number, b: number, result: number): void;
}

/** The functions of `assembly/logistic-regression.ts`; pointers are byte offsets into the kernel memory. */
export interface LogisticRegressionExports {
  columnSums(X: number, n: number, d: number, out: number): void;
  columnSquares(X: number, n: number, d: number, mean: number, out: number): void;
  designRows(X: number, n: number, d: number, step: number, mean: number, scale: number, intercept: number, Z: number, stride: number): void;
  evaluate(
    Z: number,
    labels: number,
    weights: number,
    rows: number,
    P: number,
    stride: number,
    step: number,
    theta: number,
    gradient: number,
    curvature: number,
    residual: number,
  ): number;
  hessian(Z: number, curvature: number, rows: number, P: number, stride: number, step: number, H: number): void;
}

let forestWalk: KernelModule<ForestWalkExports> | null = null;
let treeGrowth: KernelModule<TreeGrowthExports> | null = null;
let denseLayer: KernelModule<DenseLayerExports> | null = null;
let binning: KernelModule<BinningExports> | null = null;
let logisticRegression: KernelModule<LogisticRegressionExports> | null = null;

// Each module is compiled once per thread (a few kilobytes: synchronous compilation takes well under 1 ms).

/** A kernel module compiled from its base64 WebAssembly; `shared` when its memory is shared with helper threads. */
function compiled<E>(base64: string, shared: boolean): KernelModule<E> {
  return { module: new WebAssembly.Module(Buffer.from(base64, 'base64')), shared };
}

/** The forest-walk kernel (its memory is shared, so helper threads can walk the same rows). */
export function forestWalkKernel(): KernelModule<ForestWalkExports> {
  forestWalk ??= compiled(FOREST_WALK_WASM_BASE64, true);
  return forestWalk;
}

/** The tree-growth kernel (histograms, split scan, partition; 128-bit SIMD). */
export function treeGrowthKernel(): KernelModule<TreeGrowthExports> {
  treeGrowth ??= compiled(TREE_GROWTH_WASM_BASE64, false);
  return treeGrowth;
}

/** The dense-layer kernel of the neural network's forward pass (128-bit SIMD). */
export function denseLayerKernel(): KernelModule<DenseLayerExports> {
  denseLayer ??= compiled(DENSE_LAYER_WASM_BASE64, false);
  return denseLayer;
}

/** The binning kernel: sort a column, count its distinct values, bin a column. */
export function binningKernel(): KernelModule<BinningExports> {
  binning ??= compiled(BINNING_WASM_BASE64, false);
  return binning;
}

/** The logistic-regression kernel: objective, gradient, curvature and Hessian passes (128-bit SIMD). */
export function logisticRegressionKernel(): KernelModule<LogisticRegressionExports> {
  logisticRegression ??= compiled(LOGISTIC_REGRESSION_WASM_BASE64, false);
  return logisticRegression;
}
