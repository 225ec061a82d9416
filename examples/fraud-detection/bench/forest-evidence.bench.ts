/**
 * Evidence for the random forest's defaults (issue 17): a small grid of mlsd `RandomForestClassifier` settings and
 * scikit-learn's `RandomForestClassifier(n_estimators=100, n_jobs=1)` fitted on the very same rows of several data
 * sets, one thread each.
 *
 *   pnpm bench forest-evidence
 *   (= node --import tsx --conditions=@mlsd/source examples/fraud-detection/bench/forest-evidence.bench.ts)
 *
 * Data sets (Handbook features, raw — trees do not care about scaling; Handbook holdout: 7 train days, 7-day delay,
 * 7 test days, known-compromised cards dropped; `MLSD_BENCH_SCALE=small` shrinks every simulation and moves "later" to 2018-07-28):
 * - `seed 1`, `seed 2`, `seed 3`: the Handbook simulator (5,000 customers, 10,000 terminals, 183 days), training
 *   week from 2018-07-25;
 * - `shifted: seed 4, later, amounts x1.3, volume x1.5, scenario 2 1/day, scenario 3 6/day`: every customer spends
 *   1.3x more (so more scenario-1 frauds over 220), makes 1.5x more transactions, one terminal instead of two
 *   compromised per day and six customers instead of three, over the whole period; training week from 2018-09-01;
 * - `shifted: seed 5, later, 3,000 customers / 4,000 terminals`: a denser terminal network, training week from
 *   2018-09-01.
 *
 * Each setting is fitted once per data set (model seed `MLSD_FOREST_MODEL_SEED`, default 0, both sides), after one untimed warm-up fit; fit CPU seconds from
 * `process.cpuUsage`, scikit-learn's from `time.process_time` (`python-peers.py`, `MLSD_PEERS_ONLY`). AP and ROC AUC
 * of both sides are computed here by the same code. Per setting: mean, sample std, min and max over the data sets,
 * and the mean fit-CPU ratio to scikit-learn's.
 *
 * The rule for the default: the highest mean AP over the data sets among settings whose mean fit CPU is at most 1/5
 * of scikit-learn's and whose mean test-week prediction takes at most 1.1x the defaults' in the same run (the
 * defaults meet the 50 ms budget on a quiet machine; the first run's absolute 50 ms bound excluded every setting
 * at load 5); within 0.001 of that AP the cheaper fit wins. `MLSD_FOREST_ONLY=a,b` runs the defaults and the
 * settings whose names contain `a` or `b`.
 *
 * Writes `bench/results/runs/<UTC yyyy-mm-ddThh-mm>-forest-evidence.json` and `.md`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { takeRows } from '@mlsd/data';
import { RandomForestClassifier } from '@mlsd/models';
import type { RandomForestOptions } from '@mlsd/models';
import { averagePrecision, benchScale, handbookSplit, pick, rocAuc, round, splitCounts, spreadWithStd } from './bench-support.js';
import type { HandbookSplit, SimulationSize, SplitVariant } from './bench-support.js';
import { machineDescription } from './process-timing.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(resolve(here, '../../..'), 'bench/results');
const PYTHON = '/usr/bin/python3';
const SKLEARN = 'sklearn RandomForest (100 trees, unlimited)';
const { small, simulation } = benchScale();
const MODEL_SEED = Number(process.env['MLSD_FOREST_MODEL_SEED'] ?? 0);
const LATER = small ? '2018-07-28' : '2018-09-01';

interface DataSet {
  readonly name: string;
  readonly seed: number;
  readonly simulation: SimulationSize;
  readonly variant: SplitVariant;
}

const DATA_SETS: DataSet[] = [
  { name: 'seed 1', seed: 1, simulation, variant: {} },
  { name: 'seed 2', seed: 2, simulation, variant: {} },
  { name: 'seed 3', seed: 3, simulation, variant: {} },
  {
    name: 'shifted: seed 4, later, amounts x1.3, volume x1.5, scenario 2 1/day, scenario 3 6/day',
    seed: 4,
    simulation,
    variant: {
      start: LATER,
      shift: { fromDay: 0, amountFactor: 1.3, transactionsPerDayFactor: 1.5, compromisedTerminalsPerDay: 1, compromisedCustomersPerDay: 6 },
    },
  },
  denser(small ? { ...simulation, customers: 400, terminals: 500 } : { ...simulation, customers: 3000, terminals: 4000 }),
];

/** Seed 5 with fewer customers and terminals than the Handbook (a denser terminal network), training week {@link LATER}. */
function denser(size: SimulationSize): DataSet {
  return { name: `shifted: seed 5, later, ${size.customers} customers / ${size.terminals} terminals`, seed: 5, simulation: size, variant: { start: LATER } };
}

