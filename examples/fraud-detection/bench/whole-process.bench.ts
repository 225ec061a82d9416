/**
 * Whole processes, as a user runs them (issue 16's table), in one run: `fraud --help` (the compiled CLI, directly
 * and through `pnpm fraud`), `fraud ingest` and `fraud features` (typed and duckdb engines) of a Handbook-sized CSV
 * (the simulator's full scale, about 1.75 M rows), and the pandas peer (`pandas-features.py`: read + the same 15
 * features) on the same file. Each runs as a child under `/usr/bin/time`, which gives its wall time and peak
 * resident memory (and CPU seconds). Writes `bench/results/whole-process.json` and a kept copy `bench/results/runs/<UTC stamp>-whole-process.json`
 * with the machine and its load average before and after. The `duckdbFloor` row (duckdb-floor.ts) is DuckDB alone reading
 * the file, typed and as text + TRY_CAST + checks, timed inside one process: the floor under `fraud ingest`.
 *
 * `MLSD_BENCH_SCALE=small` uses a small simulated file. The compiled CLI is rebuilt first when stale (untimed).
 * pandas comes from Debian (`apt-get install -y python3-pandas`); without it the pandas row is skipped with a
 * message.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestOf, buildFraudCliIfStale, machineDescription, measureProcess } from './process-timing.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const cli = join(root, 'examples/fraud-detection/bin/fraud.mjs');
const small = process.env['MLSD_BENCH_SCALE'] === 'small';

buildFraudCliIfStale(root);
const machineBefore = machineDescription();
const folder = mkdtempSync(join(tmpdir(), 'mlsd-whole-process-'));
try {
  const csv = join(folder, 'tx.csv');
  const size = small ? ['--customers', '500', '--terminals', '1000', '--days', '60'] : [];
  const simulate = measureProcess(root, ['node', cli, 'simulate', ...size, '--out', csv]);
  const rows = (simulate.output as { rows?: number } | undefined)?.rows ?? 0;
  const help = bestOf(3, root, ['node', cli, '--help']);
  const pnpmHelp = bestOf(3, root, ['pnpm', '--silent', 'fraud', '--help']);
  // The floor under ingest: DuckDB alone reading the file (typed; as text + TRY_CAST + checks), in-process times.
  const duckdbFloor = measureProcess(root, ['node', '--import', 'tsx', '--conditions=@mlsd/source', join(here, 'duckdb-floor.ts'), csv]);
  const ingest = bestOf(2, root, ['node', cli, 'ingest', '--input', csv, '--out', join(folder, 'clean.parquet')]);
  const featuresTyped = bestOf(2, root, ['node', cli, 'features', '--input', csv, '--out', join(folder, 'features.parquet')]);
  const featuresDuckDB = measureProcess(root, [
    'node',
    cli,
    'features',
    '--input',
    csv,
    '--out',
    join(folder, 'features-duckdb.parquet'),
    '--engine',
    'duckdb',
  ]);
  // The first Python with pandas: Debian's python3-pandas lives in /usr/bin/python3, which a pyenv may shadow.
  const python = ['python3', '/usr/bin/python3'].find((bin) => spawnSync(bin, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0);
  const hasPandas = python !== undefined;
  const pandas = hasPandas ? bestOf(2, root, [python, join(here, 'pandas-features.py'), csv]) : undefined;
  if (!hasPandas) process.stderr.write('whole-process: pandas is not installed (apt-get install -y python3-pandas); the pandas row is skipped.\n');

  const results = {
    benchmark: 'whole-process',
    date: new Date().toISOString(),
    scale: small ? 'small' : 'full',
    machine: { ...machineBefore, loadAverageAfter: machineDescription().loadAverage },
    note: 'wall-clock seconds and peak RSS of whole child processes (/usr/bin/time), best of 2-3 runs, on a shared machine: noisy and pessimistic',
    input: { rows, bytes: statSync(csv).size },
    help,
    pnpmHelp,
    duckdbFloor,
    ingest,
    featuresTyped,
    featuresDuckDB,
    pandas: pandas ?? { skipped: 'python3-pandas not installed' },
    targets: {
      helpUnderHalfSecond: help.seconds < 0.5,
      ingestUnder2Seconds: ingest.seconds < 2,
      featuresFasterThanPandas: pandas === undefined ? null : featuresTyped.seconds < pandas.seconds,
      /** `fraud features` seconds over the pandas peer's: below 1 when faster. */
      featuresOverPandas: pandas === undefined ? null : featuresTyped.seconds / pandas.seconds,
    },
  };
  const out = join(root, 'bench/results/whole-process.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  // The kept copy, named by its UTC minute, that README figures cite.
  const stamp = results.date.slice(0, 16).replace(':', '-');
  const kept = join(root, `bench/results/runs/${stamp}-whole-process${small ? '-small' : ''}.json`);
  mkdirSync(dirname(kept), { recursive: true });
  writeFileSync(kept, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify({ help: help.seconds, pnpmHelp: pnpmHelp.seconds, ingest: ingest.seconds, duckdbFloor: duckdbFloor.output, features: featuresTyped.seconds, featuresDuckDB: featuresDuckDB.seconds, pandas: pandas?.seconds })}\n`,
  );
  process.stdout.write(`wrote ${out} and ${kept}\n`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
