/**
 * What the models benchmarks share: the bench scale, the Fraud Detection Handbook split, the two ranking metrics,
 * the `machine` block of the JSON header and where the result file goes. Not a benchmark itself (`pnpm bench` runs
 * only `*.bench.ts`).
 *
 * The metrics are written out here rather than imported because `@mlsd/eval` depends on `@mlsd/models`; they follow
 * the same definitions as its `rocAuc` and `averagePrecision`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { holdoutWithDelay, simulateTransactions, takeRows } from '@mlsd/data';
import type { DenseMatrix, SimulationShift } from '@mlsd/data';
import { computeFeatureMatrix, FeaturePipeline, handbookFeatures } from '@mlsd/features';

/** Simulator size: the `customers`, `terminals` and `days` options of `simulateTransactions`. */
export interface SimulationSize {
  readonly customers: number;
  readonly terminals: number;
  readonly days: number;
}

/** How big a benchmark run is. */
export interface BenchScale {
  /** True for the quick run (`MLSD_BENCH_SCALE=small`). */
  readonly small: boolean;
  /** Simulator seeds, one split per seed. */
  readonly seeds: number[];
  readonly simulation: SimulationSize;
}

/** The scale asked for by `MLSD_BENCH_SCALE`: `small` is 1 seed and a smaller simulation, anything else the Handbook's full size over 3 seeds. */
export function benchScale(env: NodeJS.ProcessEnv = process.env): BenchScale {
  const small = env['MLSD_BENCH_SCALE'] === 'small';
  return {
    small,
    seeds: small ? [1] : [1, 2, 3],
    simulation: small ? { customers: 600, terminals: 1200, days: 140 } : { customers: 5000, terminals: 10000, days: 183 },
  };
}

/** The Handbook's holdout (`holdoutWithDelay` options): train 2018-07-25 + 7 days, a 7-day delay, 7 test days, known-compromised cards dropped. */
export const HANDBOOK_HOLDOUT = {
  start: '2018-07-25',
  trainDays: 7,
  delayDays: 7,
  testDays: 7,
  dropKnownCompromised: { cardColumn: 'CUSTOMER_ID', labelColumn: 'TX_FRAUD' },
} as const;

/** Training and test rows with their labels. */
export interface Split {
  readonly Xtrain: DenseMatrix;
  readonly ytrain: Uint8Array;
  readonly Xtest: DenseMatrix;
  readonly ytest: Uint8Array;
}

/** A {@link Split} of one simulated table, with that table's size. */
export interface HandbookSplit extends Split {
  /** Rows the simulator produced, over all days. */
  readonly rows: number;
  /** CUSTOMER_ID of each test row (the cards of card precision@k). */
  readonly testCards: Float64Array;
  /** TX_DATETIME of each test row, epoch milliseconds. */
  readonly testTimes: Float64Array;
}

/**
 * How the 15 Handbook features become matrix columns: `raw` (`computeFeatureMatrix`) or `standard-scaled`, a
 * `FeaturePipeline` standardising every feature on the training rows (the Handbook's StandardScaler).
 */
export type HandbookFeatureScaling = 'raw' | 'standard-scaled';

/** A departure from the Handbook set-up: a simulator shift, or a holdout whose training week starts elsewhere. */
export interface SplitVariant {
  /** The simulator's `shift` option (default none). */
  readonly shift?: SimulationShift;
  /** First training day, `YYYY-MM-DD` (default {@link HANDBOOK_HOLDOUT}'s `2018-07-25`). */
  readonly start?: string;
}

/**
 * The Handbook set-up for one simulator seed: simulate, split with {@link HANDBOOK_HOLDOUT}, build the feature
 * matrices. `variant` shifts the simulation or moves the holdout (default: neither).
 */
