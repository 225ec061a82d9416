import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { simulateTransactions } from '@mlsd/data';
import { computeFeatureMatrix, computeFeatures, handbookFeatures } from '@mlsd/features';

// Offline executor speed: the 15 Handbook features over the simulated data set (Handbook scale: 5,000 customers,
// 10,000 terminals, 183 days, about 1.75M transactions; MLSD_BENCH_SCALE=small: 500 / 1,000 / 60 days). Median
// of 5 runs after one warm-up. Writes bench/results/features-offline.json at the repo root.
const small = process.env.MLSD_BENCH_SCALE === 'small';
const simulation = small ? { customers: 500, terminals: 1_000, days: 60, seed: 1 } : { seed: 1 };
const table = simulateTransactions(simulation);
const features = handbookFeatures();

/** Median wall time (ms) of `runs` calls after one warm-up, with the process CPU time (all threads) of each. */
function median(runs: number, fn: () => unknown): { ms: number; cpuMs: number; all: number[] } {
  fn();
  const all: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const usage = process.cpuUsage();
    const start = performance.now();
    fn();
    all.push(performance.now() - start);
    const used = process.cpuUsage(usage);
    cpu.push((used.user + used.system) / 1_000);
  }
  const mid = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { ms: mid(all), cpuMs: mid(cpu), all };
}

const columns = median(5, () => computeFeatures(table, features));
const matrix = median(3, () => computeFeatureMatrix(table, features));
// The same work on rows shuffled out of time order (the executor then radix-sorts by time first).
const shuffled = table.take(Int32Array.from({ length: table.rowCount }, (_, i) => (i * 7_919) % table.rowCount));
const unsorted = median(3, () => computeFeatures(shuffled, features));

const targetMs = 1_500;
const results = {
  benchmark: 'features-offline',
  date: new Date().toISOString(),
  scale: small ? 'small' : 'full',
  simulation,
  rows: table.rowCount,
  features: features.length,
  node: process.version,
  cpus: cpus().length,
  note: 'median wall time of repeated runs on a shared 2-core machine (other jobs running): noisy and pessimistic',
  ms: { computeFeatures: columns.ms, computeFeatureMatrix: matrix.ms, computeFeaturesUnsortedRows: unsorted.ms },
  cpuMs: { computeFeatures: columns.cpuMs, computeFeatureMatrix: matrix.cpuMs, computeFeaturesUnsortedRows: unsorted.cpuMs },
  loadAverage: loadavg(),
  runsMs: { computeFeatures: columns.all, computeFeatureMatrix: matrix.all, computeFeaturesUnsortedRows: unsorted.all },
  rowsPerSecond: Math.round(table.rowCount / (columns.ms / 1_000)),
  targetMs,
  meetsTarget: small ? null : columns.ms < targetMs,
};
const dir = join(import.meta.dirname, '../../../bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'features-offline.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `features-offline: 15 Handbook features on ${table.rowCount} rows in ${columns.ms.toFixed(0)} ms median ` +
    `(${columns.cpuMs.toFixed(0)} ms CPU, load ${loadavg()[0]!.toFixed(1)}; ` +
    `matrix ${matrix.ms.toFixed(0)} ms, unsorted rows ${unsorted.ms.toFixed(0)} ms; target < ${targetMs} ms at full scale)`,
);
