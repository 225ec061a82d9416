import type { CompactTree } from './compact-tree.js';

/** The split gains of one tree summed per feature. */
export function gainByFeature(tree: CompactTree, gains: Float64Array, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let node = 0; node < tree.feature.length; node++) {
    const f = tree.feature[node]!;
    if (f >= 0) out[f]! += gains[node]!;
  }
  return out;
}

/** Scales `values` in place to sum 1 (left as is when the sum is 0). */
export function normalise(values: Float64Array): void {
  let sum = 0;
  for (const v of values) sum += v;
  if (sum > 0) for (let i = 0; i < values.length; i++) values[i]! /= sum;
}
