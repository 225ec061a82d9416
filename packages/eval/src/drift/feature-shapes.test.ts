import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { compareDistribution, profileDistribution } from '@mlsd/eval';

/** A feature shape: draws one value; `shifted` draws from a really moved version of it. */
interface Shape {
  readonly draw: (rng: SeededRandom) => number;
  readonly shifted: (rng: SeededRandom) => number;
}

const amount = (rng: SeededRandom): number => Math.exp(rng.normal(3.5, 0.9));
const risk = (rng: SeededRandom, atOne: number): number => {
  const u = rng.nextFloat();
  return u < atOne ? 1 : u < 0.75 ? 0 : Math.round(rng.nextFloat() * 9) / 30;
};

// Realistic shapes of fraud features, each with a shift monitoring must catch.
const SHAPES: Record<string, Shape> = {
  // Amounts with a fraud-like component 5x larger (the simulator's scenario 3); shift: every amount doubles.
  'heavy tail (log-normal + 5 % x5)': {
    draw: (rng) => amount(rng) * (rng.nextFloat() < 0.05 ? 5 : 1),
    shifted: (rng) => 2 * amount(rng) * (rng.nextFloat() < 0.05 ? 5 : 1),
  },
  // A much heavier tail (max / p99 ≈ 10); shift: every value doubles.
  'heavy tail (log-normal, σ = 1.5)': { draw: (rng) => Math.exp(rng.normal(0, 1.5)), shifted: (rng) => 2 * Math.exp(rng.normal(0, 1.5)) },
  // Terminal-risk-like: 90 % zeros, small positives; shift: 2.5 times as many non-zero values.
  'zero-inflated (90 % zeros)': {
    draw: (rng) => (rng.nextFloat() < 0.9 ? 0 : 0.2 * rng.nextFloat()),
    shifted: (rng) => (rng.nextFloat() < 0.7 ? 0 : 0.2 * rng.nextFloat()),
  },
  // A 30-day terminal risk: mostly 0, some small fractions, a few terminals at 1 (IQR ≈ 0.01, as in the
  // simulator); shift: compromised terminals, 15 % of values at 1.
  'zero-inflated with a mass at 1': {
    draw: (rng) => risk(rng, 0.03),
    shifted: (rng) => risk(rng, 0.15),
  },
  // A daily transaction count; shift: one more transaction a day on average.
  'discrete count (Poisson 3)': { draw: (rng) => rng.poisson(3), shifted: (rng) => rng.poisson(4) },
  // A weekend flag; shift: weekend share from 2/7 to 60 %.
  'binary flag (p = 2/7)': { draw: (rng) => (rng.nextFloat() < 2 / 7 ? 1 : 0), shifted: (rng) => (rng.nextFloat() < 0.6 ? 1 : 0) },
  // A rare flag; shift: six times as frequent.
  'rare flag (p = 1 %)': { draw: (rng) => (rng.nextFloat() < 0.01 ? 1 : 0), shifted: (rng) => (rng.nextFloat() < 0.06 ? 1 : 0) },
};

const STATISTICS = ['psi', 'ks', 'jensenShannon', 'wasserstein', 'missingRate'] as const;
const sample = (rng: SeededRandom, n: number, draw: (rng: SeededRandom) => number): Float64Array => Float64Array.from({ length: n }, () => draw(rng));

describe('drift statistics on realistic feature shapes', () => {
  for (const [name, shape] of Object.entries(SHAPES)) {
    it(`${name}: same-distribution windows of 500, 2000 and 13000 are ok on every statistic; a real shift alerts`, () => {
      const rng = new SeededRandom(42);
      const reference = profileDistribution(sample(rng, 13000, shape.draw));
      for (const [size, windows] of [
        [500, 10],
        [2000, 5],
        [13000, 2],
      ] as const) {
        for (let w = 0; w < windows; w++) {
          const drift = compareDistribution(reference, sample(rng, size, shape.draw));
          for (const statistic of STATISTICS) {
            expect(drift[statistic].status, `${statistic} = ${String(drift[statistic].value)} on window ${w} of ${size}`).toBe('ok');
          }
        }
      }
      expect(compareDistribution(reference, sample(rng, 2000, shape.shifted)).status).toBe('alert');
    });
  }
});
