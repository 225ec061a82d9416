import { MlsdError, type DenseMatrix, LIBRARY_VERSION } from '@mlsd/data';
import { checkArtifact } from '../artifact/check-artifact.js';
import type { Classifier, FitOptions, ModelArtifact } from '../contract/classifier.js';
import { applyCalibration, CALIBRATION_METHODS, fitCalibration, type Calibration, type CalibrationCandidate, type CalibrationMethod } from './calibration.js';

const KIND = 'calibrated';
const SCHEMA_VERSION = 1;

/**
 * A classifier whose probabilities go through a fitted calibration (kind `calibrated`): the base model's
 * artifact and the calibration travel together, so `loadClassifier` (offline predict, the registry, the service)
 * always applies it. `contributions` explain the calibrated logit exactly for Platt scaling (an affine map of the
 * base logit: the base contributions times −a, the bias −a·bias − b); isotonic calibration is not affine, so they
 * are the base model's (same ranking of reasons, in the base model's logit units).
 */
export class CalibratedClassifier implements Classifier {
  readonly kind = KIND;
  readonly contributions?: (X: DenseMatrix) => Float64Array;
  readonly featureImportance?: () => Float64Array;

  /**
   * Wraps a fitted `base` with a fitted `calibration` (`undefined`: identity, e.g. when `auto` chose none).
   * `candidates` are the validation scores behind the choice, kept for reports.
   */
  constructor(
    readonly base: Classifier,
    readonly calibration: Calibration | undefined,
    readonly candidates: readonly CalibrationCandidate[] = [],
  ) {
    const baseContributions = base.contributions?.bind(base);
    if (baseContributions !== undefined) {
      this.contributions = (X) => {
        const values = baseContributions(X);
        if (calibration?.method !== 'platt') return values;
        const width = X.cols + 1;
        for (let k = 0; k < values.length; k++) values[k] = -calibration.a * values[k]! - (k % width === X.cols ? calibration.b : 0);
        return values;
      };
    }
    if (base.featureImportance !== undefined) this.featureImportance = base.featureImportance.bind(base);
  }

  /**
   * Calibrates a fitted `base` on validation rows it did not train on (`method`: see {@link fitCalibration};
   * `auto` picks by log loss on the later half).
   */
  static calibrate(base: Classifier, X: DenseMatrix, y: Uint8Array, method: CalibrationMethod): CalibratedClassifier {
    const choice = fitCalibration(base.predictProba(X), y, method);
    return new CalibratedClassifier(base, choice.calibration, choice.candidates);
  }

  /** `{ method }` of the calibration (`none` when identity) and the base model's kind. */
  get params(): Readonly<Record<string, unknown>> {
    return { method: this.calibration?.method ?? 'none', baseKind: this.base.kind };
  }

  get isFitted(): boolean {
    return this.base.isFitted;
  }

  get featureNames(): readonly string[] {
    return this.base.featureNames;
  }

  /** Refuses: fit the base model, then {@link calibrate} it on validation rows. */
  async fit(_X: DenseMatrix, _y: Uint8Array, _options?: FitOptions): Promise<this> {
    throw new MlsdError(
      'INVALID_OPTION',
      'CalibratedClassifier.fit: fit the base model, then CalibratedClassifier.calibrate(base, validationX, validationY, method).',
    );
  }

  /** The base model's probabilities, calibrated. */
  predictProba(X: DenseMatrix): Float64Array {
    return applyCalibration(this.calibration, this.base.predictProba(X));
  }

  /** The artifact: the base model's artifact and the calibration, in `state`. */
  toJSON(): ModelArtifact {
    const base = this.base.toJSON();
    return {
      schemaVersion: SCHEMA_VERSION,
      libraryVersion: LIBRARY_VERSION,
      kind: KIND,
      params: this.params,
      featureNames: [...base.featureNames],
      state: { base, calibration: this.calibration ?? null, candidates: this.candidates },
    };
  }
}

/**
 * Restores a {@link CalibratedClassifier}; `loadBase` reads the nested base artifact (the registry's
 * `loadClassifier`). Throws `CORRUPT_ARTIFACT` naming a malformed calibration.
 */
export function loadCalibratedClassifier(artifact: ModelArtifact, loadBase: (artifact: ModelArtifact) => Classifier): CalibratedClassifier {
  const checked = checkArtifact(artifact, KIND, [SCHEMA_VERSION]);
  const state = checked.state as { base?: ModelArtifact; calibration?: unknown; candidates?: CalibrationCandidate[] } | null;
  if (state?.base === undefined) {
    throw new MlsdError('CORRUPT_ARTIFACT', `${KIND} artifact: state.base is missing. Re-save the model with toJSON().`, { location: { field: 'state.base' } });
  }
  const calibration = checkCalibration(state.calibration);
  return new CalibratedClassifier(loadBase(state.base), calibration, state.candidates ?? []);
}

function checkCalibration(value: unknown): Calibration | undefined {
  if (value === null || value === undefined) return undefined;
  const c = value as Record<string, unknown>;
  const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
  if (c['method'] === 'platt' && finite(c['a']) && finite(c['b'])) return { method: 'platt', a: c['a'] as number, b: c['b'] as number };
  if (c['method'] === 'isotonic' && Array.isArray(c['x']) && Array.isArray(c['y']) && c['x'].length === c['y'].length && c['x'].length > 0) {
    const x = c['x'] as unknown[];
    const y = c['y'] as unknown[];
    if (x.every(finite) && y.every((v) => finite(v) && (v as number) >= 0 && (v as number) <= 1)) {
      for (let k = 1; k < x.length; k++) if ((x[k] as number) < (x[k - 1] as number) || (y[k] as number) < (y[k - 1] as number)) return bad();
      return { method: 'isotonic', x: x as number[], y: y as number[] };
    }
  }
  return bad();
}

function bad(): never {
  throw new MlsdError(
    'CORRUPT_ARTIFACT',
    `${KIND} artifact: state.calibration must be { method: 'platt', a, b } or { method: 'isotonic', x, y } (non-decreasing, y in [0, 1]); methods: ${CALIBRATION_METHODS.join(', ')}.`,
    { location: { field: 'state.calibration' } },
  );
}
