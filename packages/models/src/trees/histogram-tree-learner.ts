import type { SeededRandom } from '@mlsd/data';
import { KernelMemory } from '../kernels/kernel-memory.js';
import { treeGrowthKernel, type TreeGrowthExports } from '../kernels/kernel-modules.js';
import type { CompactTree } from './compact-tree.js';
import { MISSING_BIN, type BinnedMatrix, type QuantileBins } from './quantile-bins.js';

/** How a tree grows: level by level, or always the leaf with the largest gain first (LightGBM's leaf-wise). */
export type GrowPolicy = 'depthwise' | 'lossguide';

/**
 * Options of {@link HistogramTreeLearner}: the regularised second-order objective of XGBoost (Chen & Guestrin
 * 2016, eq. 7): a split's gain is `½·[G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)] − γ` and a leaf's value is
 * `−G/(H+λ)`, with `G`, `H` the sums of gradients and hessians of the rows in a node.
 */
export interface TreeGrowthOptions {
  /** Deepest level a leaf may sit at (the root is level 0); 0 means no limit. */
  readonly maxDepth: number;
  /** Most leaves a tree may have; 0 means no limit. */
  readonly maxLeaves: number;
  /** The order nodes are split in; it only matters when `maxLeaves` is set. */
  readonly growPolicy: GrowPolicy;
  /** L2 penalty λ on leaf values (>= 0). */
  readonly lambda: number;
  /** Minimum gain γ a split must bring (>= 0). */
  readonly gamma: number;
  /** Minimum hessian sum in each child (>= 0); every child also needs a hessian sum > 0. */
  readonly minChildWeight: number;
  /** Minimum number of (distinct) rows in each child (>= 1). */
  readonly minSamplesLeaf: number;
  /** How many of the tree's features are drawn (seeded, without replacement) as candidates at each split. */
  readonly featuresPerSplit: number;
  /** Leaf (and node) values are multiplied by this: the learning rate of boosting, 1 for a forest. */
  readonly leafScale: number;
  /**
   * The targets are 0/1 labels under squared loss from 0 (gradient `−w·y`, hessian `w`, as in a random forest):
   * a node whose rows all have the same label is a final leaf, found without building its histogram.
   */
  readonly binaryTargets: boolean;
}

/** Each bin of a histogram holds three numbers: gradient sum, hessian sum, row count. */
const STRIDE = 3;
/** Histogram slots per feature: 255 value bins and the missing bin. */
const FEATURE_SLOTS = (MISSING_BIN + 1) * STRIDE;
/** Float64 slots of the kernel's split result: feature, bin, defaultLeft, leftG, leftH, leftCount, score. */
const SPLIT_RESULT_SLOTS = 7;
/** No histogram. */
const NO_HIST = -1;
/** A gain must exceed this to count: splits that only move rounding noise are not made. */
const MIN_GAIN = 1e-12;

/** A leaf waiting to be split, with the best split found for it. */
interface Candidate {
  readonly node: number;
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  readonly sumG: number;
  readonly sumH: number;
  /** Byte offset of the node's histogram in the kernel memory, or −1 when it has none. */
  hist: number;
  feature: number;
  bin: number;
  gain: number;
  defaultLeft: boolean;
  leftG: number;
  leftH: number;
  leftCount: number;
}

/**
 * Grows regression trees on gradient/hessian histograms of binned data, the engine behind
 * `GradientBoostingClassifier` and `RandomForestClassifier`.
 *
 * The rows of a node are a contiguous segment of one row-index array that each split partitions in place;
 * every node's histogram is (feature × bin × {g, h, count}) in float64, taken from a reusable pool. Only the
 * smaller child's histogram is built from rows; the larger one is the parent's minus it (histogram
 * subtraction, as in LightGBM). Missing values have their own bin and each split learns the side they go to.
 *
 * The data, the row index, the gradients and the histograms live in the memory of a WebAssembly kernel
 * (`assembly/tree-growth.ts`), which builds, subtracts and scans histograms and partitions rows (about twice
 * as fast as the same loops in JavaScript); this class decides what to split and records the tree. Nothing is
 * allocated per row; one learner is reused for every tree of an ensemble.
 */
