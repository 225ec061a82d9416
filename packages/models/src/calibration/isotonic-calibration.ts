import { MlsdError } from '@mlsd/data';

/**
 * A fitted isotonic calibration: the non-decreasing step values of pool-adjacent-violators, kept as the points
 * (x[k], y[k]) (each block's first and last score), interpolated linearly between them and clipped outside, as
 * scikit-learn's `IsotonicRegression(out_of_bounds='clip')` predicts.
 */
export interface IsotonicCalibration {
  readonly method: 'isotonic';
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** One block of pooled rows: its score range, weight and mean label. */
interface Block {
  lo: number;
  hi: number;
  weight: number;
  mean: number;
}

/**
 * Fits isotonic regression of 0/1 labels `y` on scores `s` by pool-adjacent-violators: rows sorted by score
 * (equal scores pooled first), then adjacent blocks merged while a block's mean exceeds its successor's. Each
 * block's value is the mean label of its rows, so every value lies in [0, 1].
 */
export function fitIsotonicCalibration(s: ArrayLike<number>, y: ArrayLike<number>): IsotonicCalibration {
  const n = s.length;
  if (y.length !== n || n === 0) {
    throw new MlsdError('INVALID_INPUT', `fitIsotonicCalibration: ${n} scores and ${y.length} labels; pass one 0/1 label per score (at least one row).`);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => s[i]! - s[j]!);
  const blocks: Block[] = [];
  for (let k = 0; k < n; ) {
    const value = s[order[k]!]!;
    if (!Number.isFinite(value)) {
      throw new MlsdError('INVALID_INPUT', `fitIsotonicCalibration: score ${order[k]} is ${value}; pass finite scores.`);
    }
    let sum = 0;
    let count = 0;
    while (k < n && s[order[k]!] === value) {
      sum += y[order[k]!]!;
      count++;
      k++;
    }
    blocks.push({ lo: value, hi: value, weight: count, mean: sum / count });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.mean >= blocks[blocks.length - 1]!.mean) {
      const last = blocks.pop()!;
      const previous = blocks[blocks.length - 1]!;
      const weight = previous.weight + last.weight;
      previous.mean = (previous.mean * previous.weight + last.mean * last.weight) / weight;
      previous.weight = weight;
      previous.hi = last.hi;
    }
  }
  const x: number[] = [];
  const values: number[] = [];
  for (const block of blocks) {
    x.push(block.lo);
    values.push(block.mean);
    if (block.hi !== block.lo) {
      x.push(block.hi);
      values.push(block.mean);
    }
  }
  return { method: 'isotonic', x, y: values };
}

/** Applies an isotonic calibration to one score: linear between its points, clipped outside. */
export function applyIsotonic(calibration: IsotonicCalibration, score: number): number {
  const { x, y } = calibration;
  if (score <= x[0]!) return y[0]!;
  const last = x.length - 1;
  if (score >= x[last]!) return y[last]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= score) lo = mid;
    else hi = mid;
  }
  const t = (score - x[lo]!) / (x[hi]! - x[lo]!);
  return y[lo]! + t * (y[hi]! - y[lo]!);
}
