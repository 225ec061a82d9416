import { describe, expect, it } from 'vitest';
import { denseMatrix, SeededRandom } from '@mlsd/data';
import { binMatrix, binOf, fitQuantileBins, MISSING_BIN } from './index.js';

describe('quantile bins', () => {
  it('give one bin per distinct value, with edges half-way between values, when there are few', () => {
    const X = denseMatrix(Float64Array.from([3, 1, 1, 2, 3, Number.NaN]), 6, 1, ['x']);
    const bins = fitQuantileBins(X, 255);
    expect(Array.from(bins.edges[0]!)).toEqual([1.5, 2.5]);
    const binned = binMatrix(X, bins);
    expect(Array.from(binned.bins)).toEqual([2, 0, 0, 1, 2, MISSING_BIN]);
    expect(Array.from(binned.columns)).toEqual([2, 0, 0, 1, 2, MISSING_BIN]);
    expect(binned.valueBins[0]).toBe(3);
  });

  it('cut many values into at most maxBins bins of about equal counts', () => {
    const rng = new SeededRandom(3);
    const n = 10_000;
    const data = Float64Array.from({ length: n }, () => rng.normal());
    const X = denseMatrix(data, n, 1, ['x']);
    const bins = fitQuantileBins(X, 16);
    expect(bins.edges[0]!.length).toBe(15);
    const counts = new Array<number>(16).fill(0);
    for (const b of binMatrix(X, bins).bins) counts[b]!++;
    for (const c of counts) expect(Math.abs(c - n / 16)).toBeLessThanOrEqual(2);
  });

  it('give a heavy value its own bin and share the rest among the other bins', () => {
    // Half the rows are 0: with 4 bins, 0 takes one and the 5000 values 1..5000 share the other three.
    const n = 10_000;
    const data = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 0 : (i + 1) / 2));
    const bins = fitQuantileBins(denseMatrix(data, n, 1, ['x']), 4);
    const edges = Array.from(bins.edges[0]!);
    expect(edges[0]).toBe(0.5);
    expect(edges.length).toBe(3);
    expect(edges[1]).toBeCloseTo(1667.5, -1);
    expect(edges[2]).toBeCloseTo(3334.5, -1);
  });

  it('agree with the raw-value test: a value is in bin b exactly when it is <= edge b and > edge b − 1', () => {
    const rng = new SeededRandom(9);
    const values = Float64Array.from({ length: 2000 }, () => Math.round(rng.normal() * 50) / 10);
    const bins = fitQuantileBins(denseMatrix(values, 2000, 1, ['x']), 32);
    const edges = bins.edges[0]!;
    for (const v of [...values, -100, 100, edges[3]!, edges[3]! + 1e-9]) {
      const b = binOf(v, edges);
      if (b < edges.length) expect(v <= edges[b]!).toBe(true);
      if (b > 0) expect(v > edges[b - 1]!).toBe(true);
    }
  });

  it('bin a matrix exactly as binOf does, for every edge count, on edges, infinities and NaN', () => {
    const rng = new SeededRandom(21);
    for (const maxBins of [2, 3, 4, 5, 17, 64, 128, 129, 255]) {
      const n = 3000;
      const data = Float64Array.from({ length: n }, () => Math.round(rng.normal() * 400) / 7);
      const bins = fitQuantileBins(denseMatrix(data, n, 1, ['x']), maxBins);
      const edges = bins.edges[0]!;
      const probes = Float64Array.from([...data, ...edges, ...edges.map((e) => e + 1e-9), -Infinity, Infinity, Number.NaN]);
      const binned = binMatrix(denseMatrix(probes, probes.length, 1, ['x']), bins);
      const expected = Array.from(probes, (v) => binOf(v, edges));
      expect(Array.from(binned.bins)).toEqual(expected);
    }
  });

  it('reject a maxBins outside 2..255', () => {
    const X = denseMatrix(Float64Array.from([1, 2]), 2, 1, ['x']);
    expect(() => fitQuantileBins(X, 256)).toThrow(/maxBins must be an integer in \[2, 255\]/);
  });
});