/** The mlsd grid: trees × depth × label cuts, plus two variants at the larger size. */
const ALL_SETTINGS: { name: string; options: Partial<RandomForestOptions> }[] = [];
for (const nTrees of [50, 100]) {
  for (const maxDepth of [14, 0]) {
    for (const labelCuts of [16, 64]) {
      ALL_SETTINGS.push({
        name: `${nTrees} trees, depth ${maxDepth === 0 ? 'unlimited' : `<= ${maxDepth}`}, labelCuts ${labelCuts}`,
        options: { nTrees, maxDepth, labelCuts },
      });
    }
  }
}
for (const maxFeatures of [4, 5, 6]) {
  ALL_SETTINGS.push({
    name: `50 trees, depth <= 14, labelCuts 16, maxFeatures ${maxFeatures}`,
    options: { nTrees: 50, maxDepth: 14, labelCuts: 16, maxFeatures },
  });
}
ALL_SETTINGS.push({ name: '100 trees, unlimited, labelCuts 16, maxFeatures 4', options: { nTrees: 100, maxDepth: 0, labelCuts: 16, maxFeatures: 4 } });
ALL_SETTINGS.push({ name: '100 trees, unlimited, labelCuts 0 (quantile bins only)', options: { nTrees: 100, maxDepth: 0, labelCuts: 0 } });

/** `MLSD_FOREST_ONLY=a,b`: only the settings whose name contains one of the comma-separated parts (the defaults always run). */
const ONLY = process.env['MLSD_FOREST_ONLY']?.split(',');
const SETTINGS = ALL_SETTINGS.filter((s, i) => i === 0 || ONLY === undefined || ONLY.some((part) => s.name.includes(part)));