export class HistogramTreeLearner {
  private readonly data: BinnedMatrix;
  private readonly bins: QuantileBins;
  private readonly options: TreeGrowthOptions;
  private readonly memory = new KernelMemory<TreeGrowthExports>(treeGrowthKernel());
  /**
   * The row-major bins again, four to a 32-bit word (`wordsPerRow` words per row, padding bins 0), so a
   * histogram pass reads a row's bins with a few word loads. Padding features land in slots nobody reads.
   */
  private readonly rowWordsAt: number;
  private readonly wordsPerRow: number;
  /** The column-major bins (one byte per row and feature), read by the partition of a split. */
  private readonly columnsAt: number;
  private readonly rowIndexAt: number;
  private readonly scratchAt: number;
  private readonly gradAt: number;
  private readonly hessAt: number;
  private readonly valueBinsAt: number;
  /** The tree's usable features (int32), then the features drawn as candidates of a split. */
  private readonly featuresAt: number;
  private readonly candidatesAt: number;
  private readonly resultAt: number;
  private readonly histBytes: number;
  /**
   * The row counts of a histogram of every row, or −1 until the first tree grown on every row in order: they are
   * the same for each such root, so later roots add only gradients and hessians (boosting without `subsample`).
   */
  private rootCountsAt = NO_HIST;
  /** Margins, weights (float64) and labels (uint8) per row once {@link startLogistic} ran, else −1. */
  private marginAt = NO_HIST;
  private weightAt = NO_HIST;
  private labelsAt = NO_HIST;
  private readonly pool: number[] = [];
  private featureCount = 0;
  private rng: SeededRandom | null = null;
  private nodes = new NodeArrays(64);
  private leafCount = 0;
  private leafStarts = new Int32Array(64);
  private leafEnds = new Int32Array(64);
  private leafNodes = new Int32Array(64);

  /** `data` is the training data binned with `bins`; split thresholds are written as raw values from `bins`. */
  constructor(data: BinnedMatrix, bins: QuantileBins, options: TreeGrowthOptions) {
    this.data = data;
    this.bins = bins;
    this.options = options;
    const { rows, cols, bins: rowBins } = data;
    const wordsPerRow = Math.ceil(cols / 4);
    this.wordsPerRow = wordsPerRow;
    this.histBytes = wordsPerRow * 4 * FEATURE_SLOTS * 8;
    const m = this.memory;
    this.rowWordsAt = m.allocate(rows * wordsPerRow * 4);
    this.columnsAt = m.allocate(rows * cols);
    this.rowIndexAt = m.allocate(rows * 4);
    this.scratchAt = m.allocate(rows * 4);
    this.gradAt = m.allocate(rows * 8);
    this.hessAt = m.allocate(rows * 8);
    this.valueBinsAt = m.allocate(cols * 4);
    this.featuresAt = m.allocate(cols * 4);
    this.candidatesAt = m.allocate(cols * 4);
    this.resultAt = m.allocate(SPLIT_RESULT_SLOTS * 8);
    // The row-major bins pass through the column-major region (the same size) on their way into words.
    m.u8(this.columnsAt, rows * cols).set(rowBins);
    m.kernels.packRowWords(this.columnsAt, rows, cols, this.rowWordsAt, wordsPerRow);
    m.u8(this.columnsAt, rows * cols).set(data.columns);
    m.i32(this.valueBinsAt, cols).set(data.valueBins);
  }

