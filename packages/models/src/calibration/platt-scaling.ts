import { MlsdError } from '@mlsd/data';

/** A fitted Platt scaling: calibrated p = 1 / (1 + exp(a·f + b)), f the model's logit (scikit-learn's sign convention). */
export interface PlattScaling {
  readonly method: 'platt';
  readonly a: number;
  readonly b: number;
}

/**
 * Fits Platt scaling (Platt 1999, with Lin, Lin & Weng's 2007 Newton method) on scores `f` (logits) and 0/1
 * labels `y`: the (a, b) minimising the cross-entropy of 1 / (1 + exp(a·f + b)) against Platt's smoothed targets
 * (N₊ + 1)/(N₊ + 2) for positives and 1/(N₋ + 2) for negatives — the model scikit-learn's
 * `CalibratedClassifierCV(method='sigmoid')` fits.
 */
export function fitPlattScaling(f: ArrayLike<number>, y: ArrayLike<number>): PlattScaling {
  const n = f.length;
  if (y.length !== n || n === 0) {
    throw new MlsdError('INVALID_INPUT', `fitPlattScaling: ${n} scores and ${y.length} labels; pass one 0/1 label per score (at least one row).`);
  }
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i] === 1 ? 1 : 0;
  const negatives = n - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = y[i] === 1 ? hi : lo;
  let a = 0;
  let b = Math.log((negatives + 1) / (positives + 1));
  const objective = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = a * f[i]! + b;
      // −[t log p + (1 − t) log(1 − p)] with p = 1/(1 + e^z) is softplus(z) − (1 − t)·z.
      const softplus = z >= 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      sum += softplus - (1 - t[i]!) * z;
    }
    return sum;
  };
  let value = objective(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let g1 = 0;
    let g2 = 0;
    let h11 = 1e-12;
    let h22 = 1e-12;
    let h21 = 0;
    for (let i = 0; i < n; i++) {
      const z = a * f[i]! + b;
      const p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
      const q = 1 - p;
      const d1 = t[i]! - p;
      const d2 = p * q;
      g1 += f[i]! * d1;
      g2 += d1;
      h11 += f[i]! * f[i]! * d2;
      h22 += d2;
      h21 += f[i]! * d2;
    }
    if (Math.abs(g1) < 1e-10 && Math.abs(g2) < 1e-10) break;
    const det = h11 * h22 - h21 * h21;
    const da = -(h22 * g1 - h21 * g2) / det;
    const db = -(-h21 * g1 + h11 * g2) / det;
    let step = 1;
    let improved = false;
    while (step >= 1e-10) {
      const next = objective(a + step * da, b + step * db);
      if (next < value + 1e-4 * step * (g1 * da + g2 * db)) {
        a += step * da;
        b += step * db;
        value = next;
        improved = true;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  return { method: 'platt', a, b };
}

/** Applies a Platt scaling to one logit. */
export function applyPlatt(scaling: PlattScaling, logit: number): number {
  const z = scaling.a * logit + scaling.b;
  return z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z));
}
