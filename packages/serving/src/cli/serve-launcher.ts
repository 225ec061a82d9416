import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * The V8 flags a scoring service runs with: a young generation of at most 8 MB per semi-space. V8 otherwise grows it
 * to 16 MB, and each scavenge then paused the service 2–4 ms. A scavenge costs about 0.7 ms however little survives
 * it, so a smaller space pays that more often: `fraud serve` at 2,000 req/s (`--trace-gc-nvp`, 2026-12-05, 2-core AMD
 * box) had 280 scavenges per run at 2 MB (mean 0.8–0.9 ms, 216–265 ms paused in all) and 88–95 at 8 MB (mean
 * 1.6–1.9 ms, p90 2.3–3.0 ms, 150–167 ms in all), for less CPU per request. The serving README has the runs.
 */
export const SERVE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/** Set in the service process started by {@link relaunchServeWithV8Flags}: the launcher's pid. */
const LAUNCHER_ENV = 'MLSD_SERVE_LAUNCHER';

/**
 * V8 flags must be given when a process starts, so a command line's `serve` runs in a child process started with
 * {@link SERVE_V8_FLAGS} (unless `--max-semi-space-size` was given already, on the command line or in
 * `NODE_OPTIONS`). Call it first thing with the command's own script (`fileURLToPath(import.meta.url)`):
 * - `true`: this process is now the launcher. Do nothing else; it forwards SIGINT, SIGTERM and SIGHUP to the service
 *   (its own process group, so a terminal's Ctrl-C reaches it once) and exits with its exit code.
 * - `false`: run the command here — it is not `serve`, the flags were given, or this is the service itself (which
 *   then drains and stops if the launcher dies, through an IPC channel).
 */
export function relaunchServeWithV8Flags(script: string, argv: readonly string[] = process.argv): boolean {
  const given = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  if (argv[2] !== 'serve' || given.some((flag) => flag.startsWith('--max-semi-space-size'))) {
    if (process.env[LAUNCHER_ENV] !== undefined && process.channel !== undefined) {
      process.channel.unref();
      process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
    }
    return false;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...SERVE_V8_FLAGS, script, ...argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
    env: { ...process.env, [LAUNCHER_ENV]: String(process.pid) },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  return true;
}
