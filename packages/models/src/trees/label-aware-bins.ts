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
  const { cols } = X;
  const edges: Float64Array[] = [];
  const column = new SortedColumn(X, y);
  for (let f = 0; f < cols; f++) {
    // One sort per feature serves the full and the coarse quantile edges and the class cuts.
    column.load(f);
    const full = column.edges(maxBins);
    // Fewer edges than maxBins − 1: the feature has at most maxBins distinct values, each in its own bin.
    if (full.length < maxBins - 1) {
      edges.push(full);
      continue;
    }
    column.positives(f);
    edges.push(mergeEdges(column.edges(maxBins - cuts), classCuts(column, cuts)));
  }
  column.release();
  return { edges };
}

/**
 * Up to `cuts` thresholds, best first, splitting the sorted values into segments of purer labels: each step
 * splits the segment whose best cut (between two distinct values) most reduces Σ n·p(1 − p) — best-first exact
 * splits on the weighted-variance gain of 0/1 labels, scanned in the binning kernel. `column` holds the feature's
 * distinct values and, after `positives()`, those of its positive rows.
 */
function classCuts(column: SortedColumn, cuts: number): number[] {
  const { distinct, size: d } = column;
  column.cumulate();
  const segments = [{ a: 0, b: d, ...column.bestCut(0, d) }];
  const out: number[] = [];
  while (out.length < cuts) {
    let pick = -1;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.at >= 0 && (pick < 0 || segments[i]!.gain > segments[pick]!.gain)) pick = i;
    if (pick < 0) break;
    const { a, b, at } = segments[pick]!;
    out.push(edgeBetween(distinct[at - 1]!, distinct[at]!));
    segments.splice(pick, 1, { a, b: at, ...column.bestCut(a, at) }, { a: at, b, ...column.bestCut(at, b) });
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
