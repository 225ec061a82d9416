import { MlsdError, type DenseMatrix } from '@mlsd/data';
import type { CompactTree } from './compact-tree.js';
import { ForestKernel } from './forest-kernel.js';
import type { PackedForest } from './packed-forest-layout.js';

export type { PackedForest } from './packed-forest-layout.js';

/**
 * Bytes of rows copied into the kernel memory at a time (at least 512 rows): bounds the memory a forest keeps
 * for prediction (2 MiB: 17k rows of 15 features), while each chunk is large enough to be worth splitting
 * across helper threads (with 4k-row chunks, waking the helpers took a third of the time).
 */
const CHUNK_BYTES = 2 * 1024 * 1024;

/** The WebAssembly kernel of each forest that has predicted, created on first use and dropped with the forest. */
const kernels = new WeakMap<PackedForest, ForestKernel>();

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
 * bit-identical to walking the trees one by one). The walk runs in a WebAssembly kernel ({@link ForestKernel}),
 * in chunks of rows; no allocation per row. The forest is copied into its kernel on the first call and kept
 * with it: a packed forest is read-only once it has predicted.
 */
export function addPackedOutputs(forest: PackedForest, X: DenseMatrix, out: Float64Array, scale = 1): void {
  let kernel = kernels.get(forest);
  if (kernel === undefined) {
    kernel = new ForestKernel();
    kernel.loadForest(forest);
    kernels.set(forest, kernel);
  }
  const chunkRows = Math.max(512, Math.floor(CHUNK_BYTES / (8 * Math.max(1, X.cols))));
  for (let start = 0; start < X.rows; start += chunkRows) {
    const end = Math.min(X.rows, start + chunkRows);
    kernel.loadRows(X, start, end);
    kernel.addOutputs(out, start, scale);
  }
}
