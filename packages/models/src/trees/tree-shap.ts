import type { DenseMatrix } from '@mlsd/data';
import { treeDepth, type CompactTree } from './compact-tree.js';

/**
 * The expected output of a tree over its training data: the cover-weighted mean of its leaf values, computed
 * bottom-up (a leaf is its value; a node is the cover-weighted mean of its children). This is the SHAP bias.
 */
export function treeExpectation(tree: CompactTree, node = 0): number {
  const { feature, left, right, cover, value } = tree;
  if (feature[node]! < 0) return value[node]!;
  const l = left[node]!;
  const r = right[node]!;
  return (cover[l]! * treeExpectation(tree, l) + cover[r]! * treeExpectation(tree, r)) / (cover[l]! + cover[r]!);
}

/**
 * Exact SHAP feature contributions of a sum of trees, by TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent
 * Individualized Feature Attribution for Tree Ensembles", Algorithm 2), the conditional expectations taken
 * over the training covers: polynomial time instead of the 2^F subsets of the Shapley formula.
 *
 * Returns a row-major `X.rows` x (`X.cols` + 1) matrix: `scale` times the trees' contributions per feature, and
 * in the last column `bias + scale · Σ treeExpectation`. For each row the columns sum to
 * `bias + scale · Σ tree outputs`, the model's raw output.
 */
export function treeShapContributions(trees: readonly CompactTree[], X: DenseMatrix, scale: number, bias: number): Float64Array {
  const { rows, cols, data } = X;
  const width = cols + 1;
  const out = new Float64Array(rows * width);
  const { expected, path } = ensembleOf(trees);
  for (let r = 0; r < rows; r++) {
    const phiBase = r * width;
    for (const tree of trees) {
      path.run(tree, data, r * cols, out, phiBase, scale);
    }
    out[phiBase + cols] = bias + scale * expected;
  }
  return out;
}

/** Per tree ensemble: its expected output (sum of the trees' expectations) and a path buffer deep enough for it. */
const ensembles = new WeakMap<readonly CompactTree[], { readonly expected: number; readonly path: PathBuffer }>();

/**
 * The expectation and path buffer of `trees`, computed on the first explanation and kept while the array lives (a
 * fitted model's trees do not change): a service explaining one event at a time walked every tree twice per event
 * for them.
 */
function ensembleOf(trees: readonly CompactTree[]): { readonly expected: number; readonly path: PathBuffer } {
  let ensemble = ensembles.get(trees);
  if (ensemble === undefined) {
    let expected = 0;
    let maxDepth = 0;
    for (const tree of trees) {
      expected += treeExpectation(tree);
      maxDepth = Math.max(maxDepth, treeDepth(tree));
    }
    ensemble = { expected, path: new PathBuffer(maxDepth) };
    ensembles.set(trees, ensemble);
  }
  return ensemble;
}

/**
 * The "unique path" of Algorithm 2 as struct-of-arrays: each recursion level gets its own slice (copied from
 * its parent's), so no objects are allocated while explaining a row.
 */
class PathBuffer {
  private readonly feature: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly weight: Float64Array;
  private tree: CompactTree | null = null;
  private x: Float64Array | Float32Array = new Float64Array(0);
  private xBase = 0;
  private phi: Float64Array = new Float64Array(0);
  private phiBase = 0;
  private scale = 1;

  constructor(maxDepth: number) {
    // Level d holds d + 1 elements and starts after the levels above it: under (D + 3)(D + 4) / 2 in all.
    const size = ((maxDepth + 3) * (maxDepth + 4)) / 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }

  /** Adds `scale` times the contributions of `tree` for the row at `x[xBase..]` into `phi[phiBase..]`. */
  run(tree: CompactTree, x: Float64Array | Float32Array, xBase: number, phi: Float64Array, phiBase: number, scale: number): void {
    this.tree = tree;
    this.x = x;
    this.xBase = xBase;
    this.phi = phi;
    this.phiBase = phiBase;
    this.scale = scale;
    this.recurse(0, 0, 0, 1, 1, -1);
  }

