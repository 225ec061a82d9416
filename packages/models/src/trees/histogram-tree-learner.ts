import type { SeededRandom } from '@mlsd/data';
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
  hist: Float64Array | null;
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
 * The rows of a node are a contiguous segment of one `Int32Array` that each split partitions in place; every
 * node's histogram is a `Float64Array` of (feature × bin × {g, h, count}) taken from a reusable pool. Only the
 * smaller child's histogram is built from rows; the larger one is the parent's minus it (histogram
 * subtraction, as in LightGBM). Missing values have their own bin and each split learns the side they go to.
 * Nothing is allocated per row; one learner is reused for every tree of an ensemble.
 */
export class HistogramTreeLearner {
  private readonly data: BinnedMatrix;
  private readonly bins: QuantileBins;
  private readonly options: TreeGrowthOptions;
  private readonly rowIndex: Int32Array;
  private readonly scratchRows: Int32Array;
  private readonly candidateFeatures: Int32Array;
  private readonly pool: Float64Array[] = [];
  private features: Int32Array = new Int32Array(0);
  private grad: Float64Array = new Float64Array(0);
  private hess: Float64Array = new Float64Array(0);
  private rng: SeededRandom | null = null;
  /**
   * The row-major bins again, four to a 32-bit word (`wordsPerRow` words per row, padding bins 0), so a
   * histogram pass reads a row's bins with a few word loads. Padding features land in slots nobody reads.
   */
  private readonly rowWords: Uint32Array;
  private readonly wordsPerRow: number;
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
    this.rowIndex = new Int32Array(data.rows);
    this.scratchRows = new Int32Array(data.rows);
    this.candidateFeatures = new Int32Array(data.cols);
    const { rows, cols, bins: rowBins } = data;
    const wordsPerRow = Math.ceil(cols / 4);
    const words = new Uint32Array(rows * wordsPerRow);
    for (let r = 0; r < rows; r++) {
      for (let f = 0; f < cols; f++) {
        const w = r * wordsPerRow + (f >> 2);
        words[w] = (words[w]! | (rowBins[r * cols + f]! << (8 * (f & 3)))) >>> 0;
      }
    }
    this.rowWords = words;
    this.wordsPerRow = wordsPerRow;
  }

  /**
   * Grows one tree on rows `sample[0..sampleCount)` with per-row gradients and hessians (indexed by row), using
   * only the features in `features` (those with one value bin are skipped). `rng` draws the split candidates
   * when `featuresPerSplit` is below the number of features. After the call, {@link forEachLeafRow} visits
   * the training rows of each leaf.
   */
  grow(
    grad: Float64Array,
    hess: Float64Array,
    sample: Int32Array,
    sampleCount: number,
    features: Int32Array,
    rng: SeededRandom,
  ): CompactTree {
    const { valueBins } = this.data;
    let usable = 0;
    const kept = new Int32Array(features.length);
    for (const f of features) if (valueBins[f]! > 1) kept[usable++] = f;
    this.features = kept.subarray(0, usable);
    this.grad = grad;
    this.hess = hess;
    this.rng = rng;
    this.nodes.reset();
    this.leafCount = 0;

    let sumG = 0;
    let sumH = 0;
    for (let i = 0; i < sampleCount; i++) {
      const r = sample[i]!;
      this.rowIndex[i] = r;
      sumG += grad[r]!;
      sumH += hess[r]!;
    }
    const root = this.newCandidate(0, 0, sampleCount, sumG, sumH);
    const pending: Candidate[] = [];
    if (this.canSplit(root)) {
      root.hist = this.acquire();
      this.buildHistogram(root.hist, root.start, root.end);
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
   * Calls `visit(leafNode, rowIndex, start, end)` for each leaf of the last grown tree: its training rows are
   * `rowIndex[start..end)`. Boosting uses it to update the training margins without walking the tree.
   */
  forEachLeafRow(visit: (leafNode: number, rowIndex: Int32Array, start: number, end: number) => void): void {
    for (let i = 0; i < this.leafCount; i++) visit(this.leafNodes[i]!, this.rowIndex, this.leafStarts[i]!, this.leafEnds[i]!);
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
      hist: null,
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
    return this.features.length > 0;
  }

  /** Finds the best split of `c` (its histogram is built) and queues it, or makes it a leaf. */
  private consider(c: Candidate, pending: Candidate[]): void {
    this.findBestSplit(c);
    if (c.feature >= 0) pending.push(c);
    else {
      this.release(c.hist);
      c.hist = null;
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
    const { rows, columns } = this.data;
    const f = parent.feature;
    const splitBin = parent.bin;
    const missingLeft = parent.defaultLeft;
    // Stable partition of the parent's segment: left rows in place, right rows through the scratch buffer.
    const rowIndex = this.rowIndex;
    const scratch = this.scratchRows;
    let l = parent.start;
    let s = 0;
    // Branch-free: the side of a row is data-dependent, so a branch would mispredict half the time. V8 turns
    // `+(a <= b)` into a flag read but `c ? 1 : 0` into a jump; the missing bin (255) is above every split bin.
    const missingSide = missingLeft ? 1 : 0;
    const column = columns.subarray(f * rows, (f + 1) * rows);
    for (let i = parent.start; i < parent.end; i++) {
      const r = rowIndex[i]!;
      const b = column[r]!;
      const goLeft = +(b <= splitBin) | (missingSide & +(b === MISSING_BIN));
      rowIndex[l] = r;
      scratch[s] = r;
      l += goLeft;
      s += 1 - goLeft;
    }
    rowIndex.set(scratch.subarray(0, s), l);

    const depth = parent.depth + 1;
    const left = this.newCandidate(depth, parent.start, l, parent.leftG, parent.leftH);
    const right = this.newCandidate(depth, l, parent.end, parent.sumG - parent.leftG, parent.sumH - parent.leftH);
    this.nodes.setSplit(parent.node, f, this.thresholdOf(f, splitBin), left.node, right.node, missingLeft);

    const needLeft = this.canSplit(left);
    const needRight = this.canSplit(right);
    const parentHist = parent.hist!;
    parent.hist = null;
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
        parentHist.fill(0);
        this.buildHistogram(parentHist, small.start, small.end);
        small.hist = parentHist;
      } else {
        const smallRows = small.end - small.start;
        const largeRows = large.end - large.start;
        // Subtraction costs one histogram pass; building the large child directly costs its rows.
        if (smallRows * this.features.length + FEATURE_SLOTS * this.features.length < largeRows * this.features.length) {
          const temp = this.acquire();
          this.buildHistogram(temp, small.start, small.end);
          this.subtract(parentHist, temp);
          this.release(temp);
        } else {
          parentHist.fill(0);
          this.buildHistogram(parentHist, large.start, large.end);
        }
        large.hist = parentHist;
      }
    }
    if (left.hist !== null) this.consider(left, pending);
    else this.finishLeaf(left);
    if (right.hist !== null) this.consider(right, pending);
    else this.finishLeaf(right);
  }

  /** The raw-value threshold of "bins <= bin go left" (the scan never splits after the last bin). */
  private thresholdOf(feature: number, bin: number): number {
    return this.bins.edges[feature]![bin]!;
  }

  /**
   * Adds the rows `rowIndex[start..end)` into `hist` (which must be zero or hold other rows to add to). The
   * slots of features the tree does not use get sums too; nothing reads them.
   */
  private buildHistogram(hist: Float64Array, start: number, end: number): void {
    const { rowIndex, rowWords, wordsPerRow } = this;
    const grad = this.grad;
    const hess = this.hess;
    const wordSpan = 4 * FEATURE_SLOTS;
    // Every (padded) feature is added, also those the tree does not use: reading a row's bins as 32-bit words,
    // four at a time, costs less than skipping some (one byte load per feature was 2-3x slower per update).
    for (let i = start; i < end; i++) {
      const r = rowIndex[i]!;
      const g = grad[r]!;
      const h = hess[r]!;
      const rowBase = r * wordsPerRow;
      for (let j = 0, base = 0; j < wordsPerRow; j++, base += wordSpan) {
        const x = rowWords[rowBase + j]!;
        const k0 = base + (x & 255) * STRIDE;
        hist[k0]! += g;
        hist[k0 + 1]! += h;
        hist[k0 + 2]! += 1;
        const k1 = base + FEATURE_SLOTS + ((x >>> 8) & 255) * STRIDE;
        hist[k1]! += g;
        hist[k1 + 1]! += h;
        hist[k1 + 2]! += 1;
        const k2 = base + 2 * FEATURE_SLOTS + ((x >>> 16) & 255) * STRIDE;
        hist[k2]! += g;
        hist[k2 + 1]! += h;
        hist[k2 + 2]! += 1;
        const k3 = base + 3 * FEATURE_SLOTS + (x >>> 24) * STRIDE;
        hist[k3]! += g;
        hist[k3 + 1]! += h;
        hist[k3 + 2]! += 1;
      }
    }
  }

  /** `parent −= child`, over the tree's features and only the bins they use (value bins and the missing bin). */
  private subtract(parent: Float64Array, child: Float64Array): void {
    const features = this.features;
    const { valueBins } = this.data;
    for (let j = 0; j < features.length; j++) {
      const f = features[j]!;
      const base = f * FEATURE_SLOTS;
      const end = base + valueBins[f]! * STRIDE;
      for (let k = base; k < end; k++) parent[k]! -= child[k]!;
      const m = base + MISSING_BIN * STRIDE;
      parent[m]! -= child[m]!;
      parent[m + 1]! -= child[m + 1]!;
      parent[m + 2]! -= child[m + 2]!;
    }
  }

  /** Scans every candidate feature's histogram for the split with the largest gain; sets `c.feature = −1` if none. */
  private findBestSplit(c: Candidate): void {
    const { lambda, gamma, minChildWeight, minSamplesLeaf, featuresPerSplit } = this.options;
    const hist = c.hist!;
    const { valueBins } = this.data;
    const G = c.sumG;
    const H = c.sumH;
    const C = c.end - c.start;
    const minH = Math.max(minChildWeight, 0);
    const parentScore = (G * G) / (H + lambda);
    let candidates = this.features;
    let count = candidates.length;
    if (featuresPerSplit < count) {
      // Partial Fisher–Yates over a copy: the first `featuresPerSplit` entries are the drawn features.
      const drawn = this.candidateFeatures;
      drawn.set(candidates);
      const rng = this.rng!;
      for (let i = 0; i < featuresPerSplit; i++) {
        const j = i + rng.nextInt(count - i);
        const t = drawn[i]!;
        drawn[i] = drawn[j]!;
        drawn[j] = t;
      }
      candidates = drawn;
      count = featuresPerSplit;
    }
    let bestScore = parentScore + 2 * (gamma + MIN_GAIN);
    c.feature = -1;
    for (let j = 0; j < count; j++) {
      const f = candidates[j]!;
      const base = f * FEATURE_SLOTS;
      const m = base + MISSING_BIN * STRIDE;
      const mg = hist[m]!;
      const mh = hist[m + 1]!;
      const mc = hist[m + 2]!;
      const last = valueBins[f]! - 1;
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 0; b < last; b++) {
        const k = base + b * STRIDE;
        const binCount = hist[k + 2]!;
        // An empty bin gives the same split as the bin before it.
        if (binCount === 0) continue;
        gl += hist[k]!;
        hl += hist[k + 1]!;
        cl += binCount;
        // Missing values to the right.
        let hr = H - hl;
        let cr = C - cl;
        if (hl > 0 && hr > 0 && hl >= minH && hr >= minH && cl >= minSamplesLeaf && cr >= minSamplesLeaf) {
          const gr = G - gl;
          const score = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda);
          if (score > bestScore) {
            bestScore = score;
            c.feature = f;
            c.bin = b;
            c.defaultLeft = false;
            c.leftG = gl;
            c.leftH = hl;
            c.leftCount = cl;
          }
        }
        if (mc > 0) {
          // Missing values to the left.
          const gl2 = gl + mg;
          const hl2 = hl + mh;
          const cl2 = cl + mc;
          hr = H - hl2;
          cr = C - cl2;
          if (hl2 > 0 && hr > 0 && hl2 >= minH && hr >= minH && cl2 >= minSamplesLeaf && cr >= minSamplesLeaf) {
            const gr = G - gl2;
            const score = (gl2 * gl2) / (hl2 + lambda) + (gr * gr) / (hr + lambda);
            if (score > bestScore) {
              bestScore = score;
              c.feature = f;
              c.bin = b;
              c.defaultLeft = true;
              c.leftG = gl2;
              c.leftH = hl2;
              c.leftCount = cl2;
            }
          }
        } else if (c.feature === f && c.bin === b) {
          // No missing values here in training: send future ones to the side that saw more data.
          c.defaultLeft = hl >= hr;
        }
      }
    }
    c.gain = c.feature >= 0 ? 0.5 * (bestScore - parentScore) - gamma : 0;
    if (c.feature >= 0) this.nodes.setGain(c.node, c.gain);
  }

  private acquire(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.wordsPerRow * 4 * FEATURE_SLOTS);
  }

  private release(hist: Float64Array | null): void {
    if (hist === null) return;
    hist.fill(0);
    this.pool.push(hist);
  }

  /** The split gain of each internal node of the last tree (0 at leaves), for gain feature importance. */
  lastGains(): Float64Array {
    return this.nodes.gains();
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
