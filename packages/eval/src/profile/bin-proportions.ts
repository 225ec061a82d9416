import { countAtMost } from './quantile.js';

/**
 * The share of `sorted` (ascending, finite) in each bin defined by the ascending inner cut points `edges`:
 * bin 0 is (-inf, edges[0]], bin i is (edges[i-1], edges[i]], the last bin is (edges[last], +inf).
 * Returns `edges.length + 1` proportions summing to 1, or all zeros for an empty sample.
 */
export function binProportions(edges: readonly number[], sorted: Float64Array): Float64Array {
  const out = new Float64Array(edges.length + 1);
  const n = sorted.length;
  if (n === 0) return out;
  // Values <= edges[i] fill bins 0..i: one binary search per edge, no per-value work.
  let previous = 0;
  for (let i = 0; i < edges.length; i++) {
    const atMost = countAtMost(sorted, edges[i]!);
    out[i] = (atMost - previous) / n;
    previous = atMost;
  }
  out[edges.length] = (n - previous) / n;
  return out;
}
