import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@mlsd/data';
import { averagePrecision, bootstrapCi, groupPrecisionAtK, rocAuc, sortIndices } from '@mlsd/eval';

// Metric speed on a fraud-like set: 1M transactions (MLSD_BENCH_SCALE=small: 100k), 0.8% fraud, scores rounded
// to 4 decimals (many ties), 10k cards over 30 days. Writes bench/results/eval-metrics.json at the repo root.
const small = process.env.MLSD_BENCH_SCALE === 'small';
const n = small ? 100_000 : 1_000_000;
const k = 100;
const random = new SeededRandom(2026);
const labels = new Uint8Array(n);
const scores = new Float64Array(n);
const groupIds = new Float64Array(n);
const days = new Float64Array(n);
for (let i = 0; i < n; i++) {
  labels[i] = random.nextFloat() < 0.008 ? 1 : 0;
  scores[i] = Math.round(Math.min(1, Math.max(0, random.normal(labels[i] === 1 ? 0.6 : 0.3, 0.15))) * 1e4) / 1e4;
  groupIds[i] = random.nextInt(10_000);
  days[i] = Math.floor((i / n) * 30);
}

/** Median wall time in ms of `runs` calls (after one warm-up), and the last result. */
function time<T>(runs: number, fn: () => T): { ms: number; result: T } {
  let result = fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, result };
}

const runs = small ? 5 : 3;
const sort = time(runs, () => sortIndices(scores, 'descending'));
const auc = time(runs, () => rocAuc(labels, scores));
const ap = time(runs, () => averagePrecision(labels, scores));
const cp = time(runs, () => groupPrecisionAtK({ labels, scores, groupIds, days }, { k }).mean);
const replicates = small ? 50 : 20;
const boot = time(1, () => bootstrapCi(labels, scores, 'averagePrecision', { seed: 1, replicates }));

const results = {
  benchmark: 'eval-metrics',
  date: new Date().toISOString(),
  rows: n,
  scale: small ? 'small' : 'full',
  node: process.version,
  note: 'median wall time of repeated runs on a shared 2-core machine: noisy and pessimistic',
  ms: {
    sortIndices: sort.ms,
    rocAuc: auc.ms,
    averagePrecision: ap.ms,
    groupPrecisionAtK: cp.ms,
    [`bootstrapAp${replicates}`]: boot.ms,
  },
  values: { rocAuc: auc.result, averagePrecision: ap.result, groupPrecisionAtK: cp.result, apInterval: [boot.result.lower, boot.result.upper] },
};
const dir = join(import.meta.dirname, '../../../bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'eval-metrics.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `eval-metrics: ${n} rows — sort ${sort.ms.toFixed(0)} ms, AUC ${auc.ms.toFixed(0)} ms, AP ${ap.ms.toFixed(0)} ms, ` +
    `group P@${k} ${cp.ms.toFixed(0)} ms, AP bootstrap ×${replicates} ${boot.ms.toFixed(0)} ms`,
);
