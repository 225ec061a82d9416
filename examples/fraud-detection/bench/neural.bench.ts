/**
 * The neural-network benchmark: MlpClassifier with its default options on the Fraud Detection Handbook set-up
 * (simulated transactions, the 15 Handbook features, train 2018-07-25 + 7 days, 7-day delay, 7 test days,
 * known-compromised cards dropped from the test week), over several simulator seeds. Measures test-week
 * average precision and ROC AUC, training time, the backend used, batch and single-row prediction time of the
 * typed-array forward pass, and its largest difference from TensorFlow.js's own predictions.
 *
 *   pnpm exec tsx --conditions=@mlsd/source examples/fraud-detection/bench/neural.bench.ts
 *   MLSD_BENCH_SCALE=small pnpm exec tsx --conditions=@mlsd/source examples/fraud-detection/bench/neural.bench.ts
 *
 * Writes `bench/results/neural.json` and prints a one-line summary. The features are passed raw: the model
 * standardises its inputs itself (option `standardize`). `machine.dotProductMmacPerSecond` measures how fast
 * this machine ran a plain JavaScript dot product during the run, to compare timings taken under different loads.
 */
import { MlpClassifier } from '@mlsd/models';
import { decodeTypedArray } from '@mlsd/models/artifact';
import { denseMatrix, type DenseMatrix } from '@mlsd/data';
import * as tf from '@tensorflow/tfjs';
import { averagePrecision, benchScale, HANDBOOK_HOLDOUT, handbookSplit, machine, rocAuc, round, splitCounts, spread, writeResult } from './bench-support.js';

const { small, seeds: SEEDS, simulation: SIMULATION } = benchScale();
const TARGET = { averagePrecision: 0.64, fitSeconds: 60, singleRowMilliseconds: 0.1, maxDifferenceFromTensorFlow: 1e-6 };

interface Run {
  readonly seed: number;
  readonly trainRows: number;
  readonly trainFrauds: number;
  readonly testRows: number;
  readonly testFrauds: number;
  readonly backend: string;
  readonly epochsRun: number;
  readonly averagePrecision: number;
  readonly rocAuc: number;
  readonly fitSeconds: number;
  readonly predictSeconds: number;
  readonly singleRowMicroseconds: number;
  readonly maxDifferenceFromTensorFlow: number;
}

async function main(): Promise<void> {
  const speedBefore = dotProductSpeed();
  const runs: Run[] = [];
  for (const seed of SEEDS) {
    const split = handbookSplit(seed, SIMULATION, 'raw');
    const { Xtrain, ytrain, Xtest, ytest } = split;

    const model = new MlpClassifier({ seed });
    const t0 = performance.now();
    await model.fit(Xtrain, ytrain);
    const t1 = performance.now();
    const scores = model.predictProba(Xtest);
    const t2 = performance.now();
    const run: Run = {
      seed,
      ...splitCounts(split),
      backend: model.backend,
      epochsRun: model.fitInfo.epochsRun,
      averagePrecision: round(averagePrecision(scores, ytest), 4),
      rocAuc: round(rocAuc(scores, ytest), 4),
      fitSeconds: round((t1 - t0) / 1000, 2),
      predictSeconds: round((t2 - t1) / 1000, 4),
      singleRowMicroseconds: round(singleRowMicroseconds(model, Xtest), 2),
      maxDifferenceFromTensorFlow: differenceFromTensorFlow(model, Xtest, scores),
    };
    runs.push(run);
    console.error(
      `seed ${seed}: ${run.trainRows} train rows, ${run.testRows} test rows; AP ${run.averagePrecision} AUC ${run.rocAuc} ` +
        `fit ${run.fitSeconds} s (${run.backend}, ${run.epochsRun} epochs) predict ${run.predictSeconds} s ` +
        `single row ${run.singleRowMicroseconds} µs, |Δp| vs tfjs ${run.maxDifferenceFromTensorFlow.toExponential(1)}`,
    );
  }
  // Destructured so that `dotProductMmacPerSecond` keeps its place before `node`, measured after the load is read.
  const { node, ...host } = machine();
  const result = {
    benchmark: 'neural',
    scale: small ? 'small' : 'full',
    date: new Date().toISOString(),
    machine: { ...host, dotProductMmacPerSecond: { before: speedBefore, after: dotProductSpeed() }, node },
    setup: { ...HANDBOOK_HOLDOUT, simulation: SIMULATION, seeds: SEEDS, features: 'handbookFeatures() (15), raw; the model standardises' },
    model: { kind: 'mlp', params: new MlpClassifier().params },
    summary: {
      averagePrecision: spread(runs.map((r) => r.averagePrecision)),
      rocAuc: spread(runs.map((r) => r.rocAuc)),
      fitSeconds: spread(runs.map((r) => r.fitSeconds)),
      predictSeconds: spread(runs.map((r) => r.predictSeconds)),
      singleRowMicroseconds: spread(runs.map((r) => r.singleRowMicroseconds)),
      maxDifferenceFromTensorFlow: Math.max(...runs.map((r) => r.maxDifferenceFromTensorFlow)),
    },
    target: TARGET,
    runs,
  };
  writeResult('neural', result);
  const s = result.summary;
  console.log(
    `neural (${result.scale}, ${SEEDS.length} seed${SEEDS.length > 1 ? 's' : ''}, ${runs[0]?.backend}): AP ${s.averagePrecision.mean} ` +
      `[${s.averagePrecision.min}, ${s.averagePrecision.max}] AUC ${s.rocAuc.mean} fit ${s.fitSeconds.mean} s ` +
      `predict ${s.predictSeconds.mean} s single row ${s.singleRowMicroseconds.mean} µs |Δp| vs tfjs ${s.maxDifferenceFromTensorFlow.toExponential(1)} ` +
      `(load ${result.machine.loadAverage1m}, dot ${speedBefore} MMAC/s)`,
  );
}

