/**
 * The Python-peer benchmark (issue 17): mlsd's models and scikit-learn / XGBoost fitted on the very same rows in one
 * run, one thread each, with one table holding both sides.
 *
 *   pnpm bench python-peers
 *   (= node --import tsx --conditions=@mlsd/source examples/fraud-detection/bench/python-peers.bench.ts)
 *
 * One Handbook-sized simulated data set (simulator seed `MLSD_PEERS_DATA_SEED`, default 1; `MLSD_BENCH_SCALE=small`
 * for a quick one), the Handbook split (train 2018-07-25 + 7 days, 7-day delay, test week, known-compromised cards
 * dropped) and the 15 features standard-scaled on the training rows — exactly what `models.bench.ts` builds. The
 * matrices go to a temporary folder as raw little-endian float64; `/usr/bin/python3 python-peers.py` fits
 * LogisticRegression (lbfgs), RandomForestClassifier (100 unlimited trees, and mlsd's forest defaults),
 * HistGradientBoostingClassifier and XGBoost (hist and exact), with OMP_NUM_THREADS=1, n_jobs=1, nthread=1, and
 * writes back its test-week scores. Every score — both sides — is then measured here with the same code: ROC AUC,
 * average precision and card precision@100 (`groupPrecisionAtK`, the Handbook's). Randomized models run with seeds
 * 0–2: mean, sample std, min and max; deterministic models are fitted three times as well (timing spread; the first
 * full-size fit in a process pays first-call costs, V8's compilation on the mlsd side). mlsd fits run in this process
 * after one untimed warm-up fit on 2,000 rows.
 *
 * Writes `bench/results/runs/<UTC yyyy-mm-ddThh-mm>-python-peers.json` and `.md` (machine, load before and after).
 * Without Python or its packages the peer side is skipped with the install line (`apt-get install python3-sklearn
 * python3-xgboost python3-pandas`) and the script still exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { takeRows } from '@mlsd/data';
import { dayIndex, groupPrecisionAtK } from '@mlsd/eval';
import { GradientBoostingClassifier, LogisticRegression, MlpClassifier, RandomForestClassifier } from '@mlsd/models';
import type { Classifier } from '@mlsd/models';
import { averagePrecision, benchScale, HANDBOOK_HOLDOUT, handbookSplit, pick, rocAuc, round, splitCounts, spreadWithStd } from './bench-support.js';
import type { HandbookSplit } from './bench-support.js';
import { machineDescription } from './process-timing.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(resolve(here, '../../..'), 'bench/results');
const { small, simulation } = benchScale();
const DATA_SEED = Number(process.env['MLSD_PEERS_DATA_SEED'] ?? 1);
const MODEL_SEEDS = [0, 1, 2];
const PYTHON = '/usr/bin/python3';
const INSTALL = 'apt-get install python3-sklearn python3-xgboost python3-pandas';

/** The mlsd side: name and constructor from a seed. */
const MLSD: { name: string; make: (seed: number) => Classifier }[] = [
  { name: 'mlsd LogisticRegression (C=1)', make: () => new LogisticRegression({ C: 1 }) },
  { name: 'mlsd RandomForest (defaults)', make: (seed) => new RandomForestClassifier({ seed }) },
  { name: 'mlsd RandomForest (100 trees, unlimited)', make: (seed) => new RandomForestClassifier({ nTrees: 100, maxDepth: 0, seed }) },
  { name: 'mlsd GradientBoosting (defaults: 100 rounds, depth 6, eta 0.1)', make: (seed) => new GradientBoostingClassifier({ seed }) },
  { name: 'mlsd neural network (defaults)', make: (seed) => new MlpClassifier({ seed }) },
];

interface Run {
  readonly seed: number;
  readonly fitSeconds: number;
  readonly fitCpuSeconds: number;
  readonly rocAuc: number;
  readonly averagePrecision: number;
  readonly cardPrecisionAt100: number;
}

interface Row {
  readonly side: 'mlsd' | 'python';
  readonly name: string;
  readonly runs: Run[];
}

