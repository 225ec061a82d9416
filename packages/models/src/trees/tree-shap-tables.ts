import type { CompactTree } from './compact-tree.js';
import { elementShare, extendWeights, offPathWeightSum, reciprocals } from './shap-path-weights.js';

/** Tables of at most this many numbers in all (16 MiB) are built; an ensemble needing more is explained by recursion. */
const MAX_TABLE_ENTRIES = 1 << 21;
/** A leaf whose path splits on more distinct features than this is not tabled (its table holds 2^k rows). */
const MAX_PATH_FEATURES = 12;

/**
 * TreeSHAP by lookup ("Fast TreeSHAP v2", Yang 2021): a leaf's share of the contributions depends on the row only
 * through which of its path's distinct features the row follows (the cover fractions are fixed per leaf), so for
 * every leaf and every such pattern the contributions are computed once, ahead of time, with Algorithm 2's EXTEND
 * and UNWIND. Explaining a row is then one pass over each tree's splits (which way the row goes), a bit mask per
 * leaf and a table row added: for the 100 depth-6 trees `fraud train` fits, about 40 µs a row instead of 160 µs by
 * the recursion (the serving README has the runs), after about 40 ms building the tables once. Exact, as the recursion
 * is: the same sums in another order.
 *
 * Built only when the tables stay small (at most 2^21 numbers, 12 distinct features per path: depth-6 boosted
 * trees need about 0.5 M); deeper trees, as a random forest grows, keep the recursion.
 */
export class ShapTables {
  private constructor(
    private readonly trees: readonly CompactTree[],
    /** Leaves of tree t are `leafStart[t]` to `leafStart[t + 1]` (indices into the per-leaf arrays). */
    private readonly leafStart: Int32Array,
    /** Per leaf: how many distinct features its path splits on (k), where they start in `features`, and its table. */
    private readonly width: Int32Array,
    private readonly featureStart: Int32Array,
    private readonly tableStart: Int32Array,
    /** Per leaf: its path's splits `conditionStart[l]` to `conditionStart[l + 1]`. */
    private readonly conditionStart: Int32Array,
    /** Per split on a path: the node, whether the path goes left there, and the index of its feature among the leaf's. */
    private readonly conditionNode: Int32Array,
    private readonly conditionLeft: Uint8Array,
    private readonly conditionSlot: Uint8Array,
    private readonly features: Int32Array,
    /** Per leaf, 2^k rows of k contributions: row m for the rows that follow exactly the features of the bits of m. */
    private readonly table: Float64Array,
    /** Scratch: which way the row goes at each node of the current tree. */
    private readonly goesLeft: Uint8Array,
  ) {}

  /** The tables of `trees`, or undefined when they would exceed the bounds above (explain by recursion then). */
  static build(trees: readonly CompactTree[]): ShapTables | undefined {
    const leaves: { tree: number; node: number; path: { node: number; left: boolean }[] }[] = [];
    let entries = 0;
    let maxNodes = 1;
    const leafStart = new Int32Array(trees.length + 1);
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      maxNodes = Math.max(maxNodes, tree.feature.length);
      leafStart[t] = leaves.length;
      const walk = (node: number, path: { node: number; left: boolean }[]): boolean => {
        if (tree.feature[node]! < 0) {
          const k = new Set(path.map((step) => tree.feature[step.node]!)).size;
          entries += (1 << k) * k;
          if (k > MAX_PATH_FEATURES || entries > MAX_TABLE_ENTRIES) return false;
          leaves.push({ tree: t, node, path: path.slice() });
          return true;
        }
        path.push({ node, left: true });
        const left = walk(tree.left[node]!, path);
        path[path.length - 1] = { node, left: false };
        const right = left && walk(tree.right[node]!, path);
        path.pop();
        return right;
      };
      if (!walk(0, [])) return undefined;
    }
    leafStart[trees.length] = leaves.length;

