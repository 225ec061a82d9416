/**
 * The monitoring benchmark: what monitoring costs the scoring path. Synthetic traffic with 15 features (the
 * Handbook's feature count), seeded:
 * - building a reference profile of 100,000 training rows;
 * - `compareToProfile` on a 2000-event window (one drift recomputation);
 * - `Monitor.recordScore` per event with the default drift window (2000, step 500, a JSON-lines prediction log),
 *   as mean, p99 and max (the max is the event that triggered a recomputation);
 * - `Monitor.report()` with 5000 labels in the quality window.
 *
 *   pnpm exec tsx --conditions=@mlsd/source packages/serving/bench/monitoring.bench.ts
 *   MLSD_BENCH_SCALE=small pnpm exec tsx --conditions=@mlsd/source packages/serving/bench/monitoring.bench.ts
 *
 * Writes `bench/results/monitoring.json` and prints a one-line summary. Wall-clock timings on this machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeededRandom, denseMatrix } from '@mlsd/data';
import { buildReferenceProfile, compareToProfile } from '@mlsd/eval';
import { JsonlPredictionLog, Monitor, type MonitoredEvent } from '@mlsd/serving';

const small = process.env['MLSD_BENCH_SCALE'] === 'small';
const FEATURES = 15;
const TRAIN_ROWS = small ? 20_000 : 100_000;
const EVENTS = small ? 20_000 : 200_000;
const names = Array.from({ length: FEATURES }, (_, i) => (i === 0 ? 'TX_AMOUNT' : `F${i}`));

function rows(seed: number, n: number): Float64Array {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(n * FEATURES);
  for (let r = 0; r < n; r++) {
    data[r * FEATURES] = Math.exp(rng.normal(3.5, 0.9));
    for (let c = 1; c < FEATURES; c++) data[r * FEATURES + c] = c % 3 === 0 ? rng.poisson(3) : rng.normal(c, 1);
  }
  return data;
}

const train = denseMatrix(rows(1, TRAIN_ROWS), TRAIN_ROWS, FEATURES, names);
const trainScores = Float64Array.from({ length: TRAIN_ROWS }, (_, r) => 1 / (1 + Math.exp(-(train.data[r * FEATURES]! / 40 - 4))));
let t = performance.now();
const profile = buildReferenceProfile({ features: train, scores: trainScores });
const profileMs = performance.now() - t;

const windowData = rows(2, 2000);
const window = denseMatrix(windowData, 2000, FEATURES, names);
const windowScores = trainScores.subarray(0, 2000);
compareToProfile(profile, { features: window, scores: windowScores });
const compareRuns = 50;
t = performance.now();
for (let i = 0; i < compareRuns; i++) compareToProfile(profile, { features: window, scores: windowScores });
const compareMs = (performance.now() - t) / compareRuns;

const dir = mkdtempSync(join(tmpdir(), 'mlsd-monitoring-bench-'));
const monitor = new Monitor({ profile, predictionLog: new JsonlPredictionLog(join(dir, 'predictions.jsonl')) });
const live = rows(3, EVENTS);
const rng = new SeededRandom(4);
const perEvent = new Float64Array(EVENTS);
for (let i = 0; i < EVENTS; i++) {
  const values = live.subarray(i * FEATURES, (i + 1) * FEATURES);
  const score = 1 / (1 + Math.exp(-(values[0]! / 40 - 4)));
  const event: MonitoredEvent = {
    transaction: { transactionId: i, time: i * 1000, customerId: i % 5000, terminalId: i % 10000, amount: values[0]! },
    result: { transactionId: i, score, decision: score >= 0.5 ? 'review' : 'allow', source: 'model', modelVersion: 1, reasons: [], latencyMs: 1 },
    features: { names, values },
  };
  const start = performance.now();
  monitor.recordScore(event);
  perEvent[i] = performance.now() - start;
  if (i % 2 === 0) monitor.recordFeedback(i, rng.nextFloat() < score);
}
monitor.report();
const reportRuns = 20;
t = performance.now();
for (let i = 0; i < reportRuns; i++) monitor.report();
const reportMs = (performance.now() - t) / reportRuns;
await monitor.close();
rmSync(dir, { recursive: true, force: true });

const sorted = perEvent.slice().sort();
let sum = 0;
for (const v of perEvent) sum += v;
const result = {
  scale: small ? 'small' : 'full',
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadavg1: loadavg()[0] },
  features: FEATURES,
  buildProfile: { rows: TRAIN_ROWS, ms: profileMs },
  compareToProfile: { windowRows: 2000, ms: compareMs },
  recordScore: {
    events: EVENTS,
    meanUs: (sum / EVENTS) * 1000,
    p99Us: sorted[Math.floor(EVENTS * 0.99)]! * 1000,
    maxMs: sorted[EVENTS - 1]!,
    eventsPerSecond: EVENTS / (sum / 1000),
  },
  report: { labelledWindow: 5000, ms: reportMs },
};
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/monitoring.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `monitoring (${result.scale}): profile ${TRAIN_ROWS} rows ${profileMs.toFixed(0)} ms; drift of a 2000-event window ${compareMs.toFixed(2)} ms; ` +
    `recordScore mean ${result.recordScore.meanUs.toFixed(1)} µs, p99 ${result.recordScore.p99Us.toFixed(1)} µs, max ${result.recordScore.maxMs.toFixed(2)} ms; ` +
    `report ${reportMs.toFixed(2)} ms -> ${out}`,
);