/** The three test-week measures of one set of scores. */
function measure(split: HandbookSplit, scores: Float64Array): Pick<Run, 'rocAuc' | 'averagePrecision' | 'cardPrecisionAt100'> {
  const cp = groupPrecisionAtK({ labels: split.ytest, scores, groupIds: split.testCards, days: dayIndex(split.testTimes) }, { k: 100 });
  return { rocAuc: rocAuc(scores, split.ytest), averagePrecision: averagePrecision(scores, split.ytest), cardPrecisionAt100: cp.mean };
}

async function mlsdSide(split: HandbookSplit): Promise<Row[]> {
  const rows: Row[] = [];
  const head = (n: number): Int32Array => Int32Array.from({ length: Math.min(n, split.Xtrain.rows) }, (_, i) => i);
  for (const model of MLSD) {
    // One untimed fit on a small sample first, so that timings are of JIT-compiled code.
    const warm = head(2000);
    await model.make(0).fit(takeRows(split.Xtrain, warm), pick(split.ytrain, warm));
    const runs: Run[] = [];
    // Every model is fitted once per seed, deterministic ones too (the same fit three times): the first full-size fit
    // in the process still pays part of V8's compilation after the small warm-up, and the spread shows it.
    for (const seed of MODEL_SEEDS) {
      const classifier = model.make(seed);
      const cpu = process.cpuUsage();
      const start = performance.now();
      await classifier.fit(split.Xtrain, split.ytrain);
      const fitSeconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      runs.push({ seed, fitSeconds, fitCpuSeconds: (used.user + used.system) / 1e6, ...measure(split, classifier.predictProba(split.Xtest)) });
      console.error(`${model.name} seed ${seed}: fit ${fitSeconds.toFixed(2)} s`);
    }
    rows.push({ side: 'mlsd', name: model.name, runs });
  }
  return rows;
}

