import { countPositives } from '../validation/binary-labels.js';
import { MlsdError } from '../errors/mlsd-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import type { Fold } from './fold.js';

/**
 * Stratified k-fold for data without time (like scikit-learn's `StratifiedKFold(shuffle=True)`): each class's
 * rows are shuffled with `seed` and dealt round-robin to the folds, so every fold has the class ratio of the
 * whole (class counts per fold differ by at most 1) and fold sizes differ by at most 1. Fold `i` (named
 * `fold-i`) tests on its rows and trains on all others; indices ascending. A class with fewer than `k` rows
 * leaves some folds without it (scikit-learn warns in that case).
 */
export function stratifiedKFold(labels: Uint8Array, k: number, seed: number): Fold[] {
  const n = labels.length;
  if (!Number.isInteger(k) || k < 2 || k > n) {
    throw new MlsdError('INVALID_OPTION', `k must be a whole number between 2 and the number of rows (${n}), got ${k}.`, {
      location: { field: 'k' },
    });
  }
  const random = new SeededRandom(seed);
  const foldOf = new Int32Array(n);
  let next = 0;
  for (const cls of [0, 1]) {
    let count = 0;
    for (let i = 0; i < n; i++) if (labels[i] === cls) count++;
    const rows = new Int32Array(count);
    for (let i = 0, j = 0; i < n; i++) if (labels[i] === cls) rows[j++] = i;
    random.shuffle(rows);
    // Continue the round-robin across classes so fold sizes stay balanced too.
    for (let j = 0; j < count; j++) foldOf[rows[j]!] = (next + j) % k;
    next = (next + count) % k;
  }
  countPositives(labels);
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    let size = 0;
    for (let i = 0; i < n; i++) if (foldOf[i] === f) size++;
    const test = new Int32Array(size);
    const train = new Int32Array(n - size);
    for (let i = 0, a = 0, b = 0; i < n; i++) {
      if (foldOf[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    folds.push({ name: `fold-${f}`, train, test });
  }
  return folds;
}
