/**
 * AssemblyScript: the walk of a packed forest over a batch of rows (see `src/trees/packed-forest.ts` for the
 * layout and `src/trees/forest-kernel.ts` for the JavaScript side). Compiled to WebAssembly by
 * `scripts/compile-kernels.ts`; every pointer is a byte offset into the kernel's memory.
 */

/** Rows per block: a block's rows stay in cache while every tree walks them. */
const BLOCK_ROWS: i32 = 512;

/** Where the arrays of a packed forest are (byte offsets); set once per forest by `setForest`. */
let trees: i32 = 0;
let rootPtr: usize = 0;
let depthPtr: usize = 0;
let linkPtr: usize = 0;
let thresholdPtr: usize = 0;
let featurePtr: usize = 0;
let leftPtr: usize = 0;
let missingRightPtr: usize = 0;
let valuePtr: usize = 0;
let featureBits: i32 = 0;

/** Records where the forest's arrays are: int32 root, depth, link, feature, left; float64 threshold, value; uint8 missingRight. */
export function setForest(
  treeCount: i32,
  root: usize,
  depth: usize,
  link: usize,
  threshold: usize,
  feature: usize,
  left: usize,
  missingRight: usize,
  value: usize,
  bits: i32,
): void {
  trees = treeCount;
  rootPtr = root;
  depthPtr = depth;
  linkPtr = link;
  thresholdPtr = threshold;
  featurePtr = feature;
  leftPtr = left;
  missingRightPtr = missingRight;
  valuePtr = value;
  featureBits = bits;
}

/**
 * Adds `scale` times the forest's output to `out[r]` (float64) for rows `0..rowCount` of the row-major float64
 * matrix at `data` with `cols` columns, trees in order, a block of rows at a time.
 */
export function addForestOutputs(data: usize, cols: i32, rowCount: i32, out: usize, scale: f64): void {
  for (let start = 0; start < rowCount; start += BLOCK_ROWS) {
    const end = min(rowCount, start + BLOCK_ROWS);
    if (hasMissing(data + ((<usize>start * <usize>cols) << 3), data + ((<usize>end * <usize>cols) << 3))) {
      addBlockWithMissing(data, cols, start, end, out, scale);
    } else {
      addBlock(data, cols, start, end, out, scale);
    }
  }
}

function hasMissing(from: usize, to: usize): bool {
  for (let p = from; p < to; p += 8) {
    const v = load<f64>(p);
    if (v != v) return true;
  }
  return false;
}

/**
 * One step of a walk without NaN: `left + (x > threshold)`, no branch on the data. The forest's pointers come
 * in as arguments (locals of the caller): read from globals at every step, the walk is 40% slower.
 */
// @ts-ignore: decorator
@inline function step(node: i32, rowBase: usize, data: usize, links: usize, thresholds: usize, bits: i32, mask: i32): i32 {
  const link = load<i32>(links + (<usize>node << 2));
  const x = load<f64>(data + ((rowBase + <usize>(link & mask)) << 3));
  return (link >> bits) + i32(x > load<f64>(thresholds + (<usize>node << 3)));
}

// @ts-ignore: decorator
@inline function addLeaf(out: usize, row: i32, node: i32, values: usize, scale: f64): void {
  const o = out + (<usize>row << 3);
  store<f64>(o, load<f64>(o) + scale * load<f64>(values + (<usize>node << 3)));
}

/** Rows `start..end` without NaN: eight independent walks at a time, so their memory loads overlap. */
function addBlock(data: usize, cols: i32, start: i32, end: i32, out: usize, scale: f64): void {
  const bits = featureBits;
  const mask = (1 << bits) - 1;
  const links = linkPtr;
  const thresholds = thresholdPtr;
  const values = valuePtr;
  const stride = <usize>cols;
  for (let t = 0; t < trees; t++) {
    const n0 = load<i32>(rootPtr + (<usize>t << 2));
    const steps = load<i32>(depthPtr + (<usize>t << 2));
    let r = start;
    for (; r + 8 <= end; r += 8) {
      const b0 = <usize>r * stride;
      const b1 = b0 + stride;
      const b2 = b1 + stride;
      const b3 = b2 + stride;
      const b4 = b3 + stride;
      const b5 = b4 + stride;
      const b6 = b5 + stride;
      const b7 = b6 + stride;
      let a0 = n0;
      let a1 = n0;
      let a2 = n0;
      let a3 = n0;
      let a4 = n0;
      let a5 = n0;
      let a6 = n0;
      let a7 = n0;
      // Every walk takes `steps` steps (a leaf loops on itself). Stopping a group once all its walks are on
      // leaves, which pays in JavaScript for deep trees, made no difference here, even for 30-deep trees.
      for (let s = 0; s < steps; s++) {
        a0 = step(a0, b0, data, links, thresholds, bits, mask);
        a1 = step(a1, b1, data, links, thresholds, bits, mask);
        a2 = step(a2, b2, data, links, thresholds, bits, mask);
        a3 = step(a3, b3, data, links, thresholds, bits, mask);
        a4 = step(a4, b4, data, links, thresholds, bits, mask);
        a5 = step(a5, b5, data, links, thresholds, bits, mask);
        a6 = step(a6, b6, data, links, thresholds, bits, mask);
        a7 = step(a7, b7, data, links, thresholds, bits, mask);
      }
      addLeaf(out, r, a0, values, scale);
      addLeaf(out, r + 1, a1, values, scale);
      addLeaf(out, r + 2, a2, values, scale);
      addLeaf(out, r + 3, a3, values, scale);
      addLeaf(out, r + 4, a4, values, scale);
      addLeaf(out, r + 5, a5, values, scale);
      addLeaf(out, r + 6, a6, values, scale);
      addLeaf(out, r + 7, a7, values, scale);
    }
    for (; r < end; r++) {
      const b = <usize>r * stride;
      let a = n0;
      for (let s = 0; s < steps; s++) a = step(a, b, data, links, thresholds, bits, mask);
      addLeaf(out, r, a, values, scale);
    }
  }
}

/** Rows `start..end` of a block holding a NaN: one walk at a time, a missing value sent per `missingRight`. */
function addBlockWithMissing(data: usize, cols: i32, start: i32, end: i32, out: usize, scale: f64): void {
  const stride = <usize>cols;
  for (let t = 0; t < trees; t++) {
    const n0 = load<i32>(rootPtr + (<usize>t << 2));
    const steps = load<i32>(depthPtr + (<usize>t << 2));
    for (let r = start; r < end; r++) {
      const b = <usize>r * stride;
      let a = n0;
      for (let s = 0; s < steps; s++) {
        const node = <usize>a;
        const x = load<f64>(data + ((b + <usize>load<i32>(featurePtr + (node << 2))) << 3));
        const right = x > load<f64>(thresholdPtr + (node << 3)) ? 1 : x != x ? i32(load<u8>(missingRightPtr + node)) : 0;
        a = load<i32>(leftPtr + (node << 2)) + right;
      }
      addLeaf(out, r, a, valuePtr, scale);
    }
  }
}
