/**
 * Whole processes, as a user runs them (issue 16's table), in one run: `fraud --help` (the compiled CLI, directly
 * and through `pnpm fraud`), `fraud ingest` and `fraud features` (typed and duckdb engines) of a Handbook-sized CSV
 * (the simulator's full scale, about 1.75 M rows), and the pandas peer (`pandas-features.py`: read + the same 15
 * features) on the same file. Each runs as a child under `/usr/bin/time`, which gives its wall time and peak
 * resident memory. Writes `bench/results/whole-process.json` with the machine and its load average before and after.
 *
 * `MLSD_BENCH_SCALE=small` uses a small simulated file. The compiled CLI must be built (`pnpm build`; `pnpm fraud`
 * builds it when stale). pandas comes from Debian (`apt-get install -y python3-pandas`); without it the pandas row
 * is skipped with a message.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const cli = join(root, 'examples/fraud-detection/bin/fraud.mjs');
const small = process.env['MLSD_BENCH_SCALE'] === 'small';

/** One measured child process. */
interface Run {
  readonly command: string;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number;
  /** The child's stdout when it is one JSON document (the CLI's summary, the pandas script's timings). */
  readonly output?: unknown;
}

/** Runs `argv` under `/usr/bin/time` (wall seconds, peak RSS in KiB on the last stderr line). */
function measure(argv: string[]): Run {
  const result = spawnSync('/usr/bin/time', ['-f', 'MLSD_TIME %e %M', ...argv], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const match = /MLSD_TIME ([\d.]+) (\d+)/.exec(result.stderr ?? '');
  if (match === null) throw new Error(`could not time ${argv.join(' ')}: ${result.stderr}`);
  let output: unknown;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    output = undefined;
  }
  if (result.status !== 0) process.stderr.write(`${argv.join(' ')} exited ${result.status}:\n${result.stderr}\n`);
  return {
    command: argv.map((a) => a.replace(root, '.')).join(' '),
    seconds: Number(match[1]),
    peakRssMiB: Math.round(Number(match[2]) / 1024),
    exitCode: result.status ?? -1,
    ...(output === undefined ? {} : { output }),
  };
}

/** The best (shortest) of `times` runs: the figure least disturbed by other jobs on a shared machine. */
function best(times: number, argv: string[]): Run & { runsSeconds: number[] } {
  const runs = Array.from({ length: times }, () => measure(argv));
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, runsSeconds: runs.map((r) => r.seconds) };
}

if (!existsSync(join(root, 'examples/fraud-detection/dist/cli.js'))) {
  spawnSync('pnpm', ['--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
const loadBefore = loadavg();
const folder = mkdtempSync(join(tmpdir(), 'mlsd-whole-process-'));
try {
  const csv = join(folder, 'tx.csv');
  const size = small ? ['--customers', '500', '--terminals', '1000', '--days', '60'] : [];
  const simulate = measure(['node', cli, 'simulate', ...size, '--out', csv]);
  const rows = (simulate.output as { rows?: number } | undefined)?.rows ?? 0;
  const help = best(3, ['node', cli, '--help']);
  const pnpmHelp = best(3, ['pnpm', '--silent', 'fraud', '--help']);
  const ingest = best(2, ['node', cli, 'ingest', '--input', csv, '--out', join(folder, 'clean.parquet')]);
  const featuresTyped = best(2, ['node', cli, 'features', '--input', csv, '--out', join(folder, 'features.parquet')]);
  const featuresDuckDB = measure(['node', cli, 'features', '--input', csv, '--out', join(folder, 'features-duckdb.parquet'), '--engine', 'duckdb']);
  // The first Python with pandas: Debian's python3-pandas lives in /usr/bin/python3, which a pyenv may shadow.
  const python = ['python3', '/usr/bin/python3'].find((bin) => spawnSync(bin, ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0);
  const hasPandas = python !== undefined;
  const pandas = hasPandas ? best(2, [python, join(here, 'pandas-features.py'), csv]) : undefined;
  if (!hasPandas) process.stderr.write('whole-process: pandas is not installed (apt-get install -y python3-pandas); the pandas row is skipped.\n');

  const results = {
    benchmark: 'whole-process',
    date: new Date().toISOString(),
    scale: small ? 'small' : 'full',
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()} ${arch()}`,
      node: process.version,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg(),
    },
    note: 'wall-clock seconds and peak RSS of whole child processes (/usr/bin/time), best of 2-3 runs, on a shared machine: noisy and pessimistic',
    input: { rows, bytes: statSync(csv).size },
    help,
    pnpmHelp,
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
  process.stdout.write(
    `${JSON.stringify({ help: help.seconds, pnpmHelp: pnpmHelp.seconds, ingest: ingest.seconds, features: featuresTyped.seconds, featuresDuckDB: featuresDuckDB.seconds, pandas: pandas?.seconds })}\n`,
  );
  process.stdout.write(`wrote ${out}\n`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
