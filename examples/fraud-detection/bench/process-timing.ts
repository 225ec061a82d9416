/**
 * Whole-process measurement for the benchmarks that time commands as users run them: wall seconds and peak memory of
 * a child process (`/usr/bin/time`), the best of several runs, and the description of the machine a figure needs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';

/** One measured child process. */
export interface ProcessRun {
  readonly command: string;
  readonly seconds: number;
  readonly peakRssMiB: number;
  /** User + system CPU seconds of the child: less disturbed than wall time by other jobs on a shared machine. */
  readonly cpuSeconds: number;
  readonly exitCode: number;
  /** The child's stdout when it is one JSON document (the CLI's summary, the pandas script's timings). */
  readonly output?: unknown;
}

/**
 * Lets `bin/fraud.mjs` rebuild the workspace now, untimed, when a source is newer than the compiled CLI (it does so
 * before running any command): otherwise the first measured `fraud` process would include `pnpm build`.
 */
export function buildFraudCliIfStale(root: string): void {
  const cli = join(root, 'examples/fraud-detection/bin/fraud.mjs');
  const run = spawnSync(process.execPath, [cli, '--help'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (run.status !== 0) throw new Error('`fraud --help` failed: the workspace does not build (see above); fix that, then run the bench again.');
}

/** Runs `argv` in `cwd` under `/usr/bin/time` (wall seconds, peak RSS); `cwd` is shortened to `.` in the command shown. */
export function measureProcess(cwd: string, argv: string[]): ProcessRun {
  const result = spawnSync('/usr/bin/time', ['-f', 'MLSD_TIME %e %M %U %S', ...argv], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const match = /MLSD_TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(result.stderr ?? '');
  if (match === null) throw new Error(`could not time ${argv.join(' ')}: ${result.stderr}`);
  if (result.status !== 0) process.stderr.write(`${argv.join(' ')} exited ${result.status}:\n${result.stderr.slice(-2000)}\n`);
  let output: unknown;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    output = undefined;
  }
  return {
    command: argv.map((a) => a.replace(cwd, '.')).join(' '),
    seconds: Number(match[1]),
    peakRssMiB: Math.round(Number(match[2]) / 1024),
    cpuSeconds: Math.round((Number(match[3]) + Number(match[4])) * 100) / 100,
    exitCode: result.status ?? -1,
    ...(output === undefined ? {} : { output }),
  };
}

/** The best (shortest) of `times` runs: the figure least disturbed by other jobs on a shared machine. */
export function bestOf(times: number, cwd: string, argv: string[]): ProcessRun & { runsSeconds: number[] } {
  const runs = Array.from({ length: times }, () => measureProcess(cwd, argv));
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, runsSeconds: runs.map((r) => r.seconds) };
}

/** What a figure needs to be judged: the machine, the runtime and how busy the machine was (1, 5, 15 min load). */
export function machineDescription() {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

/**
 * User and user + system CPU seconds spent so far by process `pid` and every process below it (/proc, Linux; clock
 * ticks of 10 ms): `fraud serve` runs the service in a child process (with its V8 flags), and `--workers N` in
 * grandchildren. A process that is gone counts 0.
 */
export function processTreeCpuSeconds(pid: number): { user: number; total: number } {
  let user = 0;
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const id = pending.pop()!;
    try {
      const fields = readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]!.split(' ');
      user += Number(fields[11]) / 100;
      total += (Number(fields[11]) + Number(fields[12])) / 100;
      for (const child of readFileSync(`/proc/${id}/task/${id}/children`, 'utf8').split(' ')) if (child !== '') pending.push(Number(child));
    } catch {
      // Exited meanwhile.
    }
  }
  return { user, total };
}