export function handbookSplit(seed: number, simulation: SimulationSize, scaling: HandbookFeatureScaling, variant: SplitVariant = {}): HandbookSplit {
  const table = simulateTransactions({ ...simulation, seed, ...(variant.shift === undefined ? {} : { shift: variant.shift }) });
  const fold = holdoutWithDelay(table, { ...HANDBOOK_HOLDOUT, ...(variant.start === undefined ? {} : { start: variant.start }) });
  const y = table.labels('TX_FRAUD');
  const features = handbookFeatures();
  let Xtrain: DenseMatrix;
  let Xtest: DenseMatrix;
  if (scaling === 'standard-scaled') {
    const names = new FeaturePipeline({ features }).rawFeatureNames;
    const pipeline = new FeaturePipeline({ features, transforms: [{ kind: 'standard-scale', columns: [...names] }] });
    pipeline.fit(table, { rows: fold.train });
    Xtrain = pipeline.transform(table, { rows: fold.train });
    Xtest = pipeline.transform(table, { rows: fold.test });
  } else {
    const X = computeFeatureMatrix(table, features);
    Xtrain = takeRows(X, fold.train);
    Xtest = takeRows(X, fold.test);
  }
  const gather = (values: ArrayLike<number>): Float64Array => Float64Array.from(fold.test, (row) => values[row]!);
  return {
    Xtrain,
    ytrain: pick(y, fold.train),
    Xtest,
    ytest: pick(y, fold.test),
    rows: table.rowCount,
    testCards: gather(table.numeric('CUSTOMER_ID')),
    testTimes: gather(table.numeric('TX_DATETIME')),
  };
}

/** Row and fraud counts of a split, in the key order the result files use. */
export function splitCounts(split: Split): { trainRows: number; trainFrauds: number; testRows: number; testFrauds: number } {
  return { trainRows: split.Xtrain.rows, trainFrauds: sum(split.ytrain), testRows: split.Xtest.rows, testFrauds: sum(split.ytest) };
}

/** The labels at the given row indices, in that order. */
export function pick(y: Uint8Array, idx: Int32Array): Uint8Array {
  const out = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i]!]!;
  return out;
}

/** Number of positives in 0/1 labels. */
function sum(y: Uint8Array): number {
  let s = 0;
  for (const v of y) s += v;
  return s;
}

/**
 * ROC AUC: Mann–Whitney U from the rank sum of the positives, tied scores sharing their average rank (ties count
 * half). Every term is a whole or half number, so the result is U / (positives · negatives) rounded once, the same
 * double as the pairwise count; NaN when a class is missing.
 */
export function rocAuc(scores: Float64Array, y: Uint8Array): number {
  const order = sortedByScore(scores);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) end++;
    for (let k = start; k < end; k++) {
      if (y[order[k]!] === 1) {
        positives++;
        rankSum += (start + 1 + end) / 2;
      }
    }
    start = end;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * (order.length - positives));
}

/**
 * Average precision as scikit-learn's `average_precision_score` defines it: Σ (Rₙ − Rₙ₋₁) Pₙ over score thresholds
 * from the highest down, tied scores entering together (no interpolation). The recall step is taken as a difference
 * of recalls, like scikit-learn's `np.diff(recall)`; NaN without positives.
 */
export function averagePrecision(scores: Float64Array, y: Uint8Array): number {
  const order = sortedByScore(scores).reverse();
  const positives = sum(y);
  let tp = 0;
  let ap = 0;
  let previousRecall = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) {
      tp += y[order[end]!]!;
      end++;
    }
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / end);
    previousRecall = recall;
    start = end;
  }
  return ap;
}

/** Row indices by ascending score. */
function sortedByScore(scores: Float64Array): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[a]! - scores[b]!);
}

/** `x` to `digits` decimals as `toFixed` rounds it: from the double's exact value, halves up (for x >= 0). */
export function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

/** Mean, min and max of `values` (at least one), each rounded to 4 decimals with `rounding` (default {@link round}). */
export function spread(values: number[], rounding: (x: number, digits: number) => number = round): { mean: number; min: number; max: number } {
  return { mean: rounding(mean(values), 4), min: rounding(Math.min(...values), 4), max: rounding(Math.max(...values), 4) };
}

/** {@link spread} with the sample standard deviation (n − 1 in the denominator; 0 for one value) after the mean. */
export function spreadWithStd(values: number[]): { mean: number; std: number; min: number; max: number } {
  const m = mean(values);
  const std = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean: round(m, 4), std: round(std, 4), min: round(Math.min(...values), 4), max: round(Math.max(...values), 4) };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The `machine` block of a result file: CPU count and model, the 1-minute load average (2 decimals) and the Node version. */
export function machine(): { cpus: number; cpuModel: string; loadAverage1m: number; node: string } {
  return { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', loadAverage1m: round(loadavg()[0]!, 2), node: process.version };
}

/** Writes `result` to `bench/results/<name>.json` at the repository root (2-space JSON and a final newline), creating the folder. */
export function writeResult(name: string, result: unknown): void {
  const outDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bench/results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
