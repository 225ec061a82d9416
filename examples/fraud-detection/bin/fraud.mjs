#!/usr/bin/env node
// The `fraud` command: runs the compiled CLI (dist/cli.js), so no TypeScript is transpiled at start. In a
// checkout, it first rebuilds the workspace (`pnpm build`, output on stderr) when any package's or the example's
// source is newer than the compiled CLI, so `pnpm fraud` and `pnpm demo` work on a fresh clone and after edits.
import { execFileSync, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const exampleDir = dirname(dirname(fileURLToPath(import.meta.url)));
const workspaceDir = dirname(dirname(exampleDir));
const compiledCli = join(exampleDir, 'dist', 'cli.js');

/** The newest modification time (ms) of the TypeScript sources (tests excluded) and package.json files below `dir`. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) || entry.name === 'package.json') {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

function isStale() {
  if (!existsSync(compiledCli)) return true;
  const built = statSync(compiledCli).mtimeMs;
  const roots = [join(exampleDir, 'src'), join(exampleDir, 'package.json')];
  const packagesDir = join(workspaceDir, 'packages');
  if (existsSync(packagesDir)) {
    for (const name of readdirSync(packagesDir)) roots.push(join(packagesDir, name, 'src'), join(packagesDir, name, 'package.json'));
  }
  return roots.some((root) => existsSync(root) && (statSync(root).isDirectory() ? newestSource(root) : statSync(root).mtimeMs) > built);
}

if (existsSync(join(workspaceDir, 'pnpm-workspace.yaml')) && isStale()) {
  process.stderr.write('fraud: sources changed since the last build; running `pnpm build` first …\n');
  try {
    execFileSync('pnpm', ['--silent', 'build'], { cwd: workspaceDir, stdio: ['ignore', 2, 2] });
  } catch {
    process.stderr.write('error: `pnpm build` failed (see above); fix the compile error, then run the command again.\n');
    process.exit(1);
  }
}

/**
 * V8 flags `fraud serve` runs with. A young generation of at most 8 MB per semi-space: V8 otherwise grows it to
 * 16 MB, and each scavenge of it paused the service 2–4 ms. Each scavenge costs about 0.7 ms however little survives
 * it, so a smaller space pays that more often: at 2,000 req/s (`--trace-gc-nvp`, 2026-12-05 on the AMD box) 2 MB gave
 * 280 scavenges per run, mean 0.8–0.9 ms, 216–265 ms paused in all, and 8 MB 88–95 scavenges, mean 1.6–1.9 ms
 * (p90 2.3–3.0 ms), 150–167 ms in all, for less CPU per request. The serving README has the runs. Flags must be given
 * when the process starts, so the command starts the service as a child process of its own with them (unless they
 * were given already).
 */
const SERVE_V8_FLAGS = ['--max-semi-space-size=8'];

const givenFlags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
if (process.argv[2] === 'serve' && !givenFlags.some((flag) => flag.startsWith('--max-semi-space-size'))) {
  // The service gets its own process group, so a terminal's Ctrl-C reaches it once (forwarded from here), and an
  // IPC channel, so it drains and stops if this process dies.
  const child = spawn(process.execPath, [...process.execArgv, ...SERVE_V8_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
    env: { ...process.env, MLSD_SERVE_LAUNCHER: String(process.pid) },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
} else {
  if (process.env.MLSD_SERVE_LAUNCHER !== undefined && process.channel !== undefined) {
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  await import(compiledCli);
}
