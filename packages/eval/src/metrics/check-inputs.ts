import { MlsdError, countPositives } from '@mlsd/data';

/** The label and options checks every package shares, re-exported for the metrics of this folder. */
export { countPositives, rejectUnknownOptions } from '@mlsd/data';

/** Scores or probabilities, one per row. */
export type Scores = Float64Array | Float32Array;

/** Per-row numeric keys (card ids, day indices): any typed array of numbers. */
export type NumericKeys = Float64Array | Float32Array | Int32Array | Uint32Array;

/** Throws `INVALID_INPUT` unless `actual` has `expected` rows, naming both arguments. */
export function checkLength(argument: string, actual: number, reference: string, expected: number): void {
  if (actual !== expected) {
    throw new MlsdError('INVALID_INPUT', `${argument} has ${actual} rows but ${reference} has ${expected}; pass one value per row, in the same order.`, {
      location: { field: argument },
    });
  }
}

/** Counts the positives of a 0/1 label array; throws `INVALID_INPUT` naming the first row that is not 0 or 1. */

/** Throws `INVALID_INPUT` naming the first row whose value is NaN or infinite. */
export function checkFinite(values: Scores | NumericKeys, argument: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) {
      throw new MlsdError('INVALID_INPUT', `${argument}[${i}] is ${value}; every value must be a finite number.`, {
        location: { row: i, field: argument },
      });
    }
  }
}

/** Throws `INVALID_INPUT` naming the first row whose value is not a probability in [0, 1]. */
export function checkProbabilities(values: Scores, argument: string): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!(value >= 0 && value <= 1)) {
      throw new MlsdError('INVALID_INPUT', `${argument}[${i}] is ${value}; this metric needs probabilities in [0, 1] (use predictProba, not raw scores).`, {
        location: { row: i, field: argument },
      });
    }
  }
}

/** Throws `INVALID_INPUT` naming the first weight that is negative or not finite, or a length mismatch. */
export function checkWeights(weights: Float64Array, rows: number, argument = 'sampleWeight'): void {
  checkLength(argument, weights.length, 'labels', rows);
  for (let i = 0; i < weights.length; i++) {
    const weight = weights[i]!;
    if (!(weight >= 0) || !Number.isFinite(weight)) {
      throw new MlsdError('INVALID_INPUT', `${argument}[${i}] is ${weight}; weights must be finite and >= 0.`, {
        location: { row: i, field: argument },
      });
    }
  }
}

/** Checks labels and scores of a ranking metric together: same length, labels 0/1, finite scores. */
export function checkLabelsAndScores(labels: Uint8Array, scores: Scores, scoresArgument = 'scores'): number {
  checkLength(scoresArgument, scores.length, 'labels', labels.length);
  const positives = countPositives(labels);
  checkFinite(scores, scoresArgument);
  return positives;
}

/** Throws `INVALID_INPUT` when a metric that needs both classes gets only one. */
export function requireBothClasses(metric: string, positives: number, negatives: number): void {
  if (positives <= 0 || negatives <= 0) {
    const missing = positives <= 0 ? 'no positive (1) label' : 'no negative (0) label';
    throw new MlsdError('INVALID_INPUT', `${metric} is undefined: the labels have ${missing}; ` + 'evaluate on rows that contain both classes.', {
      location: { field: 'labels' },
    });
  }
}
