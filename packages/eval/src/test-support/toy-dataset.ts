import { denseMatrix, SeededRandom, type Fold } from '@mlsd/data';
import type { ValidationDataset } from '@mlsd/eval';

/**
 * Test support: `days` days of `perDay` transactions over `cards` cards, with two features: `signal`
 * (higher for frauds) and `noise`. Returns the data set and `foldCount` prequential folds of one training
 * day and one test day each.
 */
export function toyDataset(seed: number, days = 6, perDay = 200, cards = 150, foldCount = 2): { data: ValidationDataset; folds: Fold[] } {
  const random = new SeededRandom(seed);
  const n = days * perDay;
  const values = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  const groupIds = new Float64Array(n);
  const times = new Float64Array(n);
  const amounts = new Float64Array(n);
  const start = Date.UTC(2018, 3, 1);
  for (let i = 0; i < n; i++) {
    y[i] = random.nextFloat() < 0.08 ? 1 : 0;
    values[2 * i] = random.normal(y[i] === 1 ? 1.5 : 0, 1);
    values[2 * i + 1] = random.normal();
    groupIds[i] = random.nextInt(cards);
    times[i] = start + Math.floor(i / perDay) * 86_400_000 + random.nextInt(86_400_000);
    amounts[i] = Math.round(random.uniform(5, 150));
  }
  const dayRows = (day: number): Int32Array => Int32Array.from({ length: perDay }, (_, j) => day * perDay + j);
  const folds: Fold[] = [];
  for (let f = 0; f < foldCount; f++) folds.push({ name: `prequential-${f}`, train: dayRows(2 * f), test: dayRows(2 * f + 1) });
  return { data: { X: denseMatrix(values, n, 2, ['signal', 'noise']), y, groupIds, times, amounts }, folds };
}
