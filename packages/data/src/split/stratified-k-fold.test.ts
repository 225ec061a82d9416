import { describe, expect, it } from 'vitest';
import { stratifiedKFold } from '@mlsd/data';

describe('stratifiedKFold', () => {
  const labels = new Uint8Array(103);
  for (let i = 0; i < 103; i += 10) labels[i] = 1; // 11 positives

  it('partitions the rows into k test folds keeping the class ratio', () => {
    const folds = stratifiedKFold(labels, 5, 42);
    expect(folds.map((f) => f.name)).toEqual(['fold-0', 'fold-1', 'fold-2', 'fold-3', 'fold-4']);
    const seen = new Uint8Array(labels.length);
    for (const fold of folds) {
      expect(fold.train.length + fold.test.length).toBe(103);
      const positives = Array.from(fold.test).filter((i) => labels[i] === 1).length;
      // 11 positives over 5 folds: 2 or 3 each; 103 rows: 20 or 21 each.
      expect(positives === 2 || positives === 3).toBe(true);
      expect(fold.test.length === 20 || fold.test.length === 21).toBe(true);
      for (const i of fold.test) seen[i]!++;
      expect(Array.from(fold.test)).toEqual(Array.from(fold.test).sort((a, b) => a - b));
      const inTest = new Set(fold.test);
      expect(Array.from(fold.train).some((i) => inTest.has(i))).toBe(false);
    }
    expect(seen.every((count) => count === 1)).toBe(true);
  });

  it('is reproducible for a seed and changes with it', () => {
    const a = stratifiedKFold(labels, 4, 1).map((f) => Array.from(f.test));
    expect(stratifiedKFold(labels, 4, 1).map((f) => Array.from(f.test))).toEqual(a);
    expect(stratifiedKFold(labels, 4, 2).map((f) => Array.from(f.test))).not.toEqual(a);
  });

  it('refuses k outside [2, n]', () => {
    expect(() => stratifiedKFold(labels, 1, 0)).toThrow(/between 2 and the number of rows \(103\)/);
  });
});
