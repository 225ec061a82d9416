/**
 * The monitoring benchmark: what monitoring costs the scoring path. Synthetic traffic with 15 features (the
 * Handbook's feature count), seeded:
 * - building a reference profile of 100,000 training rows;
 * - `compareToProfile` on a 2000-event window (one drift recomputation);
 * - `Monitor.recordScore` per event with the default drift window (2000, step 500, a JSON-lines prediction log),
 *   as mean, p99 and max, with drift recomputed `inline` (the max is the event that triggered it) and in the
 *   `background` (one feature per event-loop turn; the longest turn is reported);
 * - `Monitor.report()` with 5000 labels in the quality window.
 *
 *   pnpm exec tsx --conditions=@mlsd/source packages/monitoring/bench/monitoring.bench.ts
 *   MLSD_BENCH_SCALE=small pnpm exec tsx --conditions=@mlsd/source packages/monitoring/bench/monitoring.bench.ts
 *
 * Writes `bench/results/monitoring.json` and prints a one-line summary. Wall-clock timings, plus process CPU time
 * (steadier when the machine is shared).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeededRandom, denseMatrix } from '@mlsd/data';
import { buildReferenceProfile, compareToProfile } from '@mlsd/eval';
import { JsonlPredictionLog, Monitor, type MonitoredEvent } from '@mlsd/monitoring';

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
/** CPU time of the process in ms: on a shared, loaded machine it is steadier than wall-clock time. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
let t = performance.now();
let c = cpuMs();
const profile = buildReferenceProfile({ features: train, scores: trainScores });
const profileMs = performance.now() - t;
const profileCpuMs = cpuMs() - c;

const windowData = rows(2, 2000);
const window = denseMatrix(windowData, 2000, FEATURES, names);
const windowScores = trainScores.subarray(0, 2000);
compareToProfile(profile, { features: window, scores: windowScores });
const compareRuns = 50;
t = performance.now();
c = cpuMs();
for (let i = 0; i < compareRuns; i++) compareToProfile(profile, { features: window, scores: windowScores });
const compareMs = (performance.now() - t) / compareRuns;
const compareCpuMs = (cpuMs() - c) / compareRuns;

const dir = mkdtempSync(join(tmpdir(), 'mlsd-monitoring-bench-'));
const live = rows(3, EVENTS);

/**
 * Feeds EVENTS events in batches of 20, yielding to the event loop between batches as a server would. Returns the
 * time of each recordScore call and the longest yield (which includes any background drift turn).
 */
async function run(schedule: 'inline' | 'background'): Promise<{ perEvent: Float64Array; maxYieldMs: number; reportMs: number; cpuUsPerEvent: number }> {
  const monitor = new Monitor({ profile, drift: { schedule }, predictionLog: new JsonlPredictionLog(join(dir, `${schedule}.jsonl`)) });
  const rng = new SeededRandom(4);
  const perEvent = new Float64Array(EVENTS);
  let maxYieldMs = 0;
  const cpuStart = cpuMs();
  for (let i = 0; i < EVENTS; i++) {
    const values = live.subarray(i * FEATURES, (i + 1) * FEATURES);
    const score = 1 / (1 + Math.exp(-(values[0]! / 40 - 4)));
    const event: MonitoredEvent = {
      transaction: { transactionId: i, time: i * 1000, customerId: i % 5000, terminalId: i % 10000, amount: values[0]! },
      result: { score, decision: score >= 0.5 ? 'review' : 'allow', source: 'model', modelVersion: 1 },
      features: { names, values },
    };
    const start = performance.now();
    monitor.recordScore(event);
    perEvent[i] = performance.now() - start;
    if (i % 2 === 0) monitor.recordFeedback(i, rng.nextFloat() < score);
    if (i % 20 === 19) {
      const before = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      maxYieldMs = Math.max(maxYieldMs, performance.now() - before);
    }
  }
  await monitor.whenIdle();
  const cpuUsPerEvent = ((cpuMs() - cpuStart) / EVENTS) * 1000;
  monitor.report();
  const reportRuns = 20;
  const t0 = performance.now();
  for (let i = 0; i < reportRuns; i++) monitor.report();
  const reportMs = (performance.now() - t0) / reportRuns;
  await monitor.close();
  return { perEvent, maxYieldMs, reportMs, cpuUsPerEvent };
}

function summarise(perEvent: Float64Array): { meanUs: number; p99Us: number; maxMs: number } {
  const sorted = perEvent.slice().sort();
  let sum = 0;
  for (const v of perEvent) sum += v;
  return { meanUs: (sum / perEvent.length) * 1000, p99Us: sorted[Math.floor(perEvent.length * 0.99)]! * 1000, maxMs: sorted[perEvent.length - 1]! };
}

const inline = await run('inline');
const background = await run('background');
rmSync(dir, { recursive: true, force: true });

const result = {
  scale: small ? 'small' : 'full',
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadavg1: loadavg()[0] },
  features: FEATURES,
  buildProfile: { rows: TRAIN_ROWS, ms: profileMs, cpuMs: profileCpuMs },
  compareToProfile: { windowRows: 2000, ms: compareMs, cpuMs: compareCpuMs },
  recordScore: {
    events: EVENTS,
    inline: { ...summarise(inline.perEvent), maxYieldMs: inline.maxYieldMs, cpuUsPerEvent: inline.cpuUsPerEvent },
    background: { ...summarise(background.perEvent), maxYieldMs: background.maxYieldMs, cpuUsPerEvent: background.cpuUsPerEvent },
  },
  report: { labelledWindow: 5000, ms: background.reportMs },
};
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/monitoring.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
const bg = result.recordScore.background;
console.log(
  `monitoring (${result.scale}): profile ${TRAIN_ROWS} rows ${profileMs.toFixed(0)} ms (cpu ${profileCpuMs.toFixed(0)}); ` +
    `drift of a 2000-event window ${compareMs.toFixed(2)} ms (cpu ${compareCpuMs.toFixed(2)}); ` +
    `recordScore (background drift) mean ${bg.meanUs.toFixed(1)} µs (cpu incl. drift ${bg.cpuUsPerEvent.toFixed(1)}), p99 ${bg.p99Us.toFixed(1)} µs, max ${bg.maxMs.toFixed(2)} ms, ` +
    `longest event-loop turn ${bg.maxYieldMs.toFixed(2)} ms (inline: max ${result.recordScore.inline.maxMs.toFixed(2)} ms); ` +
    `report ${result.report.ms.toFixed(2)} ms -> ${out}`,
);
