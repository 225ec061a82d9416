import { SeededRandom, denseMatrix } from '@mlsd/data';
import type { DenseMatrix } from '@mlsd/data';

/** A small labelled data set for tests. */
export interface LabelledData {
  readonly X: DenseMatrix;
  readonly y: Uint8Array;
}

/** Feature names of the synthetic data sets. */
export const SYNTHETIC_FEATURES = ['signal_a', 'signal_b', 'signal_c', 'noise'] as const;

/**
 * A noisy logistic problem: four standard-normal features, P(y = 1) = σ(−1 + 1.5·a − b + 0.5·c) (the fourth
 * feature is noise), so about 30% positives and a Bayes ROC AUC near 0.83. Same seed, same data.
 */
export function noisyLogistic(rows: number, seed: number): LabelledData {
  const random = new SeededRandom(seed);
  const cols = SYNTHETIC_FEATURES.length;
  const data = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = random.normal();
    const z = -1 + 1.5 * data[i * cols]! - data[i * cols + 1]! + 0.5 * data[i * cols + 2]!;
    y[i] = random.nextFloat() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X: denseMatrix(data, rows, cols, SYNTHETIC_FEATURES), y };
}

/**
 * A separable problem: y = 1 exactly when a + b > 0, with no point closer than 0.5 to that boundary (points
 * nearer are redrawn), c and the fourth feature noise. Any sensible classifier reaches ROC AUC near 1.
 */
export function separable(rows: number, seed: number): LabelledData {
  const random = new SeededRandom(seed);
  const cols = SYNTHETIC_FEATURES.length;
  const data = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    let margin = 0;
    do {
      for (let j = 0; j < cols; j++) data[i * cols + j] = random.normal();
      margin = data[i * cols]! + data[i * cols + 1]!;
    } while (Math.abs(margin) < 0.5);
    y[i] = margin > 0 ? 1 : 0;
  }
  return { X: denseMatrix(data, rows, cols, SYNTHETIC_FEATURES), y };
}

/**
 * ROC AUC by the Mann–Whitney statistic with average ranks for ties: the probability that a random positive
 * scores above a random negative (ties count one half). NaN when a class is absent.
 */
export function rocAuc(scores: Float64Array, y: Uint8Array): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (y[order[k]!] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
