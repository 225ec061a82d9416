import { MlsdError } from '@mlsd/data';
import { rejectUnknownOptions, type Scores } from './check-inputs.js';
import { checkProbabilityInputs } from './probability-losses.js';

/** One non-empty bin of a reliability diagram. */
export interface CalibrationBin {
  /** Bin edges: probabilities in [lower, upper) fall in it (the last bin also holds 1). */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean predicted probability of the bin's rows. */
  readonly meanPredicted: number;
  /** Observed share of positives among the bin's rows. */
  readonly fractionPositive: number;
}

/** A reliability diagram and its summary. */
export interface Calibration {
  /** Non-empty bins only, in increasing probability (like scikit-learn's `calibration_curve`). */
  readonly bins: readonly CalibrationBin[];
  /** Expected calibration error: Σ (count / n) · |fractionPositive − meanPredicted| over the bins. */
  readonly expectedCalibrationError: number;
}

/**
 * Calibration (reliability) bins of predicted probabilities: `bins` equal-width bins on [0, 1] (default 10),
 * each with its mean prediction and observed positive rate. Throws `INVALID_INPUT` on probabilities outside
 * [0, 1] or no rows.
 */
export function calibrationBins(labels: Uint8Array, probabilities: Scores, options: { readonly bins?: number } = {}): Calibration {
  rejectUnknownOptions('calibrationBins', options, ['bins']);
  const binCount = options.bins ?? 10;
  if (!Number.isInteger(binCount) || binCount < 1) {
    throw new MlsdError('INVALID_OPTION', `bins is ${binCount}; it must be a whole number >= 1, e.g. 10.`, {
      location: { field: 'bins' },
    });
  }
  checkProbabilityInputs(labels, probabilities);
  const n = labels.length;
  if (n === 0) throw new MlsdError('INVALID_INPUT', 'Calibration needs at least one row; labels is empty.', { location: { field: 'labels' } });
  const counts = new Float64Array(binCount);
  const sums = new Float64Array(binCount);
  const positives = new Float64Array(binCount);
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    const b = Math.min(Math.floor(p * binCount), binCount - 1);
    counts[b]!++;
    sums[b]! += p;
    positives[b]! += labels[i]!;
  }
  const bins: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < binCount; b++) {
    const count = counts[b]!;
    if (count === 0) continue;
    const meanPredicted = sums[b]! / count;
    const fractionPositive = positives[b]! / count;
    bins.push({ lower: b / binCount, upper: (b + 1) / binCount, count, meanPredicted, fractionPositive });
    ece += (count / n) * Math.abs(fractionPositive - meanPredicted);
  }
  return { bins, expectedCalibrationError: ece };
}
