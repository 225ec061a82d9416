/**
 * `pnpm bench`: runs every benchmark script of the workspace (`packages/<pkg>/bench/*.bench.ts` and
 * `examples/<name>/bench/*.bench.ts`), one after the other in a child process of its own so that no run shares a
 * heap or a JIT with another, then writes `bench/results/summary.md`: one table per result file. Each run is also
 * kept: `bench/results/runs/<UTC date-time>.json` holds the machine's description (CPU, cores, memory, Node.js,
 * load average before and after), the scripts run and every result file they wrote, and `<UTC date-time>.md` the summary.
 * Commit the run a README figure comes from, and name its file beside the figure.
 *
 * `MLSD_BENCH_SCALE=small pnpm bench` runs every script at its quick scale. `pnpm bench <filter>` runs only the
 * scripts whose path contains the filter.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineDescription } from './process-timing.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const resultsDir = join(root, 'bench/results');
const filter = process.argv[2] ?? '';

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

/** A target an issue sets, read from one result file (a dotted path into its JSON). */
interface Target {
  readonly file: string;
  readonly path: string;
  readonly label: string;
  readonly check: (value: number) => boolean;
  readonly goal: string;
}

/** Targets on one model of `models.json` (means over the simulator seeds): [field, label, check, goal]. */
function modelTargets(name: string, checks: [string, string, (value: number) => boolean, string][]): Target[] {
  return checks.map(([field, label, check, goal]) => ({
    file: 'models.json',
    path: `models[name=${name}].${field}.mean`,
    label: `${name}: ${label} (mean of seeds)`,
    check,
    goal,
  }));
}

const TARGETS: readonly Target[] = [
  { file: 'data.json', path: 'simulate.seconds', label: 'simulate the full data set, s', check: (v) => v < 10, goal: '< 10' },
  { file: 'data.json', path: 'simulate.peakRssMiB', label: 'simulator peak memory, MiB', check: (v) => v < 1024, goal: '< 1024' },
  { file: 'data.json', path: 'simulate.rows', label: 'simulated transactions', check: (v) => Math.abs(v / 1_750_000 - 1) <= 0.02, goal: '1.75 M ± 2 %' },
  { file: 'data.json', path: 'simulate.fraudRate', label: 'simulated fraud rate', check: (v) => v >= 0.0074 && v <= 0.0094, goal: '0.74–0.94 %' },
  { file: 'features-offline.json', path: 'ms.computeFeatures', label: '15 Handbook features, offline, ms', check: (v) => v < 1500, goal: '< 1500' },
  { file: 'whole-process.json', path: 'help.seconds', label: 'fraud --help, whole process, s', check: (v) => v < 0.5, goal: '< 0.5' },
  { file: 'whole-process.json', path: 'ingest.seconds', label: 'fraud ingest of the Handbook CSV, whole process, s', check: (v) => v < 2, goal: '< 2' },
  {
    file: 'whole-process.json',
    path: 'targets.featuresOverPandas',
    label: 'fraud features / pandas read + features, time ratio',
    check: (v) => v < 1,
    goal: '< 1',
  },
  {
    file: 'features-online.json',
    path: 'memory.eventsPerSecond',
    label: 'online features, memory store, events/s',
    check: (v) => v >= 100_000,
    goal: '≥ 100 000',
  },
  ...modelTargets('logistic-regression', [
    ['rocAuc', 'ROC AUC', (v) => v >= 0.866, '≥ 0.866'],
    ['averagePrecision', 'average precision', (v) => v >= 0.6, '≥ 0.60'],
    ['fitSeconds', 'fit, s', (v) => v <= 0.3, '≤ 0.3'],
    ['predictSeconds', 'predict the test week, s', (v) => v <= 0.05, '≤ 0.05'],
  ]),
  ...modelTargets('gbdt', [
    ['rocAuc', 'ROC AUC', (v) => v >= 0.865, '≥ 0.865'],
    ['averagePrecision', 'average precision', (v) => v >= 0.65, '≥ 0.65'],
    ['fitSeconds', 'fit (100 rounds, depth 6), s', (v) => v <= 1.0, '≤ 1.0'],
    ['predictSeconds', 'predict the test week, s', (v) => v <= 0.05, '≤ 0.05'],
  ]),
  ...modelTargets('random-forest', [
    ['averagePrecision', 'average precision', (v) => v >= 0.65, '≥ 0.65'],
    ['predictSeconds', 'predict the test week, s', (v) => v <= 0.05, '≤ 0.05'],
  ]),
  ...modelTargets('mlp', [
    ['averagePrecision', 'average precision', (v) => v >= 0.64, '≥ 0.64'],
    ['fitSeconds', 'fit, s', (v) => v < 60, '< 60'],
  ]),
  {
    file: 'defaults-evidence.json',
    path: 'gbdtVsXgboostHist.currentDefaults.meanApDifference',
    label: 'gbdt defaults: mean AP over the data-set panel − XGBoost hist (same settings)',
    check: (v) => v >= 0,
    goal: '≥ 0',
  },
  { file: 'serving.json', path: 'targets.throughputRatio', label: '/v1/score throughput ÷ bare Fastify', check: (v) => v >= 0.5, goal: '≥ 0.5' },
  { file: 'serving.json', path: 'targets.p99At2000Ms', label: '/v1/score p99 at 2000 req/s, ms (client side)', check: (v) => v < 10, goal: '< 10' },
];

