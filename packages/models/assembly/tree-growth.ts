/**
 * AssemblyScript: the hot loops of the histogram tree learner (`src/trees/histogram-tree-learner.ts` is the
 * JavaScript side, which owns the memory layout and the tree). Compiled to WebAssembly by
 * `scripts/compile-kernels.ts`; every pointer is a byte offset into the learner's kernel memory.
 *
 * A histogram is float64 (feature slot × bin × {gradient sum, hessian sum, row count}): 256 bins per feature
 * slot, bin 255 holding the missing values.
 */

/** Numbers per histogram bin: gradient sum, hessian sum, row count. */
const STRIDE: usize = 3;
/** The bin of missing values; value bins are 0..254. */
const MISSING_BIN: i32 = 255;
/** Bytes per feature slot of a histogram. */
const FEATURE_SLOT_BYTES: usize = 256 * STRIDE * 8;

// @ts-ignore: decorator
@inline function addToBin(slot: usize, gh: v128): void {
  // Gradient and hessian sums side by side: one 128-bit add (the same two float64 additions), then the count.
  v128.store(slot, f64x2.add(v128.load(slot), gh));
  store<f64>(slot, load<f64>(slot, 16) + 1, 16);
}

// @ts-ignore: decorator
@inline function addToBinNoCount(slot: usize, gh: v128): void {
  v128.store(slot, f64x2.add(v128.load(slot), gh));
}

/**
 * Adds rows `rowIndex[start..end)` (int32) into the histogram at `hist`: each row's bins are `wordsPerRow`
 * uint32 words at `rowWords + 4·r·wordsPerRow`, four 8-bit bins per word, and its gradient and hessian are
 * float64 at `grad + 8r`, `hess + 8r`. Every (padded) feature slot is added; nobody reads padding slots.
 * With `withCounts` 0 only the gradient and hessian sums are added (the caller fills in the row counts).
 */
export function buildHistogram(
  hist: usize,
  rowIndex: usize,
  start: i32,
  end: i32,
  rowWords: usize,
  wordsPerRow: i32,
  grad: usize,
  hess: usize,
  withCounts: i32,
): void {
  const rowBytes = <usize>wordsPerRow << 2;
  const binBytes = STRIDE * 8;
  if (withCounts != 0) {
    for (let i = start; i < end; i++) {
      const r = <usize>load<i32>(rowIndex + (<usize>i << 2));
      const gh = f64x2.replace_lane(f64x2.splat(load<f64>(grad + (r << 3))), 1, load<f64>(hess + (r << 3)));
      const words = rowWords + r * rowBytes;
      let base = hist;
      for (let j: usize = 0; j < rowBytes; j += 4) {
        const x = load<u32>(words + j);
        addToBin(base + <usize>(x & 255) * binBytes, gh);
        addToBin(base + FEATURE_SLOT_BYTES + <usize>((x >>> 8) & 255) * binBytes, gh);
        addToBin(base + 2 * FEATURE_SLOT_BYTES + <usize>((x >>> 16) & 255) * binBytes, gh);
        addToBin(base + 3 * FEATURE_SLOT_BYTES + <usize>(x >>> 24) * binBytes, gh);
        base += 4 * FEATURE_SLOT_BYTES;
      }
    }
  } else {
    for (let i = start; i < end; i++) {
      const r = <usize>load<i32>(rowIndex + (<usize>i << 2));
      const gh = f64x2.replace_lane(f64x2.splat(load<f64>(grad + (r << 3))), 1, load<f64>(hess + (r << 3)));
      const words = rowWords + r * rowBytes;
      let base = hist;
      for (let j: usize = 0; j < rowBytes; j += 4) {
        const x = load<u32>(words + j);
        addToBinNoCount(base + <usize>(x & 255) * binBytes, gh);
        addToBinNoCount(base + FEATURE_SLOT_BYTES + <usize>((x >>> 8) & 255) * binBytes, gh);
        addToBinNoCount(base + 2 * FEATURE_SLOT_BYTES + <usize>((x >>> 16) & 255) * binBytes, gh);
        addToBinNoCount(base + 3 * FEATURE_SLOT_BYTES + <usize>(x >>> 24) * binBytes, gh);
        base += 4 * FEATURE_SLOT_BYTES;
      }
    }
  }
}

/**
 * Packs the row-major uint8 bins at `bins` (`rows` × `cols`) four to a uint32 word, `wordsPerRow` words per row at
 * `words` (little-endian: feature 4w in the low byte of word w; padding bins 0).
 */
