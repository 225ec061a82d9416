#!/usr/bin/env node
// The `fraud` command: runs the compiled CLI (dist/cli.js), so no TypeScript is transpiled at start. In a
// checkout, it first rebuilds the workspace (`pnpm build`, output on stderr) when any package's or the example's
// source is newer than the compiled CLI, so `pnpm fraud` and `pnpm demo` work on a fresh clone and after edits.
import { execFileSync } from 'node:child_process';
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

// `fraud serve` runs in a child process with the service's V8 flags (a young generation of at most 8 MB: see
// SERVE_V8_FLAGS in @mlsd/serving's serve-launcher.ts for the measurements); this process then only forwards signals.
const { relaunchServeWithV8Flags } = process.argv[2] === 'serve' ? await import('@mlsd/serving/launcher') : { relaunchServeWithV8Flags: () => false };
if (!relaunchServeWithV8Flags(fileURLToPath(import.meta.url))) await import(compiledCli);