/** Model lines of `models.json`: quality and speed per model, mean over seeds. */
function modelRows(): string[] {
  const models = readJson('models.json') as { models?: Array<Record<string, unknown>> } | undefined;
  if (models?.models === undefined) return [];
  const mean = (entry: Record<string, unknown>, key: string): string => {
    const value = (entry[key] as { mean?: number } | undefined)?.mean;
    return value === undefined ? '—' : value.toPrecision(3);
  };
  const lines = ['', '| model | ROC AUC | average precision | fit s (wall) | fit s (CPU) | predict s |', '| --- | --- | --- | --- | --- | --- |'];
  for (const entry of models.models) {
    lines.push(
      `| ${String(entry['name'])} | ${mean(entry, 'rocAuc')} | ${mean(entry, 'averagePrecision')} | ${mean(entry, 'fitSeconds')} | ${mean(entry, 'fitCpuSeconds')} | ${mean(entry, 'predictSeconds')} |`,
    );
  }
  return lines;
}

/**
 * The result files this run wrote, by name: a file left in `bench/results/` by an earlier run (another filter, the
 * other scale, a script that skipped itself) is older than the run's start and is neither summarised nor kept, so
 * a kept run never carries figures measured under another machine state.
 */
function resultFiles(): string[] {
  return readdirSync(resultsDir)
    .filter((file) => file.endsWith('.json') && statSync(join(resultsDir, file)).mtimeMs >= startedAt.getTime())
    .sort();
}

/** A result file of this run, parsed; undefined when this run did not write it or it is not JSON. */
function readJson(file: string): unknown {
  if (!resultFiles().includes(file)) return undefined;
  try {
    return JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
  } catch {
    return undefined;
  }
}

function valueAt(root: unknown, path: string): number | undefined {
  let value: unknown = root;
  for (const key of path.split('.')) {
    // `list[name=x]`: the element of the array `list` whose `name` is x.
    const named = /^(\w+)\[name=([^\]]+)\]$/.exec(key);
    const step = (from: unknown, k: string): unknown => (from !== null && typeof from === 'object' ? (from as Record<string, unknown>)[k] : undefined);
    if (named === null) value = step(value, key);
    else {
      const list = step(value, named[1]!);
      value = Array.isArray(list) ? list.find((item) => step(item, 'name') === named[2]) : undefined;
    }
  }
  return typeof value === 'number' ? value : undefined;
}

/** The targets the issues set, met or not, then one Markdown table per JSON result (every leaf by its path). */
function renderSummary(): string {
  const lines = ['# Benchmark results', '', `Written by \`pnpm bench\` on ${new Date().toISOString()}.`, ''];
  lines.push('## Targets', '', '| measure | value | target | met |', '| --- | --- | --- | --- |');
  for (const target of TARGETS) {
    const json = readJson(target.file) as { scale?: string } | undefined;
    const value = valueAt(json, target.path);
    const scale = json?.scale === 'small' ? ' (small scale)' : '';
    lines.push(
      value === undefined
        ? `| ${target.label} | not measured | ${target.goal} | — |`
        : `| ${target.label}${scale} | ${Number.isInteger(value) ? value : value.toPrecision(4)} | ${target.goal} | ${scale !== '' ? '— (targets are for the full scale)' : target.check(value) ? 'yes' : 'no'} |`,
    );
  }
  lines.push(...modelRows(), '');
  for (const file of resultFiles()) {
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

// The filter applies to the path inside the repository, so a checkout folder's own name never matches it.
const scripts = findBenchScripts().filter((path) => relative(root, path).includes(filter));
if (scripts.length === 0) {
  console.error(`No benchmark script matches "${filter}". Scripts live in packages/*/bench/*.bench.ts.`);
  process.exit(1);
}

/** Writes the dated record of this run (machine, scripts, every result file, the summary) to `bench/results/runs/`. */
function keepRun(startedAt: Date, machineBefore: ReturnType<typeof machineDescription>, ran: string[], failedScripts: string[], summary: string): string {
  const runsDir = join(resultsDir, 'runs');
  mkdirSync(runsDir, { recursive: true });
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const results: Record<string, unknown> = {};
  for (const file of resultFiles()) results[file] = readJson(file);
  const record = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    scale: process.env['MLSD_BENCH_SCALE'] ?? 'full',
    machine: { ...machineBefore, loadAverageAfter: machineDescription().loadAverage },
    scripts: ran.map((script) => relative(root, script)),
    failed: failedScripts,
    results,
  };
  writeFileSync(join(runsDir, `${stamp}.json`), `${JSON.stringify(record, null, 2)}\n`);
  writeFileSync(join(runsDir, `${stamp}.md`), summary);
  return join(runsDir, `${stamp}.json`);
}

mkdirSync(resultsDir, { recursive: true });
const startedAt = new Date();
const machineBefore = machineDescription();
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
const summary = renderSummary();
writeFileSync(summaryPath, summary);
console.error(`\nSummary: ${relative(root, summaryPath)}`);
console.error(`Kept as: ${relative(root, keepRun(startedAt, machineBefore, scripts, failed, summary))} (commit it with the README figures it backs)`);
if (failed.length > 0) {
  console.error(`Failed: ${failed.join(', ')}`);
  process.exit(1);
}
