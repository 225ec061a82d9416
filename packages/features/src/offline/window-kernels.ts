/**
 * Window kernels of the offline executor. They run over one entity column's layout (see `entityLayout`): every
 * entity's events contiguous and in event order (time, then row index), entity g at positions `starts[g]` to
 * `starts[g + 1] - 1`. Each kernel is a two-pointer sweep per entity reading memory sequentially, and writes the
 * values of position k to its slot of a {@link LaneOutput}; the caller moves results back to row order once per
 * entity column. (Random access, not arithmetic, is what costs at millions of rows.)
 */

/** One entity column's laid-out events, shared by all kernels over that entity. */
export interface Lane {
  /** `groupCount + 1` offsets of each entity's positions. */
  readonly starts: Int32Array;
  /** Event times by position. */
  readonly times: Float64Array;
}

/**
 * Where kernels write: the value of position `k` for output column `c` goes to `buffer[slots[k] * width + c]` (see
 * `blockSlots`: slots group positions by block of rows, so that moving results to row order streams). An offset
 * of -1 means "not asked for".
 */
export interface LaneOutput {
  readonly buffer: Float64Array;
  readonly width: number;
  /** The slot of each position. */
  readonly slots: Int32Array;
}

/** Output columns of one window of {@link sumWindowsKernel}; -1 when not wanted. */
export interface SumWindowColumns {
  readonly windowMs: number;
  readonly count: number;
  readonly sum: number;
  readonly mean: number;
  /** The current value divided by the window mean (0 when the mean is 0). */
  readonly ratio: number;
}

/**
 * Count, sum, mean and ratio-to-mean over each position's windows `(t - windowMs, t]` among its entity's events at
 * or before it in event order (ties in time count only when they come first), for several windows in one sweep.
 * `values` may be undefined when only counts are asked for.
 */
export function sumWindowsKernel(lane: Lane, values: Float64Array | undefined, windows: readonly SumWindowColumns[], out: LaneOutput): void {
  const { starts, times } = lane;
  const { buffer, width, slots } = out;
  const w = windows.length;
  const spans = Float64Array.from(windows, (window) => window.windowMs);
  const countAt = Int32Array.from(windows, (window) => window.count);
  const sumAt = Int32Array.from(windows, (window) => window.sum);
  const meanAt = Int32Array.from(windows, (window) => window.mean);
  const ratioAt = Int32Array.from(windows, (window) => window.ratio);
  const los = new Int32Array(w);
  // Neumaier-compensated running sums: adding and removing over a long history must not drift, so that the
  // offline value matches the online executor's fresh sum over the same window to ~1e-15 relative.
  const sums = new Float64Array(w);
  const carries = new Float64Array(w);
  for (let g = 0; g + 1 < starts.length; g++) {
    const end = starts[g + 1]!;
    los.fill(starts[g]!);
    sums.fill(0);
    carries.fill(0);
    for (let k = starts[g]!; k < end; k++) {
      const t = times[k]!;
      const x = values === undefined ? 0 : values[k]!;
      const at = slots[k]! * width;
      for (let q = 0; q < w; q++) {
        const from = t - spans[q]!;
        let lo = los[q]!;
        if (values === undefined) {
          while (times[lo]! <= from) lo++;
        } else {
          let sum = sums[q]!;
          let carry = carries[q]!;
          while (times[lo]! <= from) {
            const y = -values[lo]!;
            const s = sum + y;
            carry += Math.abs(sum) >= Math.abs(y) ? sum - s + y : y - s + sum;
            sum = s;
            lo++;
          }
          if (lo === k) {
            sum = 0;
            carry = 0;
          }
          const s = sum + x;
          carry += Math.abs(sum) >= Math.abs(x) ? sum - s + x : x - s + sum;
          sum = s;
          sums[q] = sum;
          carries[q] = carry;
          const total = sum + carry;
          const mean = total / (k - lo + 1);
          if (sumAt[q]! >= 0) buffer[at + sumAt[q]!] = total;
          if (meanAt[q]! >= 0) buffer[at + meanAt[q]!] = mean;
          if (ratioAt[q]! >= 0) buffer[at + ratioAt[q]!] = mean === 0 ? 0 : x / mean;
        }
        los[q] = lo;
        if (countAt[q]! >= 0) buffer[at + countAt[q]!] = k - lo + 1;
      }
    }
  }
}

