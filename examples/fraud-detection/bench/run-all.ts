/**
 * `pnpm bench`: runs every benchmark script of the workspace (`packages/<pkg>/bench/*.bench.ts` and
 * `examples/<name>/bench/*.bench.ts`), one after the other in a child process of its own so that no run shares a
 * heap or a JIT with another, then writes `bench/results/summary.md`: one table per result file.
 *
 * `MLSD_BENCH_SCALE=small pnpm bench` runs every script at its quick scale. `pnpm bench <filter>` runs only the
 * scripts whose path contains the filter.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const resultsDir = join(root, 'bench/results');
const filter = process.argv[2] ?? '';

const scripts = findBenchScripts().filter((path) => path.includes(filter));
if (scripts.length === 0) {
  console.error(`No benchmark script matches "${filter}". Scripts live in packages/*/bench/*.bench.ts.`);
  process.exit(1);
}

mkdirSync(resultsDir, { recursive: true });
const failed: string[] = [];
for (const script of scripts) {
  const name = relative(root, script);
  console.error(`\n=== ${name}`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--conditions=@mlsd/source', '--import', 'tsx', script], {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (run.status === 0) console.error(`=== ${name}: done in ${seconds} s`);
  else {
    failed.push(name);
    console.error(`=== ${name}: FAILED (exit ${run.status ?? run.signal}) after ${seconds} s`);
  }
}

const summaryPath = join(resultsDir, 'summary.md');
writeFileSync(summaryPath, renderSummary());
console.error(`\nSummary: ${relative(root, summaryPath)}`);
if (failed.length > 0) {
  console.error(`Failed: ${failed.join(', ')}`);
  process.exit(1);
}

function findBenchScripts(): string[] {
  const found: string[] = [];
  for (const group of ['packages', 'examples']) {
    const groupDir = join(root, group);
    for (const pkg of readdirSync(groupDir).sort()) {
      const benchDir = join(groupDir, pkg, 'bench');
      if (!existsSync(benchDir)) continue;
      for (const file of readdirSync(benchDir).sort()) {
        if (file.endsWith('.bench.ts')) found.push(join(benchDir, file));
      }
    }
  }
  return found;
}

/** One Markdown table per JSON result: every numeric, boolean or short string leaf, by its dotted path. */
function renderSummary(): string {
  const lines = ['# Benchmark results', '', `Written by \`pnpm bench\` on ${new Date().toISOString()}.`, ''];
  for (const file of readdirSync(resultsDir).sort()) {
    if (!file.endsWith('.json')) continue;
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
    } catch {
      lines.push(`## ${file}`, '', 'Not valid JSON.', '');
      continue;
    }
    const rows: Array<[string, string]> = [];
    flatten(value, '', rows);
    lines.push(`## ${file}`, '', '| measure | value |', '| --- | --- |');
    for (const [path, text] of rows.slice(0, 200)) lines.push(`| ${path} | ${text} |`);
    if (rows.length > 200) lines.push(`| … | ${rows.length - 200} more in the JSON |`);
    lines.push('');
  }
  return lines.join('\n');
}

function flatten(value: unknown, path: string, rows: Array<[string, string]>): void {
  if (typeof value === 'number') rows.push([path, Number.isInteger(value) ? String(value) : value.toPrecision(4)]);
  else if (typeof value === 'boolean') rows.push([path, value ? 'yes' : 'no']);
  else if (typeof value === 'string') {
    if (value.length <= 60) rows.push([path, value]);
  } else if (Array.isArray(value)) {
    if (value.length <= 20) value.forEach((item, i) => flatten(item, `${path}[${labelOf(item) ?? i}]`, rows));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, path === '' ? key : `${path}.${key}`, rows);
  }
}

function labelOf(item: unknown): string | undefined {
  if (item !== null && typeof item === 'object' && 'name' in item && typeof item.name === 'string') return item.name;
  return undefined;
}