  /**
   * Grows one tree on rows `sample[0..sampleCount)` with per-row gradients and hessians (indexed by row), using
   * only the features in `features` (those with one value bin are skipped). `rng` draws the split candidates
   * when `featuresPerSplit` is below the number of features. After the call, {@link forEachLeafRow} visits
   * the training rows of each leaf.
   */
  grow(grad: Float64Array, hess: Float64Array, sample: Int32Array, sampleCount: number, features: Int32Array, rng: SeededRandom): CompactTree {
    const { valueBins, rows } = this.data;
    const m = this.memory;
    const usable = m.i32(this.featuresAt, features.length);
    let count = 0;
    for (const f of features) if (valueBins[f]! > 1) usable[count++] = f;
    this.featureCount = count;
    // Gradients written into `gradients()` are in place already; others are copied in.
    if (!this.isOwnView(grad, this.gradAt)) m.f64(this.gradAt, rows).set(grad);
    if (!this.isOwnView(hess, this.hessAt)) m.f64(this.hessAt, rows).set(hess);
    this.rng = rng;
    this.nodes.reset();
    this.leafCount = 0;

    m.i32(this.rowIndexAt, rows).set(sample.subarray(0, sampleCount));
    const inOrder = m.kernels.sumRows(this.rowIndexAt, sampleCount, this.gradAt, this.hessAt, this.resultAt) === 1 && sampleCount === rows;
    const sums = m.f64(this.resultAt, 2);
    const sumG = sums[0]!;
    const sumH = sums[1]!;
    const root = this.newCandidate(0, 0, sampleCount, sumG, sumH);
    const pending: Candidate[] = [];
    if (this.canSplit(root)) {
      root.hist = this.acquire();
      this.buildRootHistogram(root.hist, sampleCount, inOrder);
      this.consider(root, pending);
    } else {
      this.finishLeaf(root);
    }

    const { maxLeaves, growPolicy } = this.options;
    let leaves = 1;
    while (pending.length > 0 && (maxLeaves === 0 || leaves < maxLeaves)) {
      const parent = this.pick(pending, maxLeaves, growPolicy);
      leaves++;
      this.split(parent, pending);
    }
    for (const c of pending) {
      this.release(c.hist);
      this.finishLeaf(c);
    }
    return this.nodes.toTree();
  }

  /**
   * Views of the learner's own gradient and hessian arrays (one value per training row): a caller that writes
   * its gradients here and passes these views to {@link grow} saves a copy per tree. Take them afresh before
   * each `grow`: the views go stale when the learner's memory grows.
   */
  gradients(): { grad: Float64Array; hess: Float64Array } {
    const rows = this.data.rows;
    return { grad: this.memory.f64(this.gradAt, rows), hess: this.memory.f64(this.hessAt, rows) };
  }

  /**
   * Keeps a margin (log-odds), a 0/1 label and a weight per training row in the learner's memory, margins starting
   * at `baseScore`, so that boosting with the logistic loss computes its gradients ({@link logisticGradients}) and
   * updates its margins ({@link addLeafValues}) in the kernel, next to the rows.
   */
  startLogistic(labels: Uint8Array, weights: Float64Array, baseScore: number): void {
    const { rows } = this.data;
    const m = this.memory;
    if (this.marginAt === NO_HIST) {
      this.marginAt = m.allocate(rows * 8);
      this.weightAt = m.allocate(rows * 8);
      this.labelsAt = m.allocate(rows);
    }
    m.f64(this.marginAt, rows).fill(baseScore);
    m.f64(this.weightAt, rows).set(weights);
    m.u8(this.labelsAt, rows).set(labels);
  }

  /**
   * Writes the logistic loss's gradient `w·(p − y)` and hessian `w·max(p(1 − p), 1e−16)` of every row, with
   * `p = 1/(1 + e^−margin)`, into {@link gradients}. Needs {@link startLogistic}.
   */
  logisticGradients(): void {
    this.memory.kernels.logisticGradients(this.marginAt, this.labelsAt, this.weightAt, this.gradAt, this.hessAt, this.data.rows);
  }

  /** Adds `value[leaf]` to the margin of each training row of each leaf of the last grown tree. Needs {@link startLogistic}. */
  addLeafValues(value: Float64Array): void {
    const k = this.memory.kernels;
    for (let i = 0; i < this.leafCount; i++) k.addToRows(this.marginAt, this.rowIndexAt, this.leafStarts[i]!, this.leafEnds[i]!, value[this.leafNodes[i]!]!);
  }

  /** A view of the margins kept since {@link startLogistic} (stale once the memory grows: take it afresh). */
  margins(): Float64Array {
    return this.memory.f64(this.marginAt, this.data.rows);
  }

  private isOwnView(array: Float64Array, pointer: number): boolean {
    return array.byteOffset === pointer && array.length === this.data.rows && this.memory.owns(array);
  }