export function packRowWords(bins: usize, rows: i32, cols: i32, words: usize, wordsPerRow: i32): void {
  const rowBytes = <usize>wordsPerRow << 2;
  memory.fill(words, 0, <usize>rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const from = bins + <usize>r * <usize>cols;
    const to = words + <usize>r * rowBytes;
    for (let f = 0; f < cols; f++) store<u8>(to + <usize>f, load<u8>(from + <usize>f));
  }
}

/**
 * Sums the gradients and hessians of rows `rowIndex[0..count)` in that order into `result` (float64 × 2) and
 * returns 1 when the rows are 0, 1, …, count − 1 in order, else 0.
 */
export function sumRows(rowIndex: usize, count: i32, grad: usize, hess: usize, result: usize): i32 {
  let g: f64 = 0;
  let h: f64 = 0;
  let inOrder: i32 = 1;
  for (let i = 0; i < count; i++) {
    const r = load<i32>(rowIndex + (<usize>i << 2));
    inOrder &= i32(r == i);
    g += load<f64>(grad + (<usize>r << 3));
    h += load<f64>(hess + (<usize>r << 3));
  }
  store<f64>(result, g);
  store<f64>(result, h, 8);
  return inOrder;
}

/** Copies the row counts of `slots` histogram bins from the histogram at `from` into the one at `to` (sums untouched). */
export function copyCounts(to: usize, from: usize, slots: i32): void {
  const end = <usize>slots * STRIDE * 8;
  for (let k: usize = 16; k < end; k += STRIDE * 8) store<f64>(to + k, load<f64>(from + k));
}

/**
 * `parent −= child` for the features listed at `features` (int32 × `featureCount`), over their value bins
 * (`valueBins`, int32 per feature) and the missing bin.
 */
export function subtractHistogram(parent: usize, child: usize, features: usize, featureCount: i32, valueBins: usize): void {
  for (let j = 0; j < featureCount; j++) {
    const f = load<i32>(features + (<usize>j << 2));
    const base = <usize>f * FEATURE_SLOT_BYTES;
    const end = base + <usize>load<i32>(valueBins + (<usize>f << 2)) * STRIDE * 8;
    for (let k = base; k < end; k += 8) store<f64>(parent + k, load<f64>(parent + k) - load<f64>(child + k));
    const m = base + <usize>MISSING_BIN * STRIDE * 8;
    store<f64>(parent + m, load<f64>(parent + m) - load<f64>(child + m));
    store<f64>(parent + m + 8, load<f64>(parent + m + 8) - load<f64>(child + m + 8));
    store<f64>(parent + m + 16, load<f64>(parent + m + 16) - load<f64>(child + m + 16));
  }
}

/**
 * Stable partition of `rowIndex[start..end)` by the feature column at `column` (uint8 bin per row): rows with
 * bin <= `splitBin` (and missing rows when `missingLeft` is 1) first, in order, then the others through
 * `scratch`. Returns the index where the right rows start. Branch-free: the side of a row is data-dependent.
 */
export function partitionRows(rowIndex: usize, scratch: usize, start: i32, end: i32, column: usize, splitBin: i32, missingLeft: i32): i32 {
  let l = start;
  let s = 0;
  for (let i = start; i < end; i++) {
    const r = load<i32>(rowIndex + (<usize>i << 2));
    const b = <i32>load<u8>(column + <usize>r);
    const goLeft = i32(b <= splitBin) | (missingLeft & i32(b == MISSING_BIN));
    store<i32>(rowIndex + (<usize>l << 2), r);
    store<i32>(scratch + (<usize>s << 2), r);
    l += goLeft;
    s += 1 - goLeft;
  }
  memory.copy(rowIndex + (<usize>l << 2), scratch, <usize>s << 2);
  return l;
}

/**
 * `G_L²/(H_L+λ) + G_R²/(H_R+λ)` of the split whose left side sums to `gl`, `hl`, `cl` in a node summing to `G`,
 * `H`, `C`; −∞ when a side has a hessian sum not > 0 or below `minH`, or fewer than `minSamplesLeaf` rows.
 */
