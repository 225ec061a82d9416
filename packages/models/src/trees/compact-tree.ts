import { MlsdError, type DenseMatrix } from '@mlsd/data';
import { decodeTypedArray, encodeTypedArray, type EncodedTypedArray } from '../artifact/typed-array-codec.js';

/**
 * One fitted decision tree as parallel typed arrays over its nodes; node 0 is the root.
 *
 * At an internal node `n`, a row goes to `left[n]` when its value of `feature[n]` is `<= threshold[n]`, to
 * `right[n]` when it is greater, and to the `defaultLeft[n]` side (1 = left) when it is missing (NaN).
 * At a leaf `feature[n] === -1` and `value[n]` is the output (internal nodes also carry the value the node
 * would have as a leaf). `cover[n]` is the training hessian sum that reached the node (the weighted row
 * count for a random forest); TreeSHAP uses it as the data distribution.
 */
export interface CompactTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly defaultLeft: Uint8Array;
  readonly cover: Float64Array;
}

/** The leaf a row reaches: `data[base + feature]` is the row's value of a feature. */
export function leafOf(tree: CompactTree, data: Float64Array | Float32Array, base: number): number {
  const { feature, threshold, left, right, defaultLeft } = tree;
  let node = 0;
  let f = feature[0]!;
  while (f >= 0) {
    const v = data[base + f]!;
    const t = threshold[node]!;
    node = v <= t ? left[node]! : v > t || defaultLeft[node] === 0 ? right[node]! : left[node]!;
    f = feature[node]!;
  }
  return node;
}

/** Adds `scale` times each tree's output to `out[r]` for every row `r` of `X` (no allocation per row). */
export function addTreeOutputs(trees: readonly CompactTree[], X: DenseMatrix, out: Float64Array, scale = 1): void {
  const { data, rows, cols } = X;
  // Rows in blocks, trees inside: a block of rows stays in cache while every tree walks it.
  const block = 512;
  for (let start = 0; start < rows; start += block) {
    const end = Math.min(rows, start + block);
    for (const tree of trees) {
      const { feature, threshold, left, right, defaultLeft, value } = tree;
      for (let r = start, base = start * cols; r < end; r++, base += cols) {
        let node = 0;
        let f = feature[0]!;
        while (f >= 0) {
          const v = data[base + f]!;
          const t = threshold[node]!;
          node = v <= t ? left[node]! : v > t || defaultLeft[node] === 0 ? right[node]! : left[node]!;
          f = feature[node]!;
        }
        out[r]! += scale * value[node]!;
      }
    }
  }
}

/** The depth of the deepest leaf (0 for a single leaf). */
export function treeDepth(tree: CompactTree, node = 0): number {
  if (tree.feature[node]! < 0) return 0;
  return 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

/** A tree in an artifact: each array encoded with the shared typed-array codec. */
export interface EncodedTree {
  readonly feature: EncodedTypedArray;
  readonly threshold: EncodedTypedArray;
  readonly left: EncodedTypedArray;
  readonly right: EncodedTypedArray;
  readonly value: EncodedTypedArray;
  readonly defaultLeft: EncodedTypedArray;
  readonly cover: EncodedTypedArray;
}

/** Encodes a tree for an artifact (exact, bit for bit). */
export function encodeTree(tree: CompactTree): EncodedTree {
  return {
    feature: encodeTypedArray(tree.feature),
    threshold: encodeTypedArray(tree.threshold),
    left: encodeTypedArray(tree.left),
    right: encodeTypedArray(tree.right),
    value: encodeTypedArray(tree.value),
    defaultLeft: encodeTypedArray(tree.defaultLeft),
    cover: encodeTypedArray(tree.cover),
  };
}

/**
 * Decodes what {@link encodeTree} wrote and checks that it is a well-formed tree over `featureCount` features:
 * equal array lengths, children after their parent (so every walk ends), one parent per node, features in range.
 * `field` names the tree in errors (e.g. `state.trees[3]`); throws `CORRUPT_ARTIFACT`.
 */
export function decodeTree(encoded: unknown, featureCount: number, field: string): CompactTree {
  if (encoded === null || typeof encoded !== 'object') {
    throw new MlsdError('CORRUPT_ARTIFACT', `Artifact field ${field} is not a tree. Re-create the artifact with toJSON().`, {
      location: { field },
    });
  }
  const e = encoded as Record<string, unknown>;
  const feature = decodeTypedArray(e.feature, 'int32', `${field}.feature`);
  const n = feature.length;
  const tree: CompactTree = {
    feature,
    threshold: decodeTypedArray(e.threshold, 'float64', `${field}.threshold`, n),
    left: decodeTypedArray(e.left, 'int32', `${field}.left`, n),
    right: decodeTypedArray(e.right, 'int32', `${field}.right`, n),
    value: decodeTypedArray(e.value, 'float64', `${field}.value`, n),
    defaultLeft: decodeTypedArray(e.defaultLeft, 'uint8', `${field}.defaultLeft`, n),
    cover: decodeTypedArray(e.cover, 'float64', `${field}.cover`, n),
  };
  // Each node but the root has one parent: shared children would make a graph, not a tree.
  const parents = new Uint8Array(n);
  for (let node = 0; node < n; node++) {
    const f = tree.feature[node]!;
    if (f === -1) continue;
    const l = tree.left[node]!;
    const r = tree.right[node]!;
    if (f < -1 || f >= featureCount || l <= node || r <= node || l >= n || r >= n || l === r || parents[l]!++ > 0 || parents[r]!++ > 0) {
      throw new MlsdError(
        'CORRUPT_ARTIFACT',
        `Artifact field ${field} has a malformed node ${node} (feature ${f}, children ${l}, ${r}, ${n} nodes). Re-create the artifact with toJSON().`,
        { location: { field } },
      );
    }
  }
  if (n === 0) {
    throw new MlsdError('CORRUPT_ARTIFACT', `Artifact field ${field} has no nodes. Re-create the artifact with toJSON().`, {
      location: { field },
    });
  }
  return tree;
}
