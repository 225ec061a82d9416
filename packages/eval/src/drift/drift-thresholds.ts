import { MlsdError } from '@mlsd/data';

/** A warn and an alert level for one drift statistic: value >= warn is `warn`, value >= alert is `alert`. */
export interface ThresholdPair {
  readonly warn: number;
  readonly alert: number;
}

/**
 * The levels at which each drift statistic flags a feature. Apart from PSI's industry convention, the defaults
 * are calibrated to agree with it: they are (rounded) the values each statistic takes when a normal feature's
 * mean moves by √0.1 ≈ 0.32 and √0.2 ≈ 0.45 standard deviations, the shifts at which decile PSI is about
 * 0.1 and 0.2 (PSI ≈ δ² for a location shift of δ standard deviations). The test
 * `drift-thresholds.test.ts` checks this calibration.
 */
export interface DriftThresholds {
  /** Population stability index over the profile's quantile bins. Default warn 0.1, alert 0.2 (convention). */
  readonly psi: ThresholdPair;
  /** KS statistic D (not the p-value, which is always tiny for large windows). Default warn 0.125, alert 0.18. */
  readonly ks: ThresholdPair;
  /** Jensen–Shannon distance, base 2, over the quantile bins. Default warn 0.13, alert 0.18. */
  readonly jensenShannon: ThresholdPair;
  /**
   * Wasserstein W₁ divided by the reference standard deviation (1 if it is 0): a location shift by δ std reads δ.
   * Default warn 0.32, alert 0.45 (= √0.1, √0.2).
   */
  readonly wasserstein: ThresholdPair;
  /** Absolute change in the missing-value rate. Default warn 0.05, alert 0.2. */
  readonly missingRate: ThresholdPair;
}

/** Overrides for some of the {@link DriftThresholds}; unspecified levels keep their default. */
export type DriftThresholdOptions = { readonly [K in keyof DriftThresholds]?: Partial<ThresholdPair> };

/** The default {@link DriftThresholds} (see each field for the values and where they come from). */
export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = Object.freeze({
  psi: Object.freeze({ warn: 0.1, alert: 0.2 }),
  ks: Object.freeze({ warn: 0.125, alert: 0.18 }),
  jensenShannon: Object.freeze({ warn: 0.13, alert: 0.18 }),
  wasserstein: Object.freeze({ warn: 0.32, alert: 0.45 }),
  missingRate: Object.freeze({ warn: 0.05, alert: 0.2 }),
});

/**
 * The defaults overridden by `options`. Throws `INVALID_OPTION` for an unknown statistic or level (naming the
 * valid ones), a negative or non-finite level, or warn > alert.
 */
export function resolveDriftThresholds(options: DriftThresholdOptions = {}): DriftThresholds {
  const names = Object.keys(DEFAULT_DRIFT_THRESHOLDS) as (keyof DriftThresholds)[];
  const out: Record<string, ThresholdPair> = {};
  for (const key of Object.keys(options)) {
    if (!names.includes(key as keyof DriftThresholds)) {
      throw new MlsdError('INVALID_OPTION', `Drift thresholds: unknown statistic "${key}". Valid statistics: ${names.join(', ')}.`, {
        location: { field: `thresholds.${key}` },
      });
    }
  }
  for (const name of names) {
    const given = options[name] ?? {};
    for (const level of Object.keys(given)) {
      if (level !== 'warn' && level !== 'alert') {
        throw new MlsdError('INVALID_OPTION', `Drift thresholds: unknown level "${level}" for ${name}. Valid levels: warn, alert.`, {
          location: { field: `thresholds.${name}.${level}` },
        });
      }
    }
    const pair = { ...DEFAULT_DRIFT_THRESHOLDS[name], ...stripUndefined(given) };
    for (const level of ['warn', 'alert'] as const) {
      if (typeof pair[level] !== 'number' || !Number.isFinite(pair[level]) || pair[level] < 0) {
        throw new MlsdError('INVALID_OPTION', `Drift thresholds: ${name}.${level} must be a finite number >= 0, got ${String(pair[level])}.`, {
          location: { field: `thresholds.${name}.${level}` },
        });
      }
    }
    if (pair.warn > pair.alert) {
      throw new MlsdError('INVALID_OPTION', `Drift thresholds: ${name}.warn (${pair.warn}) is above ${name}.alert (${pair.alert}); warn must be <= alert.`, {
        location: { field: `thresholds.${name}` },
      });
    }
    out[name] = pair;
  }
  return out as unknown as DriftThresholds;
}

function stripUndefined(pair: Partial<ThresholdPair>): Partial<ThresholdPair> {
  const out: { warn?: number; alert?: number } = {};
  if (pair.warn !== undefined) out.warn = pair.warn;
  if (pair.alert !== undefined) out.alert = pair.alert;
  return out;
}