  /**
   * RECURSE(j, m, p_z, p_o, p_i) of Algorithm 2, laid out as in XGBoost's implementation: the path of this call
   * (`depth + 1` elements, element 0 being the root's placeholder) starts right after its parent's, which
   * begins at `parentStart`.
   */
  private recurse(node: number, depth: number, parentStart: number, zeroFraction: number, oneFraction: number, featureIndex: number): void {
    const tree = this.tree!;
    const start = parentStart + depth + 1;
    // A plain loop: the paths are a few elements long, too short for copyWithin's call overhead to pay off.
    for (let i = 0; i < depth; i++) {
      this.feature[start + i] = this.feature[parentStart + i]!;
      this.zero[start + i] = this.zero[parentStart + i]!;
      this.one[start + i] = this.one[parentStart + i]!;
      this.weight[start + i] = this.weight[parentStart + i]!;
    }
    this.extend(start, depth, zeroFraction, oneFraction, featureIndex);
    const split = tree.feature[node]!;
    if (split < 0) {
      const leafValue = tree.value[node]! * this.scale;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(start, depth, i);
        const k = start + i;
        this.phi[this.phiBase + this.feature[k]!]! += w * (this.one[k]! - this.zero[k]!) * leafValue;
      }
      return;
    }
    const v = this.x[this.xBase + split]!;
    const t = tree.threshold[node]!;
    const goLeft = v <= t || (!(v > t) && tree.defaultLeft[node] === 1);
    const hot = goLeft ? tree.left[node]! : tree.right[node]!;
    const cold = goLeft ? tree.right[node]! : tree.left[node]!;
    const cover = tree.cover[node]!;
    const hotZero = tree.cover[hot]! / cover;
    const coldZero = tree.cover[cold]! / cover;
    let incomingZero = 1;
    let incomingOne = 1;
    let uniqueDepth = depth;
    // A feature already on the path is undone, so it is counted once with the product of its fractions.
    let pathIndex = 0;
    while (pathIndex <= uniqueDepth && this.feature[start + pathIndex] !== split) pathIndex++;
    if (pathIndex <= uniqueDepth) {
      incomingZero = this.zero[start + pathIndex]!;
      incomingOne = this.one[start + pathIndex]!;
      this.unwind(start, uniqueDepth, pathIndex);
      uniqueDepth--;
    }
    this.recurse(hot, uniqueDepth + 1, start, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, uniqueDepth + 1, start, coldZero * incomingZero, 0, split);
  }

  /** EXTEND: adds a feature with fractions (z, o) to the path of `depth` elements at `start`. */
  private extend(start: number, depth: number, zero: number, one: number, feature: number): void {
    const k = start + depth;
    this.feature[k] = feature;
    this.zero[k] = zero;
    this.one[k] = one;
    this.weight[k] = depth === 0 ? 1 : 0;
    const w = this.weight;
    for (let i = depth - 1; i >= 0; i--) {
      w[start + i + 1]! += (one * w[start + i]! * (i + 1)) / (depth + 1);
      w[start + i] = (zero * w[start + i]! * (depth - i)) / (depth + 1);
    }
  }

  /** UNWIND: removes element `index` from the path of `depth + 1` elements at `start`. */
  private unwind(start: number, depth: number, index: number): void {
    const one = this.one[start + index]!;
    const zero = this.zero[start + index]!;
    const w = this.weight;
    let next = w[start + depth]!;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = w[start + i]!;
        w[start + i] = (next * (depth + 1)) / ((i + 1) * one);
        next = tmp - (w[start + i]! * zero * (depth - i)) / (depth + 1);
      } else {
        w[start + i] = (w[start + i]! * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      this.feature[start + i] = this.feature[start + i + 1]!;
      this.zero[start + i] = this.zero[start + i + 1]!;
      this.one[start + i] = this.one[start + i + 1]!;
    }
  }

  /** The total permutation weight of the path if element `index` were unwound (without changing the path). */
  private unwoundSum(start: number, depth: number, index: number): number {
    const one = this.one[start + index]!;
    const zero = this.zero[start + index]!;
    const w = this.weight;
    let next = w[start + depth]!;
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = (next * (depth + 1)) / ((i + 1) * one);
        total += tmp;
        next = w[start + i]! - (tmp * zero * (depth - i)) / (depth + 1);
      } else if (zero !== 0) {
        total += w[start + i]! / zero / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }
}
