import { describe, expect, it } from 'vitest';
import { SeededRandom, denseMatrix } from '@mlsd/data';
import { DEFAULT_DRIFT_THRESHOLDS, buildReferenceProfile, compareToProfile, resolveDriftThresholds } from '@mlsd/eval';

describe('drift thresholds', () => {
  it('fills defaults and rejects unknown statistics, unknown levels and warn above alert', () => {
    expect(resolveDriftThresholds({ psi: { alert: 0.3 } }).psi).toEqual({ warn: 0.1, alert: 0.3 });
    expect(() => resolveDriftThresholds({ chi2: {} } as never)).toThrow(/unknown statistic "chi2".*psi, ks/);
    expect(() => resolveDriftThresholds({ ks: { high: 1 } } as never)).toThrow(/unknown level "high"/);
    expect(() => resolveDriftThresholds({ psi: { warn: 0.5 } })).toThrow(/psi.warn \(0.5\) is above psi.alert/);
    expect(() => resolveDriftThresholds({ psi: { warn: -1 } })).toThrow(/finite number >= 0/);
  });

  it('are calibrated on a normal location shift to agree with PSI 0.1 / 0.2', () => {
    // A shift of δ standard deviations: KS D = 2Φ(δ/2) - 1 and W₁/std = δ exactly; PSI ≈ δ² (deciles a bit less).
    const rng = new SeededRandom(11);
    const n = 40000;
    const reference = Float64Array.from({ length: n }, () => rng.normal());
    const profile = buildReferenceProfile({ features: denseMatrix(reference, n, 1, ['x']) });
    for (const [delta, level] of [
      [Math.sqrt(0.1), 'warn'],
      [Math.sqrt(0.2), 'alert'],
    ] as const) {
      const window = Float64Array.from({ length: n }, () => rng.normal(delta));
      const drift = compareToProfile(profile, { features: denseMatrix(window, n, 1, ['x']) }).features['x']!;
      expect(drift.psi.value!).toBeCloseTo(DEFAULT_DRIFT_THRESHOLDS.psi[level], 1);
      expect(drift.ks.value!).toBeCloseTo(DEFAULT_DRIFT_THRESHOLDS.ks[level], 1);
      expect(drift.jensenShannon.value!).toBeCloseTo(DEFAULT_DRIFT_THRESHOLDS.jensenShannon[level], 1);
      expect(drift.wasserstein.value!).toBeCloseTo(DEFAULT_DRIFT_THRESHOLDS.wasserstein[level], 1);
    }
  });
});
