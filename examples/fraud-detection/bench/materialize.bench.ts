/**
 * `fraud materialize` as a user runs it (issue 15: "1.75M rows into Redis in seconds, with pipelining"): whole
 * processes of the compiled CLI under `/usr/bin/time`, on a Handbook-sized simulated file (the simulator's full
 * scale, about 1.75 M rows, as CSV and as Parquet), into a redis-server of the bench's own (a free loopback port,
 * flushed before each run) and into a snapshot file; then `fraud serve --warm-from` of that snapshot, timed from
 * spawn to listening. Every run is reported (min, median, max and each run), with the phases the command reports
 * (read, compute, write). Writes `bench/results/materialize.json` and keeps the run as
 * `bench/results/runs/<UTC yyyy-mm-ddThh-mm>-materialize.json` and `.md`, with the machine and its load average.
 *
 * One command: `node --import tsx --conditions=@mlsd/source examples/fraud-detection/bench/materialize.bench.ts`
 * (`MLSD_BENCH_SCALE=small` for a quick run; `MLSD_BENCH_RUNS=n` runs per case, default 3). The compiled CLI is
 * rebuilt first when stale (untimed). Needs `redis-server` and `redis-cli` on the PATH.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateTransactions, writeTable } from '@mlsd/data';
import { FeaturePipeline, handbookFeatures } from '@mlsd/features';
import { FileModelRegistry, LogisticRegression } from '@mlsd/models';
import { OwnRedis } from '../../../packages/serving/src/test-support/own-redis.js';
import { buildFraudCliIfStale, machineDescription, measureProcess, type ProcessRun } from './process-timing.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const cli = join(root, 'examples/fraud-detection/bin/fraud.mjs');
const small = process.env['MLSD_BENCH_SCALE'] === 'small';
const runs = Number(process.env['MLSD_BENCH_RUNS'] ?? 3);

/** The phases `fraud materialize` reports on stdout. */
interface Phases {
  readonly read: number;
  readonly compute: number;
  readonly write: number;
  readonly total: number;
}

function spread(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted[sorted.length - 1]!, runs: values };
}

/** Runs a case `runs` times (after `before`, e.g. a flush): whole-process seconds, peak RSS and phases of each. */
async function measureCase(argv: string[], before: () => Promise<void>) {
  const all: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) {
    await before();
    const run = measureProcess(root, argv);
    if (run.exitCode !== 0) throw new Error(`${run.command} exited ${run.exitCode}`);
    all.push(run);
  }
  const phases = all.map((run) => (run.output as { seconds: Phases }).seconds);
  return {
    command: all[0]!.command,
    output: all[all.length - 1]!.output,
    seconds: spread(all.map((run) => run.seconds)),
    peakRssMiB: spread(all.map((run) => run.peakRssMiB)),
    phases: { read: spread(phases.map((p) => p.read)), compute: spread(phases.map((p) => p.compute)), write: spread(phases.map((p) => p.write)) },
  };
}

