/**
 * `pnpm demo` as a user runs it: the compiled CLI as one child process under `/usr/bin/time` (wall seconds, peak
 * resident memory), full scale, seed 0, the four models, then the figures the run wrote to `summary.json`: each
 * model's test-week metrics by its full name and its difference to the baseline, what the in-process service answered
 * over the replayed test week (fallbacks, latency inside the service, live quality, drift) and the A/B phase's
 * answer. These are the figures the fraud-detection README quotes. Then `fraud score` of the demo's whole data set with
 * its champion and `fraud evaluate` of the result, as two more processes (batch scoring's wall time and memory).
 * Writes `bench/results/demo.json` with the machine and its load average before and after.
 *
 * `MLSD_BENCH_SCALE=small` runs `--scale small`. One run of one seed: the models benchmark gives the spread over
 * simulator seeds; this one measures the demo end to end. The compiled CLI is rebuilt first when
 * stale (untimed).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFraudCliIfStale, machineDescription, measureProcess } from './process-timing.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const cli = join(root, 'examples/fraud-detection/bin/fraud.mjs');
const small = process.env['MLSD_BENCH_SCALE'] === 'small';

buildFraudCliIfStale(root);
const machineBefore = machineDescription();
const folder = mkdtempSync(join(tmpdir(), 'mlsd-demo-bench-'));
try {
  const args = ['demo', '--scale', small ? 'small' : 'full', '--seed', '0', '--models', 'lr,gbdt,rf,mlp', '--out', folder];
  const run = measureProcess(root, ['node', cli, ...args]);
  if (run.exitCode !== 0) throw new Error(`fraud ${args.join(' ')} exited ${run.exitCode}`);
  const figures = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')) as Record<string, unknown>;
  // Batch scoring of the demo's whole data set with its champion, then its evaluation, as two more processes.
  const scored = join(folder, 'scored.parquet');
  const score = measureProcess(root, ['node', cli, 'score', '--registry', folder, '--input', join(folder, 'transactions.parquet'), '--out', scored]);
  const evaluate = measureProcess(root, ['node', cli, 'evaluate', '--input', scored]);
  const scoreOutput = score.output as { rows?: number; model?: unknown } | undefined;
  const results = {
    benchmark: 'demo',
    date: new Date().toISOString(),
    scale: small ? 'small' : 'full',
    command: `fraud ${args.slice(0, -2).join(' ')}`,
    machine: { ...machineBefore, loadAverageAfter: machineDescription().loadAverage },
    note: 'one whole `fraud demo` process (/usr/bin/time), seed 0; wall time on a shared machine is noisy and pessimistic',
    process: { seconds: run.seconds, peakRssMiB: run.peakRssMiB },
    /** `fraud score` of every transaction of the demo's data with the champion, and `fraud evaluate` of its output. */
    batchScoring: {
      rows: scoreOutput?.rows ?? null,
      model: scoreOutput?.model ?? null,
      score: { seconds: score.seconds, peakRssMiB: score.peakRssMiB, exitCode: score.exitCode },
      evaluate: { seconds: evaluate.seconds, peakRssMiB: evaluate.peakRssMiB, exitCode: evaluate.exitCode },
    },
    /** The run's `summary.json`: the data set's size, the models, serving and the A/B phase. */
    figures,
  };
  const out = join(root, 'bench/results/demo.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `demo (${results.scale}): ${run.seconds} s, peak ${run.peakRssMiB} MiB; fraud score of ${scoreOutput?.rows} rows ${score.seconds} s, peak ${score.peakRssMiB} MiB; wrote ${out}\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
