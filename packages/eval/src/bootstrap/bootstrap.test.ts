import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { bootstrapCi, pairedBootstrap, pairedBootstrapMany, rocAuc } from '@mlsd/eval';
import { tiedScores } from '../test-support/random-data.js';

describe('bootstrapCi', () => {
  it('repeats with the same seed and matches the textbook standard error of a mean', () => {
    const random = new SeededRandom(4);
    const n = 2000;
    const values = Float64Array.from({ length: n }, () => random.normal(0, 2));
    const labels = new Uint8Array(n);
    const mean = (_: Uint8Array, s: ArrayLike<number>, w: Float64Array): number => {
      let sum = 0;
      let total = 0;
      for (let i = 0; i < w.length; i++) {
        sum += w[i]! * s[i]!;
        total += w[i]!;
      }
      return sum / total;
    };
    const a = bootstrapCi(labels, values, mean, { seed: 1, replicates: 1000 });
    expect(bootstrapCi(labels, values, mean, { seed: 1, replicates: 1000 })).toEqual(a);
    expect(bootstrapCi(labels, values, mean, { seed: 2, replicates: 1000 }).lower).not.toBe(a.lower);
    // SE of a mean is σ/√n = 2/√2000 ≈ 0.0447; a 95% interval spans about ±1.96 SE.
    expect(a.standardError).toBeGreaterThan(0.0447 * 0.9);
    expect(a.standardError).toBeLessThan(0.0447 * 1.1);
    expect(a.upper - a.lower).toBeGreaterThan(2 * 1.96 * 0.0447 * 0.85);
    expect(a.upper - a.lower).toBeLessThan(2 * 1.96 * 0.0447 * 1.15);
    expect(a.lower).toBeLessThan(a.estimate);
    expect(a.upper).toBeGreaterThan(a.estimate);
  });

  it('gives the same replicates for a named metric as for the weighted metric function', () => {
    const { labels, scores } = tiedScores(600, 12, 5, 0.2);
    const named = bootstrapCi(labels, scores, 'rocAuc', { seed: 9, replicates: 50 });
    const viaFunction = bootstrapCi(labels, scores, (l, s, w) => rocAuc(l, s, { sampleWeight: w }), { seed: 9, replicates: 50 });
    expect(named.estimate).toBe(rocAuc(labels, scores));
    expect(named.lower).toBeCloseTo(viaFunction.lower, 12);
    expect(named.upper).toBeCloseTo(viaFunction.upper, 12);
  });

  it('skips resamples where the metric is undefined and rejects bad options', () => {
    const labels = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
    const scores = Float64Array.from([0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    const ci = bootstrapCi(labels, scores, 'averagePrecision', { seed: 3, replicates: 200 });
    expect(ci.skipped).toBeGreaterThan(0); // (7/8)^8 ≈ 34% of resamples have no positive
    expect(ci.replicates + ci.skipped).toBe(200);
    expect(() => bootstrapCi(labels, scores, 'rocAuc', { seed: 1, confidence: 95 })).toThrow(/confidence is 95; it must be in \(0, 1\)/);
    expect(() => bootstrapCi(labels, scores, 'auc' as never, { seed: 1 })).toThrow(/Unknown bootstrap metric "auc"/);
    expect(() => bootstrapCi(new Uint8Array(8), scores, 'rocAuc', { seed: 1 })).toThrow(/rocAuc is undefined/);
  });
});

describe('pairedBootstrap', () => {
  it('gives exactly zero for identical models and a positive interval for a clearly better one', () => {
    const { labels, scores } = tiedScores(1500, 10, 6, 0.2);
    const same = pairedBootstrap(labels, scores, scores, 'averagePrecision', { seed: 1, replicates: 100 });
    expect([same.estimate, same.lower, same.upper, same.fractionAboveZero]).toEqual([0, 0, 0, 0]);
    const better = Float64Array.from(scores, (v, i) => v + 0.3 * labels[i]!);
    const diff = pairedBootstrap(labels, scores, better, 'rocAuc', { seed: 1, replicates: 200 });
    expect(diff.estimate).toBeCloseTo(rocAuc(labels, better) - rocAuc(labels, scores), 15);
    expect(diff.lower).toBeGreaterThan(0);
    expect(diff.fractionAboveZero).toBe(1);
    expect(() => pairedBootstrap(labels, scores, better.subarray(1), 'rocAuc', { seed: 1 })).toThrow(/candidateScores has 1499 rows/);
  });

  it('runs several metrics on the same resamples, equal to one run per metric', () => {
    const { labels, scores } = tiedScores(800, 15, 12, 0.2);
    const probabilities = Float64Array.from(scores, (v) => Math.min(1, v + 0.05));
    const options = { seed: 4, replicates: 60 };
    const many = pairedBootstrapMany(labels, scores, probabilities, ['averagePrecision', 'rocAuc', 'brier'], options);
    expect(many).toEqual([
      pairedBootstrap(labels, scores, probabilities, 'averagePrecision', options),
      pairedBootstrap(labels, scores, probabilities, 'rocAuc', options),
      pairedBootstrap(labels, scores, probabilities, 'brier', options),
    ]);
  });
});