interface Run {
  readonly dataSet: string;
  readonly fitCpuSeconds: number;
  readonly predictSeconds: number;
  readonly rocAuc: number;
  readonly averagePrecision: number;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

async function mlsdRuns(split: HandbookSplit, dataSet: string): Promise<Run[]> {
  const runs: Run[] = [];
  for (const setting of SETTINGS) {
    const cpu = process.cpuUsage();
    const model = await new RandomForestClassifier({ ...setting.options, seed: MODEL_SEED }).fit(split.Xtrain, split.ytrain);
    const fitCpuSeconds = cpuSeconds(cpu);
    const start = performance.now();
    const scores = model.predictProba(split.Xtest);
    const predictSeconds = (performance.now() - start) / 1000;
    runs.push({ dataSet, fitCpuSeconds, predictSeconds, rocAuc: rocAuc(scores, split.ytest), averagePrecision: averagePrecision(scores, split.ytest) });
    console.error(`${dataSet} | ${setting.name}: AP ${runs.at(-1)!.averagePrecision.toFixed(4)}, fit ${fitCpuSeconds.toFixed(2)} s CPU`);
  }
  return runs;
}

/** scikit-learn's forest on the same rows through `python-peers.py`, or why it was skipped. */
function sklearnRun(split: HandbookSplit, dataSet: string): Run | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const folder = mkdtempSync(join(tmpdir(), 'mlsd-forest-evidence-'));
  try {
    const { Xtrain, ytrain, Xtest } = split;
    writeFileSync(join(folder, 'Xtrain.f64'), Buffer.from(Xtrain.data.buffer, Xtrain.data.byteOffset, Xtrain.data.byteLength));
    writeFileSync(join(folder, 'Xtest.f64'), Buffer.from(Xtest.data.buffer, Xtest.data.byteOffset, Xtest.data.byteLength));
    writeFileSync(join(folder, 'ytrain.u8'), ytrain);
    const meta = { trainRows: Xtrain.rows, testRows: Xtest.rows, cols: Xtrain.cols, seeds: [MODEL_SEED], mlsdForestDefaults: { nTrees: 100, maxDepth: 0 } };
    writeFileSync(join(folder, 'meta.json'), JSON.stringify(meta));
    const child = spawnSync(PYTHON, [join(here, 'python-peers.py'), folder], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', MLSD_PEERS_ONLY: SKLEARN },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 26,
    });
    let answer: { skipped?: string; models?: { name: string; runs: { fitCpuSeconds: number; scores: string }[] }[] };
    try {
      answer = JSON.parse(child.stdout);
    } catch {
      return `python-peers.py exited ${child.status} without a result`;
    }
    if (answer.skipped !== undefined) return answer.skipped;
    const run = answer.models?.find((m) => m.name === SKLEARN)?.runs[0];
    if (run === undefined) return `python-peers.py returned no "${SKLEARN}"`;
    const bytes = readFileSync(run.scores);
    const scores = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return {
      dataSet,
      fitCpuSeconds: run.fitCpuSeconds,
      predictSeconds: Number.NaN,
      rocAuc: rocAuc(scores, split.ytest),
      averagePrecision: averagePrecision(scores, split.ytest),
    };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function summarize(name: string, runs: Run[], sklearnRuns: Run[], sklearnCpu: number) {
  const of = (key: 'fitCpuSeconds' | 'predictSeconds' | 'rocAuc' | 'averagePrecision') => spreadWithStd(runs.map((run) => run[key]));
  const fitCpuSeconds = of('fitCpuSeconds');
  return {
    name,
    averagePrecision: of('averagePrecision'),
    rocAuc: of('rocAuc'),
    fitCpuSeconds,
    predictSeconds: of('predictSeconds'),
    apMinusSklearn: sklearnRuns.length === runs.length ? spreadWithStd(runs.map((run, i) => run.averagePrecision - sklearnRuns[i]!.averagePrecision)) : null,
    speedVsSklearn: round(sklearnCpu / fitCpuSeconds.mean, 2),
    runs: runs.map((run) => ({ ...run, fitCpuSeconds: round(run.fitCpuSeconds, 3), predictSeconds: round(run.predictSeconds, 4) })),
  };
}

async function main(): Promise<void> {
  const machineBefore = machineDescription();
  const mlsd = new Map<string, Run[]>(SETTINGS.map((s) => [s.name, []]));
  const sklearn: Run[] = [];
  const dataSets = [];
  let skipped: string | undefined;
  let warmed = false;
  for (const dataSet of DATA_SETS) {
    const split = handbookSplit(dataSet.seed, dataSet.simulation, 'raw', dataSet.variant);
    dataSets.push({ ...dataSet, ...splitCounts(split) });
    console.error(`${dataSet.name}: ${JSON.stringify(splitCounts(split))}`);
    if (!warmed) {
      // One untimed fit on a small sample, so that timings are of JIT-compiled code.
      const warm = Int32Array.from({ length: Math.min(2000, split.Xtrain.rows) }, (_, i) => i);
      await new RandomForestClassifier().fit(takeRows(split.Xtrain, warm), pick(split.ytrain, warm));
      warmed = true;
    }
    const runs = await mlsdRuns(split, dataSet.name);
    for (const [i, setting] of SETTINGS.entries()) mlsd.get(setting.name)!.push(runs[i]!);
    const peer = skipped === undefined ? sklearnRun(split, dataSet.name) : skipped;
    if (typeof peer === 'string') skipped = peer;
    else {
      sklearn.push(peer);
      console.error(`${dataSet.name} | ${SKLEARN}: AP ${peer.averagePrecision.toFixed(4)}, fit ${peer.fitCpuSeconds.toFixed(2)} s CPU`);
    }
  }
  const sklearnCpu = sklearn.length === DATA_SETS.length ? spreadWithStd(sklearn.map((r) => r.fitCpuSeconds)).mean : Number.NaN;
  const settings = SETTINGS.map((s) => ({ options: s.options, ...summarize(`mlsd RandomForest ${s.name}`, mlsd.get(s.name)!, sklearn, sklearnCpu) }));
  // The defaults (settings[0]) predict the test week within 50 ms on a quiet machine; on a loaded one their time in
  // this run stands in for the budget.
  const budget = 1.1 * settings[0]!.predictSeconds.mean;
  const eligible = settings.filter((s) => s.fitCpuSeconds.mean <= sklearnCpu / 5 && s.predictSeconds.mean <= budget);
  const bestAp = Math.max(...eligible.map((s) => s.averagePrecision.mean));
  const chosen = eligible.filter((s) => s.averagePrecision.mean >= bestAp - 0.001).sort((a, b) => a.fitCpuSeconds.mean - b.fitCpuSeconds.mean)[0];
  const result = {
    benchmark: 'forest-evidence',
    modelSeed: MODEL_SEED,
    scale: small ? 'small' : 'full',
    machine: { ...machineBefore, loadAverageBefore: machineBefore.loadAverage, loadAverageAfter: machineDescription().loadAverage },
    note: `one thread per side; one fit per setting and data set (model seed ${MODEL_SEED}); fit CPU seconds; predict = wall seconds of predictProba on the test week; AP and ROC AUC of both sides by the same code; mean, sample std, min, max over the data sets; apMinusSklearn = the setting's AP minus scikit-learn's on the same data set; a shared machine, so times are provisional unless the load is low`,
    rule: "highest mean AP among settings with mean fit CPU <= 1/5 of scikit-learn's and mean test-week predict <= 1.1x the defaults' in the same run; within 0.001 of it, the cheapest fit",
    dataSets,
    sklearn: skipped !== undefined ? { skipped } : summarize(SKLEARN, sklearn, sklearn, sklearnCpu),
    settings,
    chosen: chosen?.name ?? null,
  };
  const stamp = new Date().toISOString().slice(0, 16).replace(':', '-');
  mkdirSync(join(resultsDir, 'runs'), { recursive: true });
  const base = join(resultsDir, 'runs', `${stamp}-forest-evidence`);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown(result, stamp));
  writeFileSync(join(resultsDir, 'forest-evidence.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`forest-evidence: wrote ${base}.json; chosen: ${result.chosen}`);
}

function markdown(
  result: {
    machine: ReturnType<typeof machineDescription> & { loadAverageAfter: number[] };
    settings: ReturnType<typeof summarize>[];
    sklearn: ReturnType<typeof summarize> | { skipped: string };
    rule: string;
    modelSeed: number;
    chosen: string | null;
    dataSets: { name: string }[];
  },
  stamp: string,
): string {
  const cell = (s: { mean: number; std: number; min: number; max: number }, digits: number): string =>
    `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  const lines = [
    `# Forest defaults evidence, ${stamp} UTC`,
    '',
    `Machine: ${result.machine.cpuModel}, ${result.machine.cores} cores, Node ${result.machine.node}; load ${result.machine.loadAverage.join(' / ')} before, ${result.machine.loadAverageAfter.join(' / ')} after.`,
    `Data sets: ${result.dataSets.map((d) => d.name).join('; ')}.`,
    `Rule: ${result.rule}. Chosen: ${result.chosen ?? 'none eligible'}.`,
    '',
    `Mean ± sample std (min–max) over the data sets, one fit each (model seed ${result.modelSeed}).`,
    '',
    '| model | average precision | AP − sklearn (same data set) | ROC AUC | fit s (CPU) | speed vs sklearn | predict s (test week) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rows = 'skipped' in result.sklearn ? result.settings : [...result.settings, result.sklearn];
  for (const m of rows) {
    lines.push(
      `| ${m.name} | ${cell(m.averagePrecision, 4)} | ${m.apMinusSklearn === null ? '–' : cell(m.apMinusSklearn, 4)} | ${cell(m.rocAuc, 4)} | ${cell(m.fitCpuSeconds, 2)} | ${m.speedVsSklearn}x | ${cell(m.predictSeconds, 3)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

await main();