/** The peers' side, or why it was skipped. */
function pythonSide(split: HandbookSplit): { rows: Row[]; versions?: Record<string, string>; skipped?: string } {
  if (!existsSync(PYTHON)) return { rows: [], skipped: `${PYTHON} not found; install with: apt-get install python3 && ${INSTALL}` };
  const folder = mkdtempSync(join(tmpdir(), 'mlsd-python-peers-'));
  try {
    const { Xtrain, ytrain, Xtest } = split;
    writeFileSync(join(folder, 'Xtrain.f64'), Buffer.from(Xtrain.data.buffer, Xtrain.data.byteOffset, Xtrain.data.byteLength));
    writeFileSync(join(folder, 'Xtest.f64'), Buffer.from(Xtest.data.buffer, Xtest.data.byteOffset, Xtest.data.byteLength));
    writeFileSync(join(folder, 'ytrain.u8'), ytrain);
    const forest = new RandomForestClassifier().params as { nTrees: number; maxDepth: number; maxFeatures: string | number };
    const meta = {
      trainRows: Xtrain.rows,
      testRows: Xtest.rows,
      cols: Xtrain.cols,
      seeds: MODEL_SEEDS,
      mlsdForestDefaults: { nTrees: forest.nTrees, maxDepth: forest.maxDepth, maxFeatures: forest.maxFeatures },
    };
    writeFileSync(join(folder, 'meta.json'), JSON.stringify(meta));
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const child = spawnSync(PYTHON, [join(here, 'python-peers.py'), folder], {
      encoding: 'utf8',
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 26,
    });
    let answer: {
      skipped?: string;
      versions?: Record<string, string>;
      models?: { name: string; runs: { seed: number; fitSeconds: number; fitCpuSeconds: number; scores: string }[] }[];
    };
    try {
      answer = JSON.parse(child.stdout);
    } catch {
      return { rows: [], skipped: `python-peers.py exited ${child.status} without a result (see its stderr above)` };
    }
    if (answer.skipped !== undefined) return { rows: [], skipped: answer.skipped };
    const rows = (answer.models ?? []).map((model) => ({
      side: 'python' as const,
      name: model.name,
      runs: model.runs.map((run) => {
        const bytes = readFileSync(run.scores);
        const scores = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        return { seed: run.seed, fitSeconds: run.fitSeconds, fitCpuSeconds: run.fitCpuSeconds, ...measure(split, scores) };
      }),
    }));
    return { rows, ...(answer.versions === undefined ? {} : { versions: answer.versions }) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function summarize(row: Row) {
  const of = (key: keyof Run) => spreadWithStd(row.runs.map((run) => run[key]));
  return {
    side: row.side,
    name: row.name,
    seeds: row.runs.map((run) => run.seed),
    fitSeconds: of('fitSeconds'),
    fitCpuSeconds: of('fitCpuSeconds'),
    rocAuc: of('rocAuc'),
    averagePrecision: of('averagePrecision'),
    cardPrecisionAt100: of('cardPrecisionAt100'),
    runs: row.runs.map((run) => ({ ...run, fitSeconds: round(run.fitSeconds, 3), fitCpuSeconds: round(run.fitCpuSeconds, 3) })),
  };
}

async function main(): Promise<void> {
  const machineBefore = machineDescription();
  const started = performance.now();
  const split = handbookSplit(DATA_SEED, simulation, 'standard-scaled');
  const counts = splitCounts(split);
  console.error(
    `data seed ${DATA_SEED}: ${counts.trainRows} train rows (${counts.trainFrauds} frauds), ${counts.testRows} test rows (${counts.testFrauds} frauds)`,
  );
  const prepareSeconds = round((performance.now() - started) / 1000, 2);
  const python = pythonSide(split);
  if (python.skipped !== undefined) console.error(`python-peers: peers skipped: ${python.skipped}`);
  const mlsd = await mlsdSide(split);
  const models = [...mlsd, ...python.rows].map(summarize);
  const { start, trainDays, delayDays, testDays } = HANDBOOK_HOLDOUT;
  const result = {
    benchmark: 'python-peers',
    scale: small ? 'small' : 'full',
    machine: { ...machineBefore, loadAverageBefore: machineBefore.loadAverage, loadAverageAfter: machineDescription().loadAverage },
    note: 'one thread per side (OMP_NUM_THREADS=1, n_jobs=1, nthread=1); fit wall and CPU seconds; metrics of both sides computed by the same code on the test week; every model over seeds 0-2 (mean, sample std, min, max; deterministic models fitted three times alike); a shared machine, so times are provisional unless the load is low',
    setup: {
      dataSeed: DATA_SEED,
      simulation,
      trainStart: start,
      trainDays,
      delayDays,
      testDays,
      features: '15 Handbook features, standard-scaled on the training rows',
      ...counts,
      prepareSeconds,
    },
    python: python.skipped !== undefined ? { skipped: python.skipped } : { executable: PYTHON, versions: python.versions },
    models,
  };
  const stamp = new Date().toISOString().slice(0, 16).replace(':', '-');
  mkdirSync(join(resultsDir, 'runs'), { recursive: true });
  const base = join(resultsDir, 'runs', `${stamp}-python-peers`);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown(result, stamp));
  // Also the latest copy, for `pnpm bench`'s summary.
  writeFileSync(join(resultsDir, 'python-peers.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`python-peers: wrote ${base}.json`);
}

function markdown(
  result: {
    machine: ReturnType<typeof machineDescription> & { loadAverageAfter: number[] };
    models: ReturnType<typeof summarize>[];
    python: unknown;
    setup: Record<string, unknown>;
  },
  stamp: string,
): string {
  const cell = (s: { mean: number; std: number; min: number; max: number }, digits: number): string =>
    s.min === s.max ? s.mean.toFixed(digits) : `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  const lines = [
    `# Python peers, ${stamp} UTC`,
    '',
    `Machine: ${result.machine.cpuModel}, ${result.machine.cores} cores, Node ${result.machine.node}; load ${result.machine.loadAverage.join(' / ')} before, ${result.machine.loadAverageAfter.join(' / ')} after.`,
    `Python: ${JSON.stringify(result.python)}. Split: ${JSON.stringify(result.setup)}.`,
    '',
    'One thread per side. Mean ± sample std (min–max) over seeds 0–2; deterministic models fitted three times (the first fit in a process pays first-call costs: the max of the fit times).',
    '',
    '| side | model | fit s (wall) | fit s (CPU) | ROC AUC | average precision | card precision@100 |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const m of result.models) {
    lines.push(
      `| ${m.side} | ${m.name} | ${cell(m.fitSeconds, 2)} | ${cell(m.fitCpuSeconds, 2)} | ${cell(m.rocAuc, 4)} | ${cell(m.averagePrecision, 4)} | ${cell(m.cardPrecisionAt100, 4)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

await main();
