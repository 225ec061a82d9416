/** The validation metric boosting stops early on. */
export type EarlyStoppingMetric = 'logloss' | 'average-precision';

/** Mean logistic loss of raw margins (log-odds) against 0/1 labels; lower is better. Stable for large margins. */
export function logLossOfMargins(margins: Float64Array, labels: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < margins.length; i++) {
    const m = margins[i]!;
    // log(1 + e^m) − y·m, written to avoid overflow of e^m.
    const softplus = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    sum += softplus - labels[i]! * m;
  }
  return sum / margins.length;
}

/**
 * Average precision of `scores` against 0/1 labels, as scikit-learn's `average_precision_score` (tied scores
 * enter together); higher is better, NaN without positives. The positives' and negatives' scores are sorted
 * apart with the native numeric sort and merged from the top, so a call costs two typed-array sorts and no
 * comparator calls: it runs every boosting round.
 */
export function averagePrecisionOfScores(scores: Float64Array, labels: Uint8Array): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i]!;
  if (positives === 0) return Number.NaN;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(labels.length - positives);
  let p = 0;
  let q = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  pos.sort();
  neg.sort();
  // Walk both from the highest score down, one distinct threshold at a time.
  let i = pos.length - 1;
  let j = neg.length - 1;
  let truePositives = 0;
  let seen = 0;
  let sum = 0;
  while (i >= 0) {
    const threshold = j >= 0 && neg[j]! > pos[i]! ? neg[j]! : pos[i]!;
    let gained = 0;
    while (i >= 0 && pos[i] === threshold) {
      gained++;
      i--;
    }
    while (j >= 0 && neg[j] === threshold) {
      seen++;
      j--;
    }
    seen += gained;
    truePositives += gained;
    if (gained > 0) sum += (gained / positives) * (truePositives / seen);
  }
  return sum;
}
