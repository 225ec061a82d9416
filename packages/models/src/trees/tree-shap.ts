import type { DenseMatrix } from '@mlsd/data';
import { treeDepth, type CompactTree } from './compact-tree.js';
import { elementShare, extendWeights, offPathWeightSum, reciprocals } from './shap-path-weights.js';
import { ShapTables } from './tree-shap-tables.js';

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
 * over the training covers: polynomial time instead of the 2^F subsets of the Shapley formula. Small enough trees
 * (the boosted trees of `fraud train`) are explained from per-leaf tables built on the first call (`ShapTables`),
 * others by the algorithm's recursion; both give the same values up to rounding.
 *
 * Returns a row-major `X.rows` x (`X.cols` + 1) matrix: `scale` times the trees' contributions per feature, and
 * in the last column `bias + scale · Σ treeExpectation`. For each row the columns sum to
 * `bias + scale · Σ tree outputs`, the model's raw output.
 */
export function treeShapContributions(trees: readonly CompactTree[], X: DenseMatrix, scale: number, bias: number): Float64Array {
  const ensemble = ensembleOf(trees);
  if (ensemble.tables === null) ensemble.tables = ShapTables.build(trees);
  const tables = ensemble.tables;
  if (tables === undefined) return treeShapByRecursion(trees, X, scale, bias);
  const { rows, cols, data } = X;
  const width = cols + 1;
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    tables.add(data, r * cols, out, r * width, scale);
    out[r * width + cols] = bias + scale * ensemble.expected;
  }
  return out;
}

/** {@link treeShapContributions} by Algorithm 2's recursion alone, tree by tree (what the tables are checked against). */
export function treeShapByRecursion(trees: readonly CompactTree[], X: DenseMatrix, scale: number, bias: number): Float64Array {
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

/**
 * Per tree ensemble: its expected output (sum of the trees' expectations), a path buffer deep enough for it, and its
 * lookup tables (null until the first explanation builds them, undefined when they would be too large).
 */
interface Ensemble {
  readonly expected: number;
  readonly path: PathBuffer;
  tables: ShapTables | undefined | null;
}

const ensembles = new WeakMap<readonly CompactTree[], Ensemble>();

/**
 * The expectation and path buffer of `trees`, computed on the first explanation and kept while the array lives (a
 * fitted model's trees do not change): a service explaining one event at a time walked every tree twice per event
 * for them.
 */
function ensembleOf(trees: readonly CompactTree[]): Ensemble {
  let ensemble = ensembles.get(trees);
  if (ensemble === undefined) {
    let expected = 0;
    let maxDepth = 0;
    for (const tree of trees) {
      expected += treeExpectation(tree);
      maxDepth = Math.max(maxDepth, treeDepth(tree));
    }
    ensemble = { expected, path: new PathBuffer(maxDepth), tables: null };
    ensembles.set(trees, ensemble);
  }
  return ensemble;
}

/**
 * The "unique path" of Algorithm 2 as struct-of-arrays: each recursion level gets its own slice (copied from
 * its parent's), so no objects are allocated while explaining a row. The weights' arithmetic is
 * `shap-path-weights.ts`.
 */
class PathBuffer {
  private readonly feature: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly weight: Float64Array;
  /** `inverse[k]` is 1 / k, for k from 1 to the deepest path length plus one. */
  private readonly inverse: Float64Array;
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
    this.inverse = reciprocals(maxDepth + 3);
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
    const { feature, zero, one, weight } = this;
    const start = parentStart + depth + 1;
    // A plain loop: the paths are a few elements long, too short for copyWithin's call overhead to pay off.
    for (let i = 0; i < depth; i++) {
      feature[start + i] = feature[parentStart + i]!;
      zero[start + i] = zero[parentStart + i]!;
      one[start + i] = one[parentStart + i]!;
      weight[start + i] = weight[parentStart + i]!;
    }
    this.extend(start, depth, zeroFraction, oneFraction, featureIndex);
    const split = tree.feature[node]!;
    if (split < 0) {
      const leafValue = tree.value[node]! * this.scale;
      const phi = this.phi;
      const phiBase = this.phiBase;
      const offPath = offPathWeightSum(weight, start, depth, this.inverse);
      for (let i = 1; i <= depth; i++) {
        const k = start + i;
        phi[phiBase + feature[k]!]! += elementShare(weight, start, depth, zero[k]!, one[k]!, this.inverse, offPath) * leafValue;
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
    while (pathIndex <= uniqueDepth && feature[start + pathIndex] !== split) pathIndex++;
    if (pathIndex <= uniqueDepth) {
      incomingZero = zero[start + pathIndex]!;
      incomingOne = one[start + pathIndex]!;
      this.unwind(start, uniqueDepth, pathIndex);
      uniqueDepth--;
    }
    this.recurse(hot, uniqueDepth + 1, start, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, uniqueDepth + 1, start, coldZero * incomingZero, 0, split);
  }

  /** EXTEND: adds a feature with fractions (z, o) to the path of `depth` elements at `start`. */
  private extend(start: number, depth: number, zeroFraction: number, oneFraction: number, featureIndex: number): void {
    const k = start + depth;
    this.feature[k] = featureIndex;
    this.zero[k] = zeroFraction;
    this.one[k] = oneFraction;
    extendWeights(this.weight, start, depth, zeroFraction, oneFraction, this.inverse);
  }

  /** UNWIND: removes element `index` from the path of `depth + 1` elements at `start`. */
  private unwind(start: number, depth: number, index: number): void {
    const one = this.one[start + index]!;
    const zero = this.zero[start + index]!;
    const w = this.weight;
    const inverse = this.inverse;
    const length = depth + 1;
    const byLength = inverse[length]!;
    let next = w[start + depth]!;
    if (one !== 0) {
      const byOne = length / one;
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = w[start + i]!;
        const wi = next * byOne * inverse[i + 1]!;
        w[start + i] = wi;
        next = tmp - wi * zero * (depth - i) * byLength;
      }
    } else {
      const byZero = length / zero;
      for (let i = depth - 1; i >= 0; i--) w[start + i] = w[start + i]! * byZero * inverse[depth - i]!;
    }
    const { feature, zero: zeros, one: ones } = this;
    for (let i = index; i < depth; i++) {
      feature[start + i] = feature[start + i + 1]!;
      zeros[start + i] = zeros[start + i + 1]!;
      ones[start + i] = ones[start + i + 1]!;
    }
  }
}
