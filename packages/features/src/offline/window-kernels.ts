import type { WindowAggregate } from '../definitions/feature-definition.js';

/**
 * Kernels over rows already grouped by entity and put in event order (see `EntityGroups`): position `k` of
 * `times`/`values` is the k-th event of its group. Each writes one value per position into `out`.
 * Windows are found with two pointers, so each kernel is O(n) except `std`, which rescans its window.
 */

/**
 * Aggregate of `values` over the window `(t_k - windowMs, t_k]` of each position, limited to positions at or
 * before `k` in its group (ties in time count only when they come first in event order).
 */
export function windowKernel(
  agg: WindowAggregate,
  times: Float64Array,
  values: Float64Array | undefined,
  starts: Int32Array,
  windowMs: number,
  out: Float64Array,
): void {
  switch (agg) {
    case 'count':
      return countKernel(times, starts, windowMs, out);
    case 'sum':
    case 'mean':
      return sumKernel(times, values!, starts, windowMs, agg === 'mean', out);
    case 'min':
    case 'max':
      return extremumKernel(times, values!, starts, windowMs, agg === 'max', out);
    case 'std':
      return stdKernel(times, values!, starts, windowMs, out);
  }
}

function countKernel(times: Float64Array, starts: Int32Array, windowMs: number, out: Float64Array): void {
  for (let g = 0; g + 1 < starts.length; g++) {
    const end = starts[g + 1]!;
    let lo = starts[g]!;
    for (let k = starts[g]!; k < end; k++) {
      const from = times[k]! - windowMs;
      while (times[lo]! <= from) lo++;
      out[k] = k - lo + 1;
    }
  }
}

function sumKernel(
  times: Float64Array,
  values: Float64Array,
  starts: Int32Array,
  windowMs: number,
  mean: boolean,
  out: Float64Array,
): void {
  for (let g = 0; g + 1 < starts.length; g++) {
    const end = starts[g + 1]!;
    let lo = starts[g]!;
    // Neumaier-compensated running sum: adding and removing over a long history must not drift, so that the
    // offline value matches the online executor's fresh sum over the same window to ~1e-15 relative.
    let sum = 0;
    let carry = 0;
    for (let k = starts[g]!; k < end; k++) {
      const from = times[k]! - windowMs;
      while (times[lo]! <= from) {
        const x = -values[lo]!;
        const s = sum + x;
        carry += Math.abs(sum) >= Math.abs(x) ? sum - s + x : x - s + sum;
        sum = s;
        lo++;
      }
      if (lo === k) {
        sum = 0;
        carry = 0;
      }
      const x = values[k]!;
      const s = sum + x;
      carry += Math.abs(sum) >= Math.abs(x) ? sum - s + x : x - s + sum;
      sum = s;
      out[k] = mean ? (sum + carry) / (k - lo + 1) : sum + carry;
    }
  }
}

function extremumKernel(
  times: Float64Array,
  values: Float64Array,
  starts: Int32Array,
  windowMs: number,
  max: boolean,
  out: Float64Array,
): void {
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
      out[k] = values[deque[head]!]!;
    }
  }
}

function stdKernel(times: Float64Array, values: Float64Array, starts: Int32Array, windowMs: number, out: Float64Array): void {
  for (let g = 0; g + 1 < starts.length; g++) {
    const end = starts[g + 1]!;
    let lo = starts[g]!;
    for (let k = starts[g]!; k < end; k++) {
      const from = times[k]! - windowMs;
      while (times[lo]! <= from) lo++;
      out[k] = windowStd(values, lo, k + 1);
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

/**
 * Count (`rate` false) or label-1 fraction (`rate` true; 0 for an empty window) of each position's delayed window
 * `(t_k - windowMs - delayMs, t_k - delayMs]` within its group. `delayMs` > 0, so the window only holds events
 * strictly earlier in time than position k.
 */
export function delayedLabelKernel(
  times: Float64Array,
  labels: Float64Array,
  starts: Int32Array,
  windowMs: number,
  delayMs: number,
  rate: boolean,
  out: Float64Array,
): void {
  for (let g = 0; g + 1 < starts.length; g++) {
    const end = starts[g + 1]!;
    let lo = starts[g]!;
    let hi = starts[g]!;
    let frauds = 0;
    for (let k = starts[g]!; k < end; k++) {
      const to = times[k]! - delayMs;
      const from = to - windowMs;
      while (times[hi]! <= to) frauds += labels[hi++]!;
      while (lo < hi && times[lo]! <= from) frauds -= labels[lo++]!;
      const count = hi - lo;
      out[k] = rate ? (count === 0 ? 0 : frauds / count) : count;
    }
  }
}