  /**
   * Calls `visit(leafNode, rowIndex, start, end)` for each leaf of the last grown tree: its training rows are
   * `rowIndex[start..end)`. Boosting uses it to update the training margins without walking the tree.
   */
  forEachLeafRow(visit: (leafNode: number, rowIndex: Int32Array, start: number, end: number) => void): void {
    const rowIndex = this.memory.i32(this.rowIndexAt, this.data.rows);
    for (let i = 0; i < this.leafCount; i++) visit(this.leafNodes[i]!, rowIndex, this.leafStarts[i]!, this.leafEnds[i]!);
  }

  private pick(pending: Candidate[], maxLeaves: number, policy: GrowPolicy): Candidate {
    // Without a leaf limit the order does not change the tree: depth-first keeps few histograms alive.
    if (maxLeaves === 0) return pending.pop()!;
    let best = 0;
    if (policy === 'lossguide') {
      for (let i = 1; i < pending.length; i++) if (pending[i]!.gain > pending[best]!.gain) best = i;
    }
    return pending.splice(best, 1)[0]!;
  }

  private newCandidate(depth: number, start: number, end: number, sumG: number, sumH: number): Candidate {
    const { lambda, leafScale } = this.options;
    // An empty sample with λ = 0 would give 0/0: such a leaf predicts 0 (no change).
    const denominator = sumH + lambda;
    const node = this.nodes.add(denominator > 0 ? (-sumG / denominator) * leafScale : 0, sumH);
    return {
      node,
      start,
      end,
      depth,
      sumG,
      sumH,
      hist: NO_HIST,
      feature: -1,
      bin: 0,
      gain: 0,
      defaultLeft: false,
      leftG: 0,
      leftH: 0,
      leftCount: 0,
    };
  }

  private canSplit(c: Candidate): boolean {
    const { maxDepth, minSamplesLeaf, minChildWeight, binaryTargets } = this.options;
    if (maxDepth !== 0 && c.depth >= maxDepth) return false;
    if (c.end - c.start < 2 * minSamplesLeaf || c.sumH < 2 * minChildWeight) return false;
    if (binaryTargets) {
      // g = −w·y, h = w: all labels 0 gives G = 0, all labels 1 gives G = −H.
      const tolerance = 1e-9 * c.sumH;
      if (Math.abs(c.sumG) <= tolerance || Math.abs(c.sumG + c.sumH) <= tolerance) return false;
    }
    return this.featureCount > 0;
  }

  /** Finds the best split of `c` (its histogram is built) and queues it, or makes it a leaf. */
  private consider(c: Candidate, pending: Candidate[]): void {
    this.findBestSplit(c);
    if (c.feature >= 0) pending.push(c);
    else {
      this.release(c.hist);
      c.hist = NO_HIST;
      this.finishLeaf(c);
    }
  }

  private finishLeaf(c: Candidate): void {
    if (this.leafCount === this.leafNodes.length) {
      this.leafNodes = grow32(this.leafNodes);
      this.leafStarts = grow32(this.leafStarts);
      this.leafEnds = grow32(this.leafEnds);
    }
    this.leafNodes[this.leafCount] = c.node;
    this.leafStarts[this.leafCount] = c.start;
    this.leafEnds[this.leafCount] = c.end;
    this.leafCount++;
  }

