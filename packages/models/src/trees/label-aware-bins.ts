import { MlsdError, type DenseMatrix } from '@mlsd/data';
import { edgeBetween, fitQuantileBins, MAX_VALUE_BINS, SortedColumn, type QuantileBins } from './quantile-bins.js';

/**
 * Bin edges that keep the thresholds the labels need: for every feature with more distinct values than
 * `maxBins`, the quantile edges of `maxBins − cuts` bins plus up to `cuts` edges at the best univariate class
 * splits of that feature (best-first exact splits on the sorted values, the weighted-variance gain of 0/1
 * labels = Gini, unweighted like the quantile edges), so at most `maxBins` bins in all. A feature with at most
 * `maxBins` distinct values gets one bin per value, as in {@link fitQuantileBins}. With `cuts = 0` this is
 * `fitQuantileBins(X, maxBins)`.
 *
 * Why: equal-count bins can put a sharp class boundary (the simulator's "amount > 220 is fraud") inside a bin
 * of a few hundred rows, which no split on bins can separate; exact trees (scikit-learn) split there.
 * Measured on the Handbook split, binning only TX_AMOUNT to 255 quantile bins cost scikit-learn's forest
 * 0.03 average precision, and these edges win it back (packages/models/README.md, "Random forest vs scikit-learn").
 */
export function fitLabelAwareBins(X: DenseMatrix, y: Uint8Array, maxBins: number, cuts: number): QuantileBins {
  if (!Number.isInteger(cuts) || cuts < 0 || cuts > maxBins - 2) {
    throw new MlsdError(
      'INVALID_OPTION',
      `labelCuts must be an integer in [0, maxBins − 2] = [0, ${maxBins - 2}], got ${cuts}. Lower it or raise maxBins (<= ${MAX_VALUE_BINS}).`,
      { location: { field: 'labelCuts' } },
    );
  }
  if (cuts === 0) return fitQuantileBins(X, maxBins);
  const { rows, cols } = X;
  const edges: Float64Array[] = [];
  const column = new SortedColumn(X, y);
  const rowsUpTo = new Float64Array(rows);
  const positivesUpTo = new Float64Array(rows);
  for (let f = 0; f < cols; f++) {
    // One sort per feature serves the full and the coarse quantile edges and the class cuts.
    column.load(f);
    const full = column.edges(maxBins);
    // Fewer edges than maxBins − 1: the feature has at most maxBins distinct values, each in its own bin.
    if (full.length < maxBins - 1) {
      edges.push(full);
      continue;
    }
    const sortedPositives = column.positives(f);
    edges.push(mergeEdges(column.edges(maxBins - cuts), classCuts(column, sortedPositives, cuts, rowsUpTo, positivesUpTo)));
  }
  column.release();
  return { edges };
}

/**
 * Up to `cuts` thresholds, best first, splitting the sorted values into segments of purer labels: each step
 * splits the segment whose best cut (between two distinct values) most reduces Σ n·p(1 − p). `column` holds
 * every value, `sortedPositives` those of the positive rows; `rowsUpTo` and `positivesUpTo` are buffers (at
 * least one slot per distinct value).
 */
function classCuts(column: SortedColumn, sortedPositives: Float64Array, cuts: number, rowsUpTo: Float64Array, positivesUpTo: Float64Array): number[] {
  // Cumulative counts of rows and positives up to and including each distinct value.
  const { distinct, counts, size: d } = column;
  let q = 0;
  for (let i = 0; i < d; i++) {
    const v = distinct[i]!;
    rowsUpTo[i] = (i === 0 ? 0 : rowsUpTo[i - 1]!) + counts[i]!;
    let s = i === 0 ? 0 : positivesUpTo[i - 1]!;
    while (q < sortedPositives.length && sortedPositives[q]! <= v) {
      if (sortedPositives[q] === v) s++;
      q++;
    }
    positivesUpTo[i] = s;
  }
  const before = (i: number, a: Float64Array): number => (i === 0 ? 0 : a[i - 1]!);
  // The best cut of distinct values [a, b): the first value of the right part and the gain.
  const best = (a: number, b: number): { at: number; gain: number } => {
    const n0 = before(a, rowsUpTo);
    const s0 = before(a, positivesUpTo);
    const n = rowsUpTo[b - 1]! - n0;
    const s = positivesUpTo[b - 1]! - s0;
    const parent = (s * s) / n;
    let at = -1;
    let gain = 1e-12 * n;
    for (let k = a + 1; k < b; k++) {
      const nl = rowsUpTo[k - 1]! - n0;
      const sl = positivesUpTo[k - 1]! - s0;
      const g = (sl * sl) / nl + ((s - sl) * (s - sl)) / (n - nl) - parent;
      if (g > gain) {
        gain = g;
        at = k;
      }
    }
    return { at, gain };
  };
  const segments = [{ a: 0, b: d, ...best(0, d) }];
  const out: number[] = [];
  while (out.length < cuts) {
    let pick = -1;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.at >= 0 && (pick < 0 || segments[i]!.gain > segments[pick]!.gain)) pick = i;
    if (pick < 0) break;
    const { a, b, at } = segments[pick]!;
    out.push(edgeBetween(distinct[at - 1]!, distinct[at]!));
    segments.splice(pick, 1, { a, b: at, ...best(a, at) }, { a: at, b, ...best(at, b) });
  }
  return out;
}

/** The sorted union of two edge lists, without repeats. */
function mergeEdges(a: Float64Array, b: readonly number[]): Float64Array {
  const merged = Float64Array.from([...a, ...b]).sort();
  let k = 0;
  for (let i = 0; i < merged.length; i++) if (k === 0 || merged[i] !== merged[k - 1]) merged[k++] = merged[i]!;
  return merged.slice(0, k);
}