/** Median time of one single-row predictProba call, after warm-up, in microseconds. */
function singleRowMicroseconds(model: MlpClassifier, X: DenseMatrix): number {
  const rows = Math.min(X.rows, 1000);
  const single = Array.from({ length: rows }, (_, r) => denseMatrix(X.data.slice(r * X.cols, (r + 1) * X.cols), 1, X.cols, X.featureNames));
  for (let k = 0; k < 5; k++) for (const row of single) model.predictProba(row);
  const times: number[] = [];
  for (let k = 0; k < 20; k++) {
    const t = performance.now();
    for (const row of single) model.predictProba(row);
    times.push(((performance.now() - t) * 1000) / rows);
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

/** Largest |p_ours - p_tfjs| over the rows, TensorFlow.js running the artifact's weights on the backend that trained. */
function differenceFromTensorFlow(model: MlpClassifier, X: DenseMatrix, ours: Float64Array): number {
  const state = model.toJSON().state as {
    inputMean: unknown;
    inputScale: unknown;
    layers: { inputs: number; outputs: number; kernel: unknown; bias: unknown }[];
  };
  const mean = decodeTypedArray(state.inputMean, 'float64', 'inputMean');
  const scale = decodeTypedArray(state.inputScale, 'float64', 'inputScale');
  const standardised = new Float32Array(X.rows * X.cols);
  for (let i = 0; i < standardised.length; i++) standardised[i] = (X.data[i]! - mean[i % X.cols]!) / scale[i % X.cols]!;
  const theirs = tf.tidy(() => {
    let h: tf.Tensor = tf.tensor2d(standardised, [X.rows, X.cols]);
    state.layers.forEach((layer, l) => {
      h = tf.add(
        tf.matMul(h, tf.tensor2d(decodeTypedArray(layer.kernel, 'float32', 'kernel'), [layer.inputs, layer.outputs])),
        tf.tensor1d(decodeTypedArray(layer.bias, 'float32', 'bias')),
      );
      if (l + 1 < state.layers.length) h = tf[model.params.activation](h);
    });
    return tf.sigmoid(h).dataSync();
  });
  let max = 0;
  for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i]! - theirs[i]!));
  return max;
}

/** Millions of multiply-adds per second of a plain JavaScript dot product: how fast this machine is right now. */
function dotProductSpeed(): number {
  const a = Float64Array.from({ length: 1024 }, (_, i) => Math.sin(i));
  const b = Float64Array.from({ length: 1024 }, (_, i) => Math.cos(i));
  let s = 0;
  const t = performance.now();
  for (let k = 0; k < 50_000; k++) for (let i = 0; i < 1024; i++) s += a[i]! * b[i]!;
  const seconds = (performance.now() - t) / 1000;
  return Number.isNaN(s) ? 0 : Math.round((50_000 * 1024) / seconds / 1e6);
}

await main();
