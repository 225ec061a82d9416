import { MlsdError } from '@mlsd/data';
import { checkLabelsAndScores, type Scores } from './check-inputs.js';

/** Counts and rates when alerting on scores >= a threshold. Rates with a zero denominator are 0. */
export interface ConfusionMatrix {
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  /** TP / (TP + FP). */
  readonly precision: number;
  /** TP / (TP + FN), the true-positive rate. */
  readonly recall: number;
  /** FP / (FP + TN). */
  readonly falsePositiveRate: number;
  /** Harmonic mean of precision and recall. */
  readonly f1: number;
}

/**
 * The confusion matrix of the decision "alert when score >= `threshold`" (the Handbook's and scikit-learn's
 * convention), with precision, recall, false-positive rate and F1 (0 where undefined, like scikit-learn's
 * `zero_division=0`).
 */
export function confusionMatrix(labels: Uint8Array, scores: Scores, threshold: number): ConfusionMatrix {
  if (Number.isNaN(threshold)) {
    throw new MlsdError('INVALID_OPTION', 'threshold is NaN; pass a number (alerts are scores >= threshold).', {
      location: { field: 'threshold' },
    });
  }
  checkLabelsAndScores(labels, scores);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const alert = scores[i]! >= threshold;
    if (labels[i] === 1) {
      if (alert) tp++;
      else fn++;
    } else if (alert) fp++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    precision,
    recall,
    falsePositiveRate: fp + tn > 0 ? fp / (fp + tn) : 0,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
  };
}
