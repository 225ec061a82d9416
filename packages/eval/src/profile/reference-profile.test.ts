import { describe, expect, it } from 'vitest';
import { denseMatrix, isMlsdError } from '@mlsd/data';
import { buildReferenceProfile, parseReferenceProfile, profileDistribution } from '@mlsd/eval';

describe('buildReferenceProfile', () => {
  it('summarises 1..10 as computed by hand (type-7 sketch refined in the tails, inverse-CDF bin edges, population std)', () => {
    const values = Float64Array.from([3, 1, 2, 10, 9, 4, 5, 8, 7, 6]);
    const profile = profileDistribution(values, { bins: 2, quantiles: 4 });
    expect(profile.count).toBe(10);
    expect(profile.missingRate).toBe(0);
    expect(profile.mean).toBe(5.5);
    expect(profile.std).toBeCloseTo(Math.sqrt(8.25), 12);
    expect(profile.iqr).toBeCloseTo(7.75 - 3.25, 12);
    expect(profile.edges).toEqual([5]); // the smallest value with F(x) >= ½
    expect(profile.proportions).toEqual([0.5, 0.5]);
    // Quarters, and each tail quarter halved while it still holds a value: 10 · ¼ · 2⁻¹ = 1.25 >= 1, 0.625 < 1.
    expect(profile.levels).toEqual([0, 1 / 16, 1 / 8, 1 / 4, 1 / 2, 3 / 4, 7 / 8, 15 / 16, 1]);
    // Type 7 at p: 1 + 9p, e.g. p = 1/16 gives 1.5625.
    expect(profile.quantiles).toEqual([1, 1.5625, 2.125, 3.25, 5.5, 7.75, 8.875, 9.4375, 10]);
  });

  it('refines the sketch tails until the outermost interval holds less than one value', () => {
    // 13000 values, percentiles: 130 per tail percentile, halved 8 times (130 / 2⁸ < 1 <= 130 / 2⁷).
    const values = Float64Array.from({ length: 13000 }, (_, i) => i);
    const { levels, quantiles } = profileDistribution(values);
    expect(levels).toHaveLength(101 + 2 * 8);
    expect(levels[1]).toBe(0.01 / 256);
    expect(levels[levels.length - 2]).toBe(1 - 0.01 / 256);
    expect(levels[9]).toBe(0.01);
    expect(quantiles[1]).toBeCloseTo(12999 * (0.01 / 256), 9);
    // A sample smaller than the number of intervals gets the plain uniform grid.
    expect(profileDistribution(Float64Array.from([1, 2, 3])).levels).toHaveLength(101);
  });

  it('counts NaN as missing and gives a discrete feature one bin per value', () => {
    // 7 zeros, 3 ones and 2 missing: the deciles are all 0 or 1, 1 is the maximum, so the only cut point is 0.
    const values = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, NaN, NaN]);
    const profile = profileDistribution(values);
    expect(profile.missingRate).toBeCloseTo(2 / 12, 12);
    expect(profile.edges).toEqual([0]);
    expect(profile.proportions[0]).toBeCloseTo(0.7, 12);
    expect(profile.proportions[1]).toBeCloseTo(0.3, 12);
  });

  it('profiles every named column and the score, and survives a JSON round trip', () => {
    const data = Float64Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    const profile = buildReferenceProfile({
      features: denseMatrix(data, 4, 2, ['A', 'B']),
      scores: Float64Array.from([0.1, 0.2, 0.3, 0.9]),
      bins: 4,
    });
    expect(profile.features.map((f) => f.name)).toEqual(['A', 'B']);
    expect(profile.features[1]!.mean).toBe(25);
    expect(profile.score!.max).toBe(0.9);
    const reloaded = parseReferenceProfile(JSON.parse(JSON.stringify(profile)));
    expect(reloaded).toEqual(profile);
  });

  it('rejects unknown options, bad bins and scores of the wrong length', () => {
    const features = denseMatrix(new Float64Array(4), 4, 1, ['A']);
    expect(() => buildReferenceProfile({ features, bin: 5 } as never)).toThrow(/unknown option "bin".*bins/);
    expect(() => buildReferenceProfile({ features, bins: 1 })).toThrow(/"bins" must be an integer in \[2, 1000\]/);
    expect(() => buildReferenceProfile({ features, scores: new Float64Array(3) })).toThrow(/3 values .* 4 rows/);
  });

  it('refuses a profile of another schema version with CORRUPT_ARTIFACT naming the field', () => {
    const profile = buildReferenceProfile({ features: denseMatrix(Float64Array.from([1, 2]), 2, 1, ['A']) });
    try {
      parseReferenceProfile({ ...profile, schemaVersion: 99 });
      expect.unreachable();
    } catch (error) {
      expect(isMlsdError(error, 'CORRUPT_ARTIFACT')).toBe(true);
      expect((error as Error).message).toMatch(/schemaVersion/);
    }
    expect(() => parseReferenceProfile({ ...profile, features: [{ name: 'A', count: 1 }] })).toThrow(/features\[0\]/);
    const feature = profile.features[0]!;
    expect(() => parseReferenceProfile({ ...profile, features: [{ ...feature, levels: [0, 1] }] })).toThrow(
      /features\[0\]\.levels" has 2 entries but quantiles has 101/,
    );
    const reversed = [...feature.levels].reverse();
    expect(() => parseReferenceProfile({ ...profile, features: [{ ...feature, levels: reversed }] })).toThrow(/rise strictly from 0 to 1/);
  });

  it('reads a version-1 profile (uniform sketch, no levels) and fills in its levels', () => {
    const v1 = {
      kind: 'mlsd-reference-profile',
      schemaVersion: 1,
      rows: 3,
      bins: 2,
      features: [
        {
          name: 'A',
          count: 3,
          missingRate: 0,
          mean: 2,
          std: 0.8,
          min: 1,
          max: 3,
          iqr: 1,
          edges: [2],
          proportions: [2 / 3, 1 / 3],
          quantiles: [1, 1.5, 2, 2.5, 3],
        },
      ],
    };
    const profile = parseReferenceProfile(v1);
    expect(profile.features[0]!.levels).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
