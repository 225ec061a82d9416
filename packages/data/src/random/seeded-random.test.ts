import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(seqA);
  });

  it('draws uniform, normal and Poisson values with the right moments', () => {
    const rng = new SeededRandom(7);
    const n = 200_000;
    let sumU = 0;
    let sumN = 0;
    let sumN2 = 0;
    let sumP = 0;
    let minU = 1;
    let maxU = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextFloat();
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      sumU += u;
      const z = rng.normal(10, 2);
      sumN += z;
      sumN2 += z * z;
      sumP += rng.poisson(2.5);
    }
    const meanN = sumN / n;
    expect(minU).toBeGreaterThanOrEqual(0);
    expect(maxU).toBeLessThan(1);
    expect(sumU / n).toBeCloseTo(0.5, 2);
    expect(meanN).toBeCloseTo(10, 1);
    expect(Math.sqrt(sumN2 / n - meanN * meanN)).toBeCloseTo(2, 1);
    expect(sumP / n).toBeCloseTo(2.5, 1);
  });

  it('samples distinct integers without replacement', () => {
    const sample = new SeededRandom(1).sampleWithoutReplacement(100, 30);
    expect(new Set(sample).size).toBe(30);
    for (const v of sample) expect(v >= 0 && v < 100).toBe(true);
  });
});