  private split(parent: Candidate, pending: Candidate[]): void {
    const f = parent.feature;
    const splitBin = parent.bin;
    const missingLeft = parent.defaultLeft;
    // Stable partition of the parent's segment: left rows in place, right rows after them.
    const l = this.memory.kernels.partitionRows(
      this.rowIndexAt,
      this.scratchAt,
      parent.start,
      parent.end,
      this.columnsAt + f * this.data.rows,
      splitBin,
      missingLeft ? 1 : 0,
    );

    const depth = parent.depth + 1;
    const left = this.newCandidate(depth, parent.start, l, parent.leftG, parent.leftH);
    const right = this.newCandidate(depth, l, parent.end, parent.sumG - parent.leftG, parent.sumH - parent.leftH);
    this.nodes.setSplit(parent.node, f, this.thresholdOf(f, splitBin), left.node, right.node, missingLeft);

    const needLeft = this.canSplit(left);
    const needRight = this.canSplit(right);
    const parentHist = parent.hist;
    parent.hist = NO_HIST;
    if (!needLeft && !needRight) {
      this.release(parentHist);
    } else {
      const leftSmaller = l - parent.start <= parent.end - l;
      const small = leftSmaller ? left : right;
      const large = leftSmaller ? right : left;
      const needSmall = leftSmaller ? needLeft : needRight;
      const needLarge = leftSmaller ? needRight : needLeft;
      if (needSmall && needLarge) {
        small.hist = this.acquire();
        this.buildHistogram(small.hist, small.start, small.end);
        this.subtract(parentHist, small.hist);
        large.hist = parentHist;
      } else if (needSmall) {
        this.clear(parentHist);
        this.buildHistogram(parentHist, small.start, small.end);
        small.hist = parentHist;
      } else {
        const smallRows = small.end - small.start;
        const largeRows = large.end - large.start;
        // Subtraction costs one histogram pass; building the large child directly costs its rows.
        if (smallRows + FEATURE_SLOTS < largeRows) {
          const temp = this.acquire();
          this.buildHistogram(temp, small.start, small.end);
          this.subtract(parentHist, temp);
          this.release(temp);
        } else {
          this.clear(parentHist);
          this.buildHistogram(parentHist, large.start, large.end);
        }
        large.hist = parentHist;
      }
    }
    if (left.hist !== NO_HIST) this.consider(left, pending);
    else this.finishLeaf(left);
    if (right.hist !== NO_HIST) this.consider(right, pending);
    else this.finishLeaf(right);
  }

  /** The raw-value threshold of "bins <= bin go left" (the scan never splits after the last bin). */
  private thresholdOf(feature: number, bin: number): number {
    return this.bins.edges[feature]![bin]!;
  }

  /**
   * Adds the rows `rowIndex[start..end)` into the histogram at `hist` (which must be zero or hold other rows
   * to add to). The slots of features the tree does not use get sums too; nothing reads them.
   */
  private buildHistogram(hist: number, start: number, end: number): void {
    this.memory.kernels.buildHistogram(hist, this.rowIndexAt, start, end, this.rowWordsAt, this.wordsPerRow, this.gradAt, this.hessAt, 1);
  }

  /**
   * The root's histogram (zeroed before) of `rowIndex[0..count)`. When those are all rows in order, the row
   * counts are copied from the first such root instead of counted again: exact integers, so the same histogram.
   */
  private buildRootHistogram(hist: number, count: number, inOrder: boolean): void {
    const k = this.memory.kernels;
    if (!inOrder) {
      this.buildHistogram(hist, 0, count);
    } else if (this.rootCountsAt !== NO_HIST) {
      k.buildHistogram(hist, this.rowIndexAt, 0, count, this.rowWordsAt, this.wordsPerRow, this.gradAt, this.hessAt, 0);
      k.copyCounts(hist, this.rootCountsAt, this.histBytes / (STRIDE * 8));
    } else {
      this.buildHistogram(hist, 0, count);
      this.rootCountsAt = this.memory.allocate(this.histBytes);
      this.memory.bytes().copyWithin(this.rootCountsAt, hist, hist + this.histBytes);
    }
  }

  /** `parent −= child`, over the tree's features and only the bins they use (value bins and the missing bin). */
  private subtract(parent: number, child: number): void {
    this.memory.kernels.subtractHistogram(parent, child, this.featuresAt, this.featureCount, this.valueBinsAt);
  }

  /** Scans every candidate feature's histogram for the split with the largest gain; sets `c.feature = −1` if none. */
  private findBestSplit(c: Candidate): void {
    const { lambda, gamma, minChildWeight, minSamplesLeaf, featuresPerSplit } = this.options;
    const m = this.memory;
    let candidates = this.featuresAt;
    let count = this.featureCount;
    if (featuresPerSplit < count) {
      // Partial Fisher–Yates over a copy: the first `featuresPerSplit` entries are the drawn features.
      const drawn = m.i32(this.candidatesAt, count);
      drawn.set(m.i32(this.featuresAt, count));
      const rng = this.rng!;
      for (let i = 0; i < featuresPerSplit; i++) {
        const j = i + rng.nextInt(count - i);
        const t = drawn[i]!;
        drawn[i] = drawn[j]!;
        drawn[j] = t;
      }
      candidates = this.candidatesAt;
      count = featuresPerSplit;
    }
    const parentScore = (c.sumG * c.sumG) / (c.sumH + lambda);
    m.kernels.findBestSplit(
      c.hist,
      candidates,
      count,
      this.valueBinsAt,
      c.sumG,
      c.sumH,
      c.end - c.start,
      lambda,
      minChildWeight,
      minSamplesLeaf,
      parentScore + 2 * (gamma + MIN_GAIN),
      this.resultAt,
    );
    const result = m.f64(this.resultAt, SPLIT_RESULT_SLOTS);
    c.feature = result[0]!;
    c.bin = result[1]!;
    c.defaultLeft = result[2] === 1;
    c.leftG = result[3]!;
    c.leftH = result[4]!;
    c.leftCount = result[5]!;
    c.gain = c.feature >= 0 ? 0.5 * (result[6]! - parentScore) - gamma : 0;
    if (c.feature >= 0) this.nodes.setGain(c.node, c.gain);
  }

