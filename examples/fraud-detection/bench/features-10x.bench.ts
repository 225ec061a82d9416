/**
 * Larger than memory (issue 16): the 15 Handbook features of 10x the Handbook's data (about 17.5 M transactions:
 * 50,000 customers, 100,000 terminals, 183 days), written to Parquet by the simulator, computed (1) by the compiled
 * SQL inside DuckDB over the Parquet file in place, under a memory limit (`MLSD_BENCH_DUCKDB_MEMORY`, default 2GB)
 * past which DuckDB spills to disk, and (2) by `fraud features --engine typed` (ingest + typed executor, all in
 * memory) when it fits. Each is a child process under `/usr/bin/time` (wall time, peak RSS). Writes
 * `bench/results/features-10x.json` with the machine and its load average.
 *
 * Minutes long and gigabytes of disk: it runs only with `MLSD_BENCH_10X=1` (`MLSD_BENCH_10X=1 pnpm bench 10x`), never
 * in CI. `MLSD_BENCH_SCALE=small` runs it at 1/10 of the Handbook size instead, to check it works.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineDescription, measureProcess } from './process-timing.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const cli = join(root, 'examples/fraud-detection/bin/fraud.mjs');
const small = process.env['MLSD_BENCH_SCALE'] === 'small';
const memoryLimit = process.env['MLSD_BENCH_DUCKDB_MEMORY'] ?? '2GB';

if (process.env['MLSD_BENCH_10X'] !== '1') {
  process.stdout.write('features-10x: skipped (set MLSD_BENCH_10X=1 to run it; minutes long, gigabytes of disk)\n');
  process.exit(0);
}

const machineBefore = machineDescription();
const folder = mkdtempSync(join(tmpdir(), 'mlsd-features-10x-'));
try {
  const parquet = join(folder, 'tx.parquet');
  const size = small ? ['--customers', '500', '--terminals', '1000'] : ['--customers', '50000', '--terminals', '100000'];
  const simulate = measureProcess(root, ['node', cli, 'simulate', ...size, '--out', parquet]);
  const tsx = join(root, 'node_modules/.bin/tsx');
  const duckdb = measureProcess(root, [
    tsx,
    '--conditions=@mlsd/source',
    join(here, 'sql-features-in-place.ts'),
    parquet,
    join(folder, 'features-duckdb.parquet'),
    memoryLimit,
  ]);
  const typed = measureProcess(root, [
    'node',
    '--max-old-space-size=16384',
    cli,
    'features',
    '--input',
    parquet,
    '--out',
    join(folder, 'features-typed.parquet'),
  ]);
  const results = {
    benchmark: 'features-10x',
    date: new Date().toISOString(),
    scale: small ? 'small (1/10 of the Handbook)' : '10x the Handbook',
    machine: { ...machineBefore, loadAverageAfter: machineDescription().loadAverage },
    note: 'wall-clock seconds and peak RSS of whole child processes (/usr/bin/time) on a shared machine: noisy and pessimistic',
    input: { rows: (simulate.output as { rows?: number } | undefined)?.rows, parquetBytes: statSync(parquet).size },
    simulate,
    duckdbInPlace: { memoryLimit, ...duckdb },
    typed,
  };
  const out = join(root, 'bench/results/features-10x.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify({ rows: results.input.rows, duckdb: [duckdb.seconds, duckdb.peakRssMiB], typed: [typed.seconds, typed.peakRssMiB] })}\nwrote ${out}\n`,
  );
} finally {
  rmSync(folder, { recursive: true, force: true });
}