/** Seconds from spawning `fraud serve ARGS` to its "listening" line, then stops it (SIGTERM). */
async function timeToListening(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn('node', [cli, 'serve', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((done, fail) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('listening on')) done();
    });
    child.on('exit', (code) => fail(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const seconds = (performance.now() - started) / 1000;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
  if (!/feature store warmed from/.test(stderr)) throw new Error(`serve did not warm its store: ${stderr}`);
  return seconds;
}

buildFraudCliIfStale(root);
const machineBefore = machineDescription();
const folder = mkdtempSync(join(tmpdir(), 'mlsd-materialize-bench-'));
const redis = await OwnRedis.start();
/** A redis-cli command against the bench's own server (its stdout). */
const redisCli = (...args: string[]): string => spawnSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }).stdout;
try {
  const table = simulateTransactions(small ? { customers: 500, terminals: 1000, days: 60, seed: 1 } : { seed: 1 });
  const csv = join(folder, 'tx.csv');
  const parquet = join(folder, 'tx.parquet');
  await writeTable(table, csv);
  await writeTable(table, parquet);
  // The champion's model does not matter to materialization, only its feature pipeline: fitted on a small slice.
  const sample = table.take(Int32Array.from({ length: Math.min(table.rowCount, 20_000) }, (_, i) => i));
  const names = handbookFeatures().map((f) => f.name!);
  const pipeline = new FeaturePipeline({ features: handbookFeatures(), transforms: [{ kind: 'standard-scale', columns: names }] }).fit(sample);
  const model = await new LogisticRegression({ classWeight: 'balanced' }).fit(pipeline.transform(sample), sample.labels('TX_FRAUD'));
  const registryDir = join(folder, 'registry');
  const registry = new FileModelRegistry(registryDir);
  await registry.setAlias('fraud', 'champion', (await registry.register('fraud', model, { featurePipeline: pipeline.toJSON() })).version);

  const flush = async () => void redisCli('FLUSHALL');
  const nothing = async () => undefined;
  const materialize = (input: string, store: string) => ['node', cli, 'materialize', '--input', input, '--store', store, '--registry', registryDir];
  const redisCsv = await measureCase(materialize(csv, redis.url), flush);
  const redisParquet = await measureCase(materialize(parquet, redis.url), flush);
  const snapshot = join(folder, 'state.snap');
  const snapshotParquet = await measureCase(materialize(parquet, `memory-snapshot:${snapshot}`), nothing);
  const redisMemoryMiB = Math.round(Number(/used_memory:(\d+)/.exec(redisCli('INFO', 'memory'))?.[1] ?? 0) / 2 ** 20);
  const warmStart: number[] = [];
  for (let i = 0; i < runs; i++) {
    warmStart.push(await timeToListening(['--registry', registryDir, '--port', '0', '--log-level', 'warn', '--warm-from', snapshot]));
  }
  const serveCold: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawn('node', [cli, 'serve', '--registry', registryDir, '--port', '0', '--log-level', 'warn'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((done) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('listening on')) done();
      }),
    );
    serveCold.push((performance.now() - started) / 1000);
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }

  const date = new Date();
  const results = {
    benchmark: 'materialize',
    date: date.toISOString(),
    scale: small ? 'small' : 'full',
    machine: { ...machineBefore, loadAverageBefore: machineBefore.loadAverage, loadAverageAfter: machineDescription().loadAverage },
    note: `wall-clock seconds and peak RSS of whole child processes (/usr/bin/time), ${runs} runs each (min, median, max, every run), on a shared machine; Redis flushed before each Redis run`,
    input: { rows: table.rowCount, csvBytes: statSync(csv).size, parquetBytes: statSync(parquet).size },
    redisCsv,
    redisParquet,
    snapshotParquet: { ...snapshotParquet, snapshotBytes: statSync(snapshot).size },
    redisUsedMemoryMiB: redisMemoryMiB,
    serveStartSeconds: { warmFromSnapshot: spread(warmStart), cold: spread(serveCold) },
  };
  const resultsDir = join(root, 'bench/results');
  mkdirSync(join(resultsDir, 'runs'), { recursive: true });
  const stamp = date.toISOString().slice(0, 16).replace(':', '-');
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(resultsDir, 'materialize.json'), json);
  writeFileSync(join(resultsDir, 'runs', `${stamp}-materialize.json`), json);
  const row = (name: string, c: typeof redisCsv) =>
    `| ${name} | ${c.seconds.min} / ${c.seconds.median} / ${c.seconds.max} | ${c.phases.read.median} | ${c.phases.compute.median} | ${c.phases.write.median} | ${c.peakRssMiB.max} |`;
  const md = [
    `# fraud materialize — ${results.date} (${results.scale} scale: ${table.rowCount} rows)`,
    '',
    `Machine: ${machineBefore.cpuModel}, ${machineBefore.cores} cores, Node ${machineBefore.node}; load average before ${machineBefore.loadAverage.join(' ')}, after ${results.machine.loadAverageAfter.join(' ')}.`,
    `${runs} whole-process runs per case (/usr/bin/time); seconds min / median / max, phases as medians of the command's own report.`,
    '',
    '| case | seconds (min / median / max) | read | compute | write | peak RSS MiB |',
    '| --- | --- | --- | --- | --- | --- |',
    row('CSV → redis://', redisCsv),
    row('Parquet → redis://', redisParquet),
    row('Parquet → memory-snapshot:FILE', snapshotParquet),
    '',
    `State: ${(redisParquet.output as { events: number }).events} transactions inside the retention, ${(redisParquet.output as { written: number }).written} entity events written; Redis used memory ${redisMemoryMiB} MiB; snapshot ${statSync(snapshot).size} bytes.`,
    `fraud serve start to listening (s, min / median / max): --warm-from ${spread(warmStart).min} / ${spread(warmStart).median} / ${spread(warmStart).max}, cold ${spread(serveCold).min} / ${spread(serveCold).median} / ${spread(serveCold).max}.`,
    '',
  ].join('\n');
  writeFileSync(join(resultsDir, 'runs', `${stamp}-materialize.md`), md);
  process.stdout.write(md);
} finally {
  await redis.stop();
  rmSync(folder, { recursive: true, force: true });
}