/** Minimum (`max` false) or maximum of each position's window, as in {@link sumWindowsKernel}; exact. */
export function extremumKernel(lane: Lane, values: Float64Array, windowMs: number, max: boolean, out: LaneOutput, column: number): void {
  const { starts, times } = lane;
  const { buffer, width, slots } = out;
  // A monotonic deque of positions whose values are candidates for the window extremum.
  const deque = new Int32Array(times.length);
  for (let g = 0; g + 1 < starts.length; g++) {
    const end = starts[g + 1]!;
    let lo = starts[g]!;
    let head = 0;
    let tail = 0;
    for (let k = starts[g]!; k < end; k++) {
      const from = times[k]! - windowMs;
      while (times[lo]! <= from) lo++;
      const x = values[k]!;
      if (max) while (tail > head && values[deque[tail - 1]!]! <= x) tail--;
      else while (tail > head && values[deque[tail - 1]!]! >= x) tail--;
      deque[tail++] = k;
      while (deque[head]! < lo) head++;
      buffer[slots[k]! * width + column] = values[deque[head]!]!;
    }
  }
}

/** Population standard deviation of each position's window, as in {@link sumWindowsKernel}. */
export function stdKernel(lane: Lane, values: Float64Array, windowMs: number, out: LaneOutput, column: number): void {
  const { starts, times } = lane;
  const { buffer, width, slots } = out;
  for (let g = 0; g + 1 < starts.length; g++) {
    const end = starts[g + 1]!;
    let lo = starts[g]!;
    for (let k = starts[g]!; k < end; k++) {
      const from = times[k]! - windowMs;
      while (times[lo]! <= from) lo++;
      buffer[slots[k]! * width + column] = windowStd(values, lo, k + 1);
    }
  }
}

/**
 * Population standard deviation of `values[from..to)`, two-pass (mean, then squared deviations) in index order.
 * The online executor runs the same arithmetic in the same order, so both give identical bits.
 */
export function windowStd(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let j = from; j < to; j++) sum += values[j]!;
  const mean = sum / (to - from);
  let squares = 0;
  for (let j = from; j < to; j++) {
    const d = values[j]! - mean;
    squares += d * d;
  }
  return Math.sqrt(squares / (to - from));
}

/** Output columns of one window of {@link delayedLabelsKernel}; -1 when not wanted. */
export interface DelayedWindowColumns {
  readonly windowMs: number;
  readonly count: number;
  readonly rate: number;
}

/**
 * Count and label-1 fraction (0 for an empty window) of each position's delayed windows
 * `(t - windowMs - delayMs, t - delayMs]` among its entity's events, for several windows sharing one delay in one
 * sweep. `delayMs` > 0, so the windows only hold events strictly earlier in time.
 */
export function delayedLabelsKernel(lane: Lane, labels: Uint8Array, delayMs: number, windows: readonly DelayedWindowColumns[], out: LaneOutput): void {
  const { starts, times } = lane;
  const { buffer, width, slots } = out;
  const w = windows.length;
  const spans = Float64Array.from(windows, (window) => window.windowMs);
  const countAt = Int32Array.from(windows, (window) => window.count);
  const rateAt = Int32Array.from(windows, (window) => window.rate);
  const los = new Int32Array(w);
  // Label-1 counts of the entity's events before `hi` and before each `lo`: window counts are exact differences.
  const before = new Float64Array(w);
  for (let g = 0; g + 1 < starts.length; g++) {
    const end = starts[g + 1]!;
    let hi = starts[g]!;
    let upToHi = 0;
    los.fill(starts[g]!);
    before.fill(0);
    for (let k = starts[g]!; k < end; k++) {
      const to = times[k]! - delayMs;
      while (times[hi]! <= to) upToHi += labels[hi++]!;
      const at = slots[k]! * width;
      for (let q = 0; q < w; q++) {
        const from = to - spans[q]!;
        let lo = los[q]!;
        let upToLo = before[q]!;
        while (lo < hi && times[lo]! <= from) upToLo += labels[lo++]!;
        los[q] = lo;
        before[q] = upToLo;
        const count = hi - lo;
        if (countAt[q]! >= 0) buffer[at + countAt[q]!] = count;
        if (rateAt[q]! >= 0) buffer[at + rateAt[q]!] = count === 0 ? 0 : (upToHi - upToLo) / count;
      }
    }
  }
}
