import type { DenseMatrix } from '@mlsd/data';
import { align8, KernelMemory } from '../kernels/kernel-memory.js';
import { forestWalkKernel, type ForestWalkExports } from '../kernels/kernel-modules.js';
import { MIN_ROWS_TO_SHARE, WalkHelpers } from '../kernels/walk-helpers.js';
import type { PackedForest } from './packed-forest-layout.js';

/**
 * A packed forest and a batch of rows in the memory of a WebAssembly tree kernel (`assembly/forest-walk.ts`),
 * which walks them about 2.5x faster than the same branch-free walk in JavaScript (no bounds checks, tighter
 * code). Memory layout: the forest's arrays first, then the rows (float64, row-major), then their outputs.
 *
 * Load a forest once, then rows as often as needed (or rows once and forests one after the other, as boosting
 * does for its validation rows); each {@link addOutputs} walks every loaded tree over every loaded row, split
 * across helper threads ({@link WalkHelpers}) when there are enough rows.
 */
export class ForestKernel {
  private readonly memory = new KernelMemory<ForestWalkExports>(forestWalkKernel());
  /** Bytes reserved for the forest at the start of the memory. */
  private forestBytes = 0;
  private rows = 0;
  private cols = 0;
  private forestLoaded = false;
  /** The arguments of the kernel's `setForest` for the loaded forest (helpers set the same on their instances). */
  private forestArgs = new Int32Array(10);
  /** The helper threads this kernel's memory is attached to (on its first batch worth sharing), and its id there. */
  private helpers: WalkHelpers | null = null;
  private kernelId = 0;

  /** Copies `forest` into the kernel memory (moving the loaded rows up if the forest needs more room). */
  loadForest(forest: PackedForest): void {
    const trees = forest.root.length;
    const nodes = forest.link.length;
    const sizes = [trees * 4, trees * 4, nodes * 4, nodes * 8, nodes * 4, nodes * 4, nodes, nodes * 8].map(align8);
    const needed = sizes.reduce((a, b) => a + b, 0);
    if (needed > this.forestBytes) {
      const rowBytes = this.rowRegionBytes();
      this.memory.reserve(needed + rowBytes);
      if (rowBytes > 0) this.memory.bytes().copyWithin(needed, this.forestBytes, this.forestBytes + rowBytes);
      this.forestBytes = needed;
    }
    const pointers: number[] = [];
    let at = 0;
    for (const size of sizes) {
      pointers.push(at);
      at += size;
    }
    const [root, depth, link, threshold, feature, left, missingRight, value] = pointers as [number, number, number, number, number, number, number, number];
    const m = this.memory;
    m.i32(root, trees).set(forest.root);
    m.i32(depth, trees).set(forest.depth);
    m.i32(link, nodes).set(forest.link);
    m.f64(threshold, nodes).set(forest.threshold);
    m.i32(feature, nodes).set(forest.feature);
    m.i32(left, nodes).set(forest.left);
    m.u8(missingRight, nodes).set(forest.missingRight);
    m.f64(value, nodes).set(forest.value);
    this.forestArgs = Int32Array.of(trees, root, depth, link, threshold, feature, left, missingRight, value, forest.featureBits);
    m.kernels.setForest(trees, root, depth, link, threshold, feature, left, missingRight, value, forest.featureBits);
    this.forestLoaded = true;
  }

  /** Copies rows `from..to` of `X` (float32 data is widened exactly) into the kernel memory, replacing the loaded rows. */
  loadRows(X: DenseMatrix, from: number, to: number): void {
    this.rows = to - from;
    this.cols = X.cols;
    this.memory.reserve(this.forestBytes + this.rowRegionBytes());
    this.memory.f64(this.forestBytes, this.rows * this.cols).set(X.data.subarray(from * X.cols, to * X.cols));
  }

  /**
   * Adds `scale` times the loaded forest's output for each loaded row `i` to `out[offset + i]`, trees in order:
   * the same sums, bit for bit, as walking the trees one by one. Returns how many threads walked.
   */
  addOutputs(out: Float64Array, offset: number, scale: number): number {
    if (!this.forestLoaded) throw new Error('ForestKernel.addOutputs: load a forest first (loadForest).');
    const dataPointer = this.forestBytes;
    const outPointer = dataPointer + align8(this.rows * this.cols * 8);
    const sums = this.memory.f64(outPointer, this.rows);
    sums.set(out.subarray(offset, offset + this.rows));
    const { kernels } = this.memory;
    const cols = this.cols;
    const walkPart = (start: number, end: number): void =>
      kernels.addForestOutputs(dataPointer + start * cols * 8, cols, end - start, outPointer + start * 8, scale);
    const helpers = this.rows >= MIN_ROWS_TO_SHARE ? this.sharedHelpers() : null;
    const threads = helpers?.walk(this.kernelId, this.forestArgs, dataPointer, cols, this.rows, outPointer, scale, walkPart) ?? 1;
    if (threads === 1) walkPart(0, this.rows);
    out.set(this.memory.f64(outPointer, this.rows), offset);
    return threads;
  }

  /** The helper threads, this kernel's memory attached to them on the first call; null without helpers. */
  private sharedHelpers(): WalkHelpers | null {
    if (this.helpers === null) {
      this.helpers = WalkHelpers.shared();
      if (this.helpers !== null) this.kernelId = this.helpers.attach(this.memory.memory, this);
    }
    return this.helpers;
  }

  private rowRegionBytes(): number {
    return align8(this.rows * this.cols * 8) + this.rows * 8;
  }
}
