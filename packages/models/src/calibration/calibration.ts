import { MlsdError } from '@mlsd/data';
import { applyIsotonic, fitIsotonicCalibration, type IsotonicCalibration } from './isotonic-calibration.js';
import { applyPlatt, fitPlattScaling, type PlattScaling } from './platt-scaling.js';

/** A fitted calibration of probabilities: Platt scaling (on the logit) or isotonic regression (on the probability). */
export type Calibration = PlattScaling | IsotonicCalibration;

/** How to calibrate: one method, `auto` (the lowest validation log loss of none, Platt and isotonic) or `none`. */
export type CalibrationMethod = 'platt' | 'isotonic' | 'auto' | 'none';

/** The valid {@link CalibrationMethod} names, in the order error messages list them. */
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['platt', 'isotonic', 'auto', 'none'];

/** Log loss and Brier score of one candidate on the held-out half of the validation rows. */
export interface CalibrationCandidate {
  readonly method: 'none' | 'platt' | 'isotonic';
  readonly logLoss: number;
  readonly brier: number;
}

/** What {@link fitCalibration} chose, and why. */
export interface CalibrationChoice {
  /** The calibration fitted on all the validation rows; `undefined` for `none`. */
  readonly calibration: Calibration | undefined;
  /** With `auto`: every candidate fitted on the first half (in row order) and scored on the second. */
  readonly candidates: readonly CalibrationCandidate[];
}

/** Applies `calibration` to probabilities `p` (a new array; `undefined` returns a copy). */
export function applyCalibration(calibration: Calibration | undefined, p: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(p);
  if (calibration === undefined) return out;
  for (let i = 0; i < out.length; i++) out[i] = calibration.method === 'platt' ? applyPlatt(calibration, logit(out[i]!)) : applyIsotonic(calibration, out[i]!);
  return out;
}

/**
 * Fits a calibration of probabilities `p` against 0/1 labels `y` (validation rows the model did not train on).
 * `auto` fits none, Platt and isotonic on the first half of the rows (their order: by time, so the second half is
 * later), keeps the one with the lowest log loss on the second half, and refits it on all rows.
 */
export function fitCalibration(p: ArrayLike<number>, y: ArrayLike<number>, method: CalibrationMethod): CalibrationChoice {
  if (!CALIBRATION_METHODS.includes(method)) {
    throw new MlsdError('INVALID_OPTION', `calibration method must be one of ${CALIBRATION_METHODS.join(', ')}, got ${JSON.stringify(method)}.`, {
      location: { field: 'calibrate' },
    });
  }
  if (method === 'none') return { calibration: undefined, candidates: [] };
  if (method !== 'auto') return { calibration: fitOne(method, p, y), candidates: [] };
  const half = Math.floor(p.length / 2);
  const fitP = Array.prototype.slice.call(p, 0, half) as number[];
  const fitY = Array.prototype.slice.call(y, 0, half) as number[];
  const testP = Array.prototype.slice.call(p, half) as number[];
  const testY = Array.prototype.slice.call(y, half) as number[];
  const candidates = (['none', 'platt', 'isotonic'] as const).map((m) => {
    const calibrated = applyCalibration(m === 'none' ? undefined : fitOne(m, fitP, fitY), testP);
    return { method: m, ...calibrationScores(calibrated, testY) };
  });
  const best = candidates.reduce((a, b) => (b.logLoss < a.logLoss ? b : a));
  return { calibration: best.method === 'none' ? undefined : fitOne(best.method, p, y), candidates };
}

/** Mean log loss (probabilities clipped to [1e-15, 1 − 1e-15], as scikit-learn) and Brier score. */
export function calibrationScores(p: ArrayLike<number>, y: ArrayLike<number>): { logLoss: number; brier: number } {
  let logLoss = 0;
  let brier = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(Math.max(p[i]!, 1e-15), 1 - 1e-15);
    logLoss -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
    brier += (p[i]! - y[i]!) ** 2;
  }
  return { logLoss: logLoss / p.length, brier: brier / p.length };
}

function fitOne(method: 'platt' | 'isotonic', p: ArrayLike<number>, y: ArrayLike<number>): Calibration {
  if (method === 'isotonic') return fitIsotonicCalibration(p, y);
  const logits = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) logits[i] = logit(p[i]!);
  return fitPlattScaling(logits, y);
}

/** log(p / (1 − p)), with p clipped to [1e-15, 1 − 1e-15]. */
function logit(p: number): number {
  const q = Math.min(Math.max(p, 1e-15), 1 - 1e-15);
  return Math.log(q / (1 - q));
}