  /** A zeroed histogram from the pool (or newly allocated in the kernel memory). */
  private acquire(): number {
    return this.pool.pop() ?? this.memory.allocate(this.histBytes);
  }

  /** Returns a histogram to the pool, zeroed. */
  private release(hist: number): void {
    if (hist === NO_HIST) return;
    this.clear(hist);
    this.pool.push(hist);
  }

  private clear(hist: number): void {
    this.memory.f64(hist, this.histBytes / 8).fill(0);
  }

  /** The split gain of each internal node of the last tree (0 at leaves), for gain feature importance. */
  lastGains(): Float64Array {
    return this.nodes.gains();
  }

  /**
   * Hands the learner's kernel memory to the next learner on this thread (see `KernelMemory.release`), which then
   * starts without page faults. Call it when done: the learner and every view it gave out are unusable afterwards.
   */
  dispose(): void {
    this.memory.release();
  }
}

/** Growable node arrays of the tree being built. */
class NodeArrays {
  private size = 0;
  private feature: Int32Array;
  private threshold: Float64Array;
  private left: Int32Array;
  private right: Int32Array;
  private value: Float64Array;
  private defaultLeft: Uint8Array;
  private cover: Float64Array;
  private gain: Float64Array;

  constructor(capacity: number) {
    this.feature = new Int32Array(capacity);
    this.threshold = new Float64Array(capacity);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
    this.defaultLeft = new Uint8Array(capacity);
    this.cover = new Float64Array(capacity);
    this.gain = new Float64Array(capacity);
  }

  reset(): void {
    this.size = 0;
  }

  add(value: number, cover: number): number {
    if (this.size === this.feature.length) this.enlarge();
    const n = this.size++;
    this.feature[n] = -1;
    this.threshold[n] = 0;
    this.left[n] = -1;
    this.right[n] = -1;
    this.value[n] = value;
    this.defaultLeft[n] = 0;
    this.cover[n] = cover;
    this.gain[n] = 0;
    return n;
  }

  setSplit(node: number, feature: number, threshold: number, left: number, right: number, defaultLeft: boolean): void {
    this.feature[node] = feature;
    this.threshold[node] = threshold;
    this.left[node] = left;
    this.right[node] = right;
    this.defaultLeft[node] = defaultLeft ? 1 : 0;
  }

  setGain(node: number, gain: number): void {
    this.gain[node] = gain;
  }

  gains(): Float64Array {
    const out = this.gain.slice(0, this.size);
    for (let n = 0; n < this.size; n++) if (this.feature[n]! < 0) out[n] = 0;
    return out;
  }

  toTree(): CompactTree {
    const n = this.size;
    return {
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n),
      defaultLeft: this.defaultLeft.slice(0, n),
      cover: this.cover.slice(0, n),
    };
  }

  private enlarge(): void {
    const capacity = this.feature.length * 2;
    const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.feature = grow(this.feature, (n) => new Int32Array(n));
    this.threshold = grow(this.threshold, (n) => new Float64Array(n));
    this.left = grow(this.left, (n) => new Int32Array(n));
    this.right = grow(this.right, (n) => new Int32Array(n));
    this.value = grow(this.value, (n) => new Float64Array(n));
    this.defaultLeft = grow(this.defaultLeft, (n) => new Uint8Array(n));
    this.cover = grow(this.cover, (n) => new Float64Array(n));
    this.gain = grow(this.gain, (n) => new Float64Array(n));
  }
}

function grow32(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