// @ts-ignore: decorator
@inline function splitScore(gl: f64, hl: f64, cl: f64, G: f64, H: f64, C: f64, lambda: f64, minH: f64, minSamplesLeaf: f64): f64 {
  const hr = H - hl;
  const cr = C - cl;
  if (!(hl > 0 && hr > 0 && hl >= minH && hr >= minH && cl >= minSamplesLeaf && cr >= minSamplesLeaf)) return -Infinity;
  const gr = G - gl;
  return (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda);
}

/**
 * The best split of a node, found by {@link findBestSplit}, at the pointer it is given: float64 × 7 =
 * feature (−1: none), bin, defaultLeft (0/1), leftG, leftH, leftCount, best score.
 */
const RESULT_FEATURE: usize = 0;
const RESULT_BIN: usize = 8;
const RESULT_DEFAULT_LEFT: usize = 16;
const RESULT_LEFT_G: usize = 24;
const RESULT_LEFT_H: usize = 32;
const RESULT_LEFT_COUNT: usize = 40;
const RESULT_SCORE: usize = 48;

/**
 * Scans the histogram at `hist` for the split of the largest score `G_L²/(H_L+λ) + G_R²/(H_R+λ)` over the
 * candidate features (int32 × `candidateCount` at `candidates`), each split point tried with the missing
 * values on either side; a split must leave each side a hessian sum > 0 and >= `minChildWeight`, and
 * `minSamplesLeaf` rows. `G`, `H`, `C` are the node's sums; the score must beat `startScore`. Writes the
 * result at `result` (see RESULT_*).
 */
export function findBestSplit(
  hist: usize,
  candidates: usize,
  candidateCount: i32,
  valueBins: usize,
  G: f64,
  H: f64,
  C: f64,
  lambda: f64,
  minChildWeight: f64,
  minSamplesLeaf: f64,
  startScore: f64,
  result: usize,
): void {
  const minH = max(minChildWeight, 0);
  let bestScore = startScore;
  let bestFeature: i32 = -1;
  let bestBin: i32 = 0;
  let bestDefaultLeft: i32 = 0;
  let bestG: f64 = 0;
  let bestH: f64 = 0;
  let bestCount: f64 = 0;
  for (let j = 0; j < candidateCount; j++) {
    const f = load<i32>(candidates + (<usize>j << 2));
    const base = hist + <usize>f * FEATURE_SLOT_BYTES;
    const m = base + <usize>MISSING_BIN * STRIDE * 8;
    const mg = load<f64>(m);
    const mh = load<f64>(m, 8);
    const mc = load<f64>(m, 16);
    const last = load<i32>(valueBins + (<usize>f << 2)) - 1;
    let gl: f64 = 0;
    let hl: f64 = 0;
    let cl: f64 = 0;
    for (let b = 0; b < last; b++) {
      const k = base + <usize>b * STRIDE * 8;
      const binCount = load<f64>(k, 16);
      // An empty bin gives the same split as the bin before it.
      if (binCount == 0) continue;
      gl += load<f64>(k);
      hl += load<f64>(k, 8);
      cl += binCount;
      // Missing values to the right.
      const right = splitScore(gl, hl, cl, G, H, C, lambda, minH, minSamplesLeaf);
      if (right > bestScore) {
        bestScore = right;
        bestFeature = f;
        bestBin = b;
        bestDefaultLeft = 0;
        bestG = gl;
        bestH = hl;
        bestCount = cl;
      }
      if (mc > 0) {
        // Missing values to the left.
        const left = splitScore(gl + mg, hl + mh, cl + mc, G, H, C, lambda, minH, minSamplesLeaf);
        if (left > bestScore) {
          bestScore = left;
          bestFeature = f;
          bestBin = b;
          bestDefaultLeft = 1;
          bestG = gl + mg;
          bestH = hl + mh;
          bestCount = cl + mc;
        }
      } else if (bestFeature == f && bestBin == b) {
        // No missing values here in training: send future ones to the side that saw more data.
        bestDefaultLeft = i32(hl >= H - hl);
      }
    }
  }
  store<f64>(result + RESULT_FEATURE, <f64>bestFeature);
  store<f64>(result + RESULT_BIN, <f64>bestBin);
  store<f64>(result + RESULT_DEFAULT_LEFT, <f64>bestDefaultLeft);
  store<f64>(result + RESULT_LEFT_G, bestG);
  store<f64>(result + RESULT_LEFT_H, bestH);
  store<f64>(result + RESULT_LEFT_COUNT, bestCount);
  store<f64>(result + RESULT_SCORE, bestScore);
}

export { addToRows, logisticGradients } from './logistic-loss';
