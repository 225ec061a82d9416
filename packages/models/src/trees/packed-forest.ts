import { MlsdError, type DenseMatrix } from '@mlsd/data';
import type { CompactTree } from './compact-tree.js';

/**
 * All trees of an ensemble in one set of typed arrays, laid out for prediction (built from the stored
 * {@link CompactTree}s at fit or load time; artifacts keep the per-tree layout).
 *
 * Each tree's nodes are renumbered breadth-first so that the right child of node `n` is `left[n] + 1`: a walk
 * step is `n = left[n] + (x[feature[n]] > threshold[n])`, with no branch on the data. A leaf points to itself
 * (`left[n] === n`, `threshold[n] = +Infinity`, `feature[n] = 0`), so a walk can take a fixed number of
 * steps, `depth[t]`, the depth of tree `t`'s deepest leaf, and stay on the leaf it reached. `missingRight[n]`
 * is 1 when a missing value (NaN) goes right at `n` (the comparison alone sends NaN left).
 */
export interface PackedForest {
  /** Node index of each tree's root. */
  readonly root: Int32Array;
  /** Steps that reach a leaf from each tree's root, whatever the row: the depth of its deepest leaf. */
  readonly depth: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  /** Left child (the right child is `left[n] + 1`); a leaf holds its own index. */
  readonly left: Int32Array;
  readonly missingRight: Uint8Array;
  /** The output of a leaf (internal nodes hold the value they would have as a leaf). */
  readonly value: Float64Array;
  /**
   * `left` and `feature` in one word, `(left[n] << featureBits) | feature[n]`: the walk of rows without NaN
   * reads one array instead of two per step (about 20% faster).
   */
  readonly link: Int32Array;
  /** Bits of `link` that hold the feature: enough for the largest feature index used. */
  readonly featureBits: number;
}

/** Rows per block: a block's rows stay in cache while every tree walks them. */
const BLOCK_ROWS = 512;
/** Rows walked through a tree together: independent walks let the CPU overlap their memory loads. */
const LANES = 8;
/**
 * Trees deeper than this stop a group of walks once all of them are on a leaf (checked every 4 steps) rather
 * than always taking `depth` steps: an unlimited-depth forest tree is ~30 deep but most paths end near 16.
 */
const EARLY_EXIT_DEPTH = 8;

/**
 * Packs `trees` (in order) into one {@link PackedForest}. The trees must be well-formed, as `decodeTree`
 * checks: a node reached twice throws `INVALID_INPUT` (nodes no walk reaches are left out of every walk).
 */
export function packForest(trees: readonly CompactTree[]): PackedForest {
  let total = 0;
  for (const tree of trees) total += tree.feature.length;
  const root = new Int32Array(trees.length);
  const depth = new Int32Array(trees.length);
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const left = new Int32Array(total);
  const missingRight = new Uint8Array(total);
  const value = new Float64Array(total);
  let maxFeature = 0;
  for (const tree of trees) for (const f of tree.feature) if (f > maxFeature) maxFeature = f;
  const featureBits = 32 - Math.clz32(maxFeature);
  if (total * 2 ** featureBits > 2 ** 31) {
    throw new MlsdError(
      'INVALID_INPUT',
      `packForest: ${total} nodes over features up to ${maxFeature} do not fit the 31-bit node links (nodes x 2^${featureBits} must stay below 2^31); predict with fewer or smaller trees, or split the forest.`,
      { location: { field: 'trees' } },
    );
  }
  let base = 0;
  for (let t = 0; t < trees.length; t++) {
    const tree = trees[t]!;
    const n = tree.feature.length;
    // Breadth-first queue of old node ids; a node's new id is base + its position in the queue.
    const order = new Int32Array(n);
    const level = new Int32Array(n);
    let queued = 1;
    let deepest = 0;
    for (let q = 0; q < queued; q++) {
      const old = order[q]!;
      const id = base + q;
      value[id] = tree.value[old]!;
      const f = tree.feature[old]!;
      if (f < 0) {
        threshold[id] = Infinity;
        left[id] = id;
        if (level[old]! > deepest) deepest = level[old]!;
        continue;
      }
      if (queued + 2 > n) {
        throw new MlsdError(
          'INVALID_INPUT',
          `Tree ${t} is not a tree: walking it from the root reaches more than its ${n} nodes (a node with two parents). Build it with the tree learner or load it with decodeTree.`,
          { location: { field: `trees[${t}]` } },
        );
      }
      feature[id] = f;
      threshold[id] = tree.threshold[old]!;
      missingRight[id] = tree.defaultLeft[old] === 0 ? 1 : 0;
      left[id] = base + queued;
      const l = tree.left[old]!;
      const r = tree.right[old]!;
      level[l] = level[old]! + 1;
      level[r] = level[old]! + 1;
      order[queued++] = l;
      order[queued++] = r;
    }
    root[t] = base;
    depth[t] = deepest;
    base += n;
  }
  const link = new Int32Array(total);
  for (let n = 0; n < total; n++) link[n] = (left[n]! << featureBits) | feature[n]!;
  return { root, depth, feature, threshold, left, missingRight, value, link, featureBits };
}

