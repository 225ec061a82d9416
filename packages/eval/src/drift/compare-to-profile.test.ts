import { describe, expect, it } from 'vitest';
import { SeededRandom, denseMatrix, isMlsdError, type DenseMatrix } from '@mlsd/data';
import { buildReferenceProfile, compareToProfile } from '@mlsd/eval';

const NAMES = ['TX_AMOUNT', 'CUSTOMER_ID_NB_TX_1DAY_WINDOW', 'TX_DURING_WEEKEND'];

/** Synthetic transactions: log-normal amounts, Poisson daily counts, a weekend flag; `amountFactor` scales amounts. */
function traffic(
  seed: number,
  rows: number,
  shift: { amountFactor?: number; weekendShare?: number; missingCount?: number } = {},
): {
  features: DenseMatrix;
  scores: Float64Array;
} {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(rows * 3);
  const scores = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const amount = Math.exp(rng.normal(3.5, 0.9)) * (shift.amountFactor ?? 1);
    data[r * 3] = amount;
    data[r * 3 + 1] = rng.nextFloat() < (shift.missingCount ?? 0) ? NaN : rng.poisson(3);
    data[r * 3 + 2] = rng.nextFloat() < (shift.weekendShare ?? 2 / 7) ? 1 : 0;
    scores[r] = 1 / (1 + Math.exp(-(amount / 60 - 4 + rng.normal(0, 0.5))));
  }
  return { features: denseMatrix(data, rows, 3, NAMES), scores };
}

describe('compareToProfile', () => {
  const reference = traffic(1, 20000);
  const profile = buildReferenceProfile({ features: reference.features, scores: reference.scores });

  it('reports no drift for fresh traffic from the reference period', () => {
    const report = compareToProfile(profile, traffic(2, 2000));
    expect(report.status).toBe('ok');
    expect(report.drifted).toEqual([]);
    expect(Object.keys(report.features)).toEqual(NAMES);
    for (const name of NAMES) expect(report.features[name]!.psi.value!).toBeLessThan(0.05);
    expect(report.score!.status).toBe('ok');
  });

  it('alerts on the amount and warns on the score when amounts grow by half, and nowhere else', () => {
    const report = compareToProfile(profile, traffic(3, 2000, { amountFactor: 1.5 }));
    const amount = report.features['TX_AMOUNT']!;
    expect(amount.status).toBe('alert');
    expect(amount.psi.status).toBe('alert');
    expect(amount.ks.pValue!).toBeLessThan(1e-6);
    expect(report.features['CUSTOMER_ID_NB_TX_1DAY_WINDOW']!.status).toBe('ok');
    expect(report.features['TX_DURING_WEEKEND']!.status).toBe('ok');
    // The score (a sigmoid of the amount) moves less: every statistic agrees on warn (PSI ≈ 0.16).
    for (const statistic of ['psi', 'ks', 'jensenShannon', 'wasserstein'] as const) expect(report.score![statistic].status, statistic).toBe('warn');
    expect(report.drifted).toEqual(['TX_AMOUNT', 'score']);
  });

  it('flags a discrete feature whose share moves, and a column that starts going missing', () => {
    const report = compareToProfile(profile, traffic(4, 2000, { weekendShare: 0.6, missingCount: 0.3 }));
    expect(report.features['TX_DURING_WEEKEND']!.status).toBe('alert');
    const counts = report.features['CUSTOMER_ID_NB_TX_1DAY_WINDOW']!;
    expect(counts.missingRate.window).toBeCloseTo(0.3, 1);
    expect(counts.missingRate.status).toBe('alert');
    expect(counts.psi.status).toBe('ok'); // the values that are present did not move
    expect(report.features['TX_AMOUNT']!.status).toBe('ok');
  });

  it('does not depend on row order, and honours custom thresholds', () => {
    const window = traffic(5, 500, { amountFactor: 1.2 });
    const reversed = new Float64Array(window.features.data.length);
    for (let r = 0; r < 500; r++) reversed.set(window.features.data.subarray(r * 3, r * 3 + 3), (499 - r) * 3);
    const a = compareToProfile(profile, window);
    const b = compareToProfile(profile, { features: denseMatrix(reversed, 500, 3, NAMES) });
    expect(b.features['TX_AMOUNT']!.psi.value).toBeCloseTo(a.features['TX_AMOUNT']!.psi.value!, 12);
    const lenient = compareToProfile(profile, window, {
      thresholds: { psi: { warn: 5, alert: 9 }, ks: { warn: 5, alert: 9 }, jensenShannon: { warn: 5, alert: 9 }, wasserstein: { warn: 5, alert: 9 } },
    });
    expect(lenient.features['TX_AMOUNT']!.status).toBe('ok');
  });

  it('names the profiled features a window lacks', () => {
    const partial = denseMatrix(new Float64Array(4), 2, 2, ['TX_AMOUNT', 'OTHER']);
    try {
      compareToProfile(profile, { features: partial });
      expect.unreachable();
    } catch (error) {
      expect(isMlsdError(error, 'SCHEMA_MISMATCH')).toBe(true);
      expect((error as Error).message).toMatch(/CUSTOMER_ID_NB_TX_1DAY_WINDOW, TX_DURING_WEEKEND/);
    }
  });
});