    const n = leaves.length;
    const width = new Int32Array(n);
    const featureStart = new Int32Array(n);
    const tableStart = new Int32Array(n);
    const conditionStart = new Int32Array(n + 1);
    const conditions = leaves.reduce((sum, leaf) => sum + leaf.path.length, 0);
    const conditionNode = new Int32Array(conditions);
    const conditionLeft = new Uint8Array(conditions);
    const conditionSlot = new Uint8Array(conditions);
    const features = new Int32Array(leaves.reduce((sum, leaf) => sum + new Set(leaf.path.map((s) => trees[leaf.tree]!.feature[s.node]!)).size, 0));
    const table = new Float64Array(entries);
    let f = 0;
    let c = 0;
    let at = 0;
    for (let l = 0; l < n; l++) {
      const { tree: t, node: leafNode, path } = leaves[l]!;
      const tree = trees[t]!;
      // The leaf's distinct features in path order, each with the product of its cover fractions along the path.
      const slots = new Map<number, number>();
      const zeros: number[] = [];
      conditionStart[l] = c;
      for (let i = 0; i < path.length; i++) {
        const { node, left } = path[i]!;
        const feature = tree.feature[node]!;
        let slot = slots.get(feature);
        if (slot === undefined) {
          slot = slots.size;
          slots.set(feature, slot);
          features[f + slot] = feature;
          zeros.push(1);
        }
        const child = i + 1 < path.length ? path[i + 1]!.node : leafNode;
        zeros[slot]! *= tree.cover[child]! / tree.cover[node]!;
        conditionNode[c] = node;
        conditionLeft[c] = left ? 1 : 0;
        conditionSlot[c] = slot;
        c++;
      }
      const k = slots.size;
      width[l] = k;
      featureStart[l] = f;
      tableStart[l] = at;
      fillLeafTable(tree.value[leafNode]!, zeros, table, at);
      f += k;
      at += (1 << k) * k;
    }
    conditionStart[n] = c;
    return new ShapTables(
      trees,
      leafStart,
      width,
      featureStart,
      tableStart,
      conditionStart,
      conditionNode,
      conditionLeft,
      conditionSlot,
      features,
      table,
      new Uint8Array(maxNodes),
    );
  }

  /** Adds `scale` times the trees' contributions for the row at `x[xBase..]` into `phi[phiBase..]`. */
  add(x: Float64Array | Float32Array, xBase: number, phi: Float64Array, phiBase: number, scale: number): void {
    const { leafStart, width, featureStart, tableStart, conditionStart, conditionNode, conditionLeft, conditionSlot, features, table, goesLeft } = this;
    for (let t = 0; t < this.trees.length; t++) {
      const { feature, threshold, defaultLeft } = this.trees[t]!;
      for (let node = 0; node < feature.length; node++) {
        const split = feature[node]!;
        if (split < 0) continue;
        const v = x[xBase + split]!;
        const cut = threshold[node]!;
        goesLeft[node] = v <= cut || (!(v > cut) && defaultLeft[node] === 1) ? 1 : 0;
      }
      for (let l = leafStart[t]!; l < leafStart[t + 1]!; l++) {
        const k = width[l]!;
        if (k === 0) continue;
        let mask = (1 << k) - 1;
        const end = conditionStart[l + 1]!;
        for (let c = conditionStart[l]!; c < end; c++) mask &= ~((goesLeft[conditionNode[c]!]! ^ conditionLeft[c]!) << conditionSlot[c]!);
        const row = tableStart[l]! + mask * k;
        const f = featureStart[l]!;
        for (let j = 0; j < k; j++) phi[phiBase + features[f + j]!]! += scale * table[row + j]!;
      }
    }
  }
}

/**
 * Writes the leaf's table at `table[at..]`: for every mask m of the k = `zeros.length` features, the contribution of
 * each feature j when the row follows exactly the features of m's bits (one fraction 1 for them, 0 for the others).
 * The path of Algorithm 2 at this leaf is the root's placeholder (fractions 1, 1) and one element per feature; its
 * permutation weights do not depend on the order elements were added, so they are built here in feature order.
 */
function fillLeafTable(leafValue: number, zeros: readonly number[], table: Float64Array, at: number): void {
  const k = zeros.length;
  const weight = new Float64Array(k + 1);
  const inverse = reciprocals(k + 2);
  for (let mask = 0; mask < 1 << k; mask++) {
    extendWeights(weight, 0, 0, 1, 1, inverse);
    for (let j = 0; j < k; j++) extendWeights(weight, 0, j + 1, zeros[j]!, (mask >> j) & 1, inverse);
    const offPath = offPathWeightSum(weight, 0, k, inverse);
    for (let j = 0; j < k; j++) table[at + mask * k + j] = elementShare(weight, 0, k, zeros[j]!, (mask >> j) & 1, inverse, offPath) * leafValue;
  }
}
