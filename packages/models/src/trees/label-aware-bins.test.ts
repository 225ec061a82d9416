import { describe, expect, it } from 'vitest';
import { denseMatrix, SeededRandom } from '@mlsd/data';
import { fitLabelAwareBins } from './label-aware-bins.js';
import { binMatrix, fitQuantileBins } from './quantile-bins.js';

/** n amounts uniform on [0, 300) (cents), fraud exactly above 220.004; a second column with 3 values. */
function amounts(n: number, seed: number): { X: ReturnType<typeof denseMatrix>; y: Uint8Array } {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const amount = Math.round(rng.uniform(0, 300) * 100) / 100;
    data[2 * i] = amount;
    data[2 * i + 1] = i % 3;
    y[i] = amount > 220.004 ? 1 : 0;
  }
  return { X: denseMatrix(data, n, 2, ['amount', 'count']), y };
}

describe('label-aware bins', () => {
  it('put an edge at a sharp class boundary that quantile bins cut through', () => {
    const { X, y } = amounts(20_000, 1);
    const quantile = fitQuantileBins(X, 16).edges[0]!;
    expect(Array.from(quantile).some((e) => e > 220 && e < 220.01)).toBe(false);
    const bins = fitLabelAwareBins(X, y, 16, 2);
    const edges = Array.from(bins.edges[0]!);
    // The best class cut is half-way between the largest legitimate amount (<= 220.00) and the smallest fraud.
    let largestLegit = -Infinity;
    let smallestFraud = Infinity;
    for (let r = 0; r < X.rows; r++) {
      const v = X.data[r * 2]!;
      if (y[r] === 1) smallestFraud = Math.min(smallestFraud, v);
      else largestLegit = Math.max(largestLegit, v);
    }
    expect(edges).toContain(largestLegit + (smallestFraud - largestLegit) / 2);
    expect(edges.length).toBeLessThanOrEqual(15);
    // Every bin is pure: no bin mixes the classes.
    const binned = binMatrix(X, bins);
    const classes = new Map<number, Set<number>>();
    for (let r = 0; r < X.rows; r++) {
      const b = binned.bins[r * 2]!;
      if (!classes.has(b)) classes.set(b, new Set());
      classes.get(b)!.add(y[r]!);
    }
    for (const labels of classes.values()) expect(labels.size).toBe(1);
    // Few distinct values: one bin per value, as quantile bins.
    expect(Array.from(bins.edges[1]!)).toEqual([0.5, 1.5]);
  });

  it('keep at most maxBins bins with ascending distinct edges, equal quantile bins with no cuts, and are deterministic', () => {
    const rng = new SeededRandom(5);
    const n = 5000;
    const X = denseMatrix(
      Float64Array.from({ length: n * 3 }, (_, i) => (i % 3 === 2 && rng.nextFloat() < 0.1 ? Number.NaN : rng.normal())),
      n,
      3,
      ['a', 'b', 'c'],
    );
    const y = Uint8Array.from({ length: n }, (_, r) => (X.data[r * 3]! + 0.5 * rng.normal() > 1.2 ? 1 : 0));
    for (const [maxBins, cuts] of [
      [255, 16],
      [32, 30],
      [8, 3],
    ] as const) {
      const bins = fitLabelAwareBins(X, y, maxBins, cuts);
      expect(fitLabelAwareBins(X, y, maxBins, cuts)).toEqual(bins);
      for (const e of bins.edges) {
        expect(e.length).toBeLessThanOrEqual(maxBins - 1);
        for (let i = 1; i < e.length; i++) expect(e[i]!).toBeGreaterThan(e[i - 1]!);
      }
    }
    expect(fitLabelAwareBins(X, y, 64, 0)).toEqual(fitQuantileBins(X, 64));
  });

  it('reject a cut count the bins cannot hold, naming the bound', () => {
    const { X, y } = amounts(100, 2);
    expect(() => fitLabelAwareBins(X, y, 16, 15)).toThrow(/labelCuts must be an integer in \[0, maxBins − 2\] = \[0, 14\], got 15/);
    expect(() => fitLabelAwareBins(X, y, 16, -1)).toThrow(/labelCuts/);
  });
});