/**
 * Adds `scale` times each tree's output to `out[r]` for every row `r` of `X`, trees in order (so the sums are
 * bit-identical to walking the trees one by one). No allocation per row.
 */
export function addPackedOutputs(forest: PackedForest, X: DenseMatrix, out: Float64Array, scale = 1): void {
  const { data, rows, cols } = X;
  for (let start = 0; start < rows; start += BLOCK_ROWS) {
    const end = Math.min(rows, start + BLOCK_ROWS);
    if (hasMissing(data, start * cols, end * cols)) addBlockWithMissing(forest, data, cols, start, end, out, scale);
    else addBlock(forest, data, cols, start, end, out, scale);
  }
}

function hasMissing(data: Float64Array | Float32Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (data[k] !== data[k]) return true;
  return false;
}

/** Rows `start..end` without NaN: `LANES` branch-free walks at a time. */
function addBlock(
  forest: PackedForest,
  data: Float64Array | Float32Array,
  cols: number,
  start: number,
  end: number,
  out: Float64Array,
  scale: number,
): void {
  const { root, depth, threshold, left, value, link, featureBits } = forest;
  const mask = (1 << featureBits) - 1;
  for (let t = 0; t < root.length; t++) {
    const n0 = root[t]!;
    const steps = depth[t]!;
    const early = steps > EARLY_EXIT_DEPTH;
    let r = start;
    for (; r + LANES <= end; r += LANES) {
      const b0 = r * cols;
      const b1 = b0 + cols;
      const b2 = b1 + cols;
      const b3 = b2 + cols;
      const b4 = b3 + cols;
      const b5 = b4 + cols;
      const b6 = b5 + cols;
      const b7 = b6 + cols;
      let a0 = n0;
      let a1 = n0;
      let a2 = n0;
      let a3 = n0;
      let a4 = n0;
      let a5 = n0;
      let a6 = n0;
      let a7 = n0;
      for (let s = 1; s <= steps; s++) {
        // `+(x > t)` compiles to a flag read (setcc), not a branch that would mispredict half the time.
        const k0 = link[a0]!;
        const k1 = link[a1]!;
        const k2 = link[a2]!;
        const k3 = link[a3]!;
        const k4 = link[a4]!;
        const k5 = link[a5]!;
        const k6 = link[a6]!;
        const k7 = link[a7]!;
        a0 = (k0 >> featureBits) + +(data[b0 + (k0 & mask)]! > threshold[a0]!);
        a1 = (k1 >> featureBits) + +(data[b1 + (k1 & mask)]! > threshold[a1]!);
        a2 = (k2 >> featureBits) + +(data[b2 + (k2 & mask)]! > threshold[a2]!);
        a3 = (k3 >> featureBits) + +(data[b3 + (k3 & mask)]! > threshold[a3]!);
        a4 = (k4 >> featureBits) + +(data[b4 + (k4 & mask)]! > threshold[a4]!);
        a5 = (k5 >> featureBits) + +(data[b5 + (k5 & mask)]! > threshold[a5]!);
        a6 = (k6 >> featureBits) + +(data[b6 + (k6 & mask)]! > threshold[a6]!);
        a7 = (k7 >> featureBits) + +(data[b7 + (k7 & mask)]! > threshold[a7]!);
        if (
          early &&
          (s & 3) === 0 &&
          left[a0] === a0 &&
          left[a1] === a1 &&
          left[a2] === a2 &&
          left[a3] === a3 &&
          left[a4] === a4 &&
          left[a5] === a5 &&
          left[a6] === a6 &&
          left[a7] === a7
        ) {
          break;
        }
      }
      out[r]! += scale * value[a0]!;
      out[r + 1]! += scale * value[a1]!;
      out[r + 2]! += scale * value[a2]!;
      out[r + 3]! += scale * value[a3]!;
      out[r + 4]! += scale * value[a4]!;
      out[r + 5]! += scale * value[a5]!;
      out[r + 6]! += scale * value[a6]!;
      out[r + 7]! += scale * value[a7]!;
    }
    for (let b = r * cols; r < end; r++, b += cols) {
      let a = n0;
      for (let s = 0; s < steps; s++) {
        const k = link[a]!;
        a = (k >> featureBits) + +(data[b + (k & mask)]! > threshold[a]!);
      }
      out[r]! += scale * value[a]!;
    }
  }
}

/** Rows `start..end` of a block holding a NaN: one walk at a time, missing values sent per `missingRight`. */
function addBlockWithMissing(
  forest: PackedForest,
  data: Float64Array | Float32Array,
  cols: number,
  start: number,
  end: number,
  out: Float64Array,
  scale: number,
): void {
  const { root, depth, feature, threshold, left, missingRight, value } = forest;
  for (let t = 0; t < root.length; t++) {
    const n0 = root[t]!;
    const steps = depth[t]!;
    for (let r = start, b = start * cols; r < end; r++, b += cols) {
      let a = n0;
      for (let s = 0; s < steps; s++) {
        const v = data[b + feature[a]!]!;
        a = left[a]! + (v > threshold[a]! ? 1 : v !== v ? missingRight[a]! : 0);
      }
      out[r]! += scale * value[a]!;
    }
  }
}
