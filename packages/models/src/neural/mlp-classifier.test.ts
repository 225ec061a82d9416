import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { denseMatrix, isMlsdError, SeededRandom, type DenseMatrix } from '@mlsd/data';
import { loadClassifier, MlpClassifier, type MlpActivation, type ModelArtifact } from '@mlsd/models';
import { decodeTypedArray } from '../artifact/index.js';
import { classifierContract } from '@mlsd/models/testing';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

// Few epochs on a small network keep the contract's four fits to seconds.
classifierContract('mlp', (seed) => new MlpClassifier({ hiddenLayers: [16], epochs: 20, batchSize: 32, learningRate: 0.01, seed }));

/**
 * A small fraud-like problem: 5 features on different scales, a non-linear log-odds (`oracle` holds the true
 * probability of each row, the best any model can rank with).
 */
function problem(rows: number, seed: number): { X: DenseMatrix; y: Uint8Array; oracle: Float64Array } {
  const random = new SeededRandom(seed);
  const cols = 5;
  const data = new Float64Array(rows * cols);
  const y = new Uint8Array(rows);
  const oracle = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) data[r * cols + c] = random.normal(10 * c, 1 + c);
    const a = (data[r * cols]! - 0) / 1;
    const b = (data[r * cols + 1]! - 10) / 2;
    const logit = -3 + 2 * a + 1.5 * Math.max(0, b) - a * b;
    oracle[r] = 1 / (1 + Math.exp(-logit));
    y[r] = random.nextFloat() < oracle[r]! ? 1 : 0;
  }
  return { X: denseMatrix(data, rows, cols, ['amount', 'count_1d', 'count_7d', 'risk_1d', 'risk_7d']), y, oracle };
}

const FAST = { hiddenLayers: [16, 8], epochs: 3, batchSize: 64 } as const;
const train = problem(1500, 1);
const test = problem(800, 2);

function roundTrip(model: MlpClassifier): ReturnType<typeof loadClassifier> {
  return loadClassifier(JSON.parse(JSON.stringify(model.toJSON())) as ModelArtifact);
}

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('MlpClassifier', () => {
  it("learns a non-linear signal (AP near the true model's) and reports the wasm backend", async () => {
    const model = await new MlpClassifier({ hiddenLayers: [32], epochs: 30, learningRate: 0.003, batchSize: 64, seed: 3 }).fit(train.X, train.y);
    const p = model.predictProba(test.X);
    const { averagePrecisionOfScores } = await import('../trees/early-stopping-metric.js');
    const best = averagePrecisionOfScores(test.oracle, test.y);
    const linear = averagePrecisionOfScores(
      Float64Array.from({ length: test.X.rows }, (_, r) => test.X.data[r * 5]!),
      test.y,
    );
    expect(averagePrecisionOfScores(p, test.y)).toBeGreaterThan(0.93 * best);
    expect(averagePrecisionOfScores(p, test.y)).toBeGreaterThan(linear + 0.05);
    // @tensorflow/tfjs-node is not installed here, so 'auto' must land on wasm (not a silent cpu fallback).
    expect(model.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect((model.toJSON().state as { training: { backend: string } }).training.backend).toBe('wasm');
    expect(model.fitInfo.epochsRun).toBe(30);
  });

  for (const activation of ['relu', 'elu', 'tanh', 'sigmoid'] as MlpActivation[]) {
    it(`typed-array forward pass equals TensorFlow.js to 1e-6 (${activation})`, async () => {
      const model = await new MlpClassifier({ ...FAST, activation, learningRate: 0.01, seed: 5 }).fit(train.X, train.y);
      const ours = model.predictProba(test.X);
      const state = model.toJSON().state as {
        inputMean: unknown;
        inputScale: unknown;
        layers: { inputs: number; outputs: number; kernel: unknown; bias: unknown }[];
      };
      const mean = decodeTypedArray(state.inputMean, 'float64', 'inputMean');
      const scale = decodeTypedArray(state.inputScale, 'float64', 'inputScale');
      const cols = test.X.cols;
      const standardised = new Float32Array(test.X.rows * cols);
      for (let i = 0; i < standardised.length; i++) standardised[i] = (test.X.data[i]! - mean[i % cols]!) / scale[i % cols]!;
      const theirs = tf.tidy(() => {
        let h: tf.Tensor = tf.tensor2d(standardised, [test.X.rows, cols]);
        state.layers.forEach((layer, l) => {
          const kernel = tf.tensor2d(decodeTypedArray(layer.kernel, 'float32', 'kernel'), [layer.inputs, layer.outputs]);
          h = tf.add(tf.matMul(h, kernel), tf.tensor1d(decodeTypedArray(layer.bias, 'float32', 'bias')));
          if (l + 1 < state.layers.length) h = tf[activation](h);
        });
        return tf.sigmoid(h).dataSync();
      });
      let maxDiff = 0;
      let spread = 0;
      for (let i = 0; i < ours.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ours[i]! - theirs[i]!));
        spread = Math.max(spread, Math.abs(ours[i]! - ours[0]!));
      }
      expect(maxDiff).toBeLessThan(1e-6);
      expect(spread).toBeGreaterThan(0.1); // the comparison covers a real range of probabilities
    });
  }

  it('gives the same model for the same seed and a different one for another seed', async () => {
    const options = { ...FAST, dropout: 0.2, seed: 11 };
    const first = await new MlpClassifier(options).fit(train.X, train.y);
    const second = await new MlpClassifier(options).fit(train.X, train.y);
    const other = await new MlpClassifier({ ...options, seed: 12 }).fit(train.X, train.y);
    expect(JSON.stringify(second.toJSON())).toBe(JSON.stringify(first.toJSON()));
    expect(second.predictProba(test.X)).toEqual(first.predictProba(test.X));
    expect(other.predictProba(test.X)).not.toEqual(first.predictProba(test.X));
  });

  it('stops early on validation AP and keeps the best epoch', async () => {
    const model = await new MlpClassifier({ ...FAST, epochs: 30, learningRate: 0.01, earlyStoppingPatience: 2, seed: 7 }).fit(train.X, train.y, {
      validation: test,
    });
    const { epochsRun, bestEpoch, validationAveragePrecision: history } = model.fitInfo;
    expect(history).toHaveLength(epochsRun);
    expect(history[bestEpoch - 1]).toBe(Math.max(...history));
    // Either it ran out of epochs or it stopped exactly `patience` epochs after the best one.
    expect(epochsRun === 30 || epochsRun - bestEpoch === 2).toBe(true);
    expect(epochsRun).toBeLessThan(30); // at lr 0.01 this small problem saturates well before 30 epochs
    // The kept weights are the best epoch's: the model's own AP on the validation set is that epoch's score.
    const { averagePrecisionOfScores } = await import('../trees/early-stopping-metric.js');
    expect(averagePrecisionOfScores(model.predictProba(test.X), test.y)).toBeCloseTo(history[bestEpoch - 1]!, 4);
  });

  it('leaves no tensors behind on the TensorFlow.js backend after fit', async () => {
    await new MlpClassifier({ ...FAST, epochs: 1 }).fit(train.X, train.y); // loads and starts the backend
    const before = tf.memory().numTensors;
    await new MlpClassifier({ ...FAST, dropout: 0.3, l2: 0.01 }).fit(train.X, train.y, { validation: test });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('weights the positive class more with classWeight "balanced"', async () => {
    const plain = await new MlpClassifier({ ...FAST, seed: 1 }).fit(train.X, train.y);
    const balanced = await new MlpClassifier({ ...FAST, seed: 1, classWeight: 'balanced' }).fit(train.X, train.y);
    const mean = (p: Float64Array): number => p.reduce((a, b) => a + b, 0) / p.length;
    expect(mean(balanced.predictProba(test.X))).toBeGreaterThan(mean(plain.predictProba(test.X)) + 0.1);
  });

  it('round-trips through JSON and loadClassifier with identical predictions and fit info', async () => {
    const model = await new MlpClassifier({ ...FAST, seed: 2 }).fit(train.X, train.y);
    const loaded = roundTrip(model) as MlpClassifier;
    expect(loaded).toBeInstanceOf(MlpClassifier);
    expect(loaded.predictProba(test.X)).toEqual(model.predictProba(test.X));
    expect(loaded.backend).toBe(model.backend);
    expect(loaded.featureNames).toEqual(train.X.featureNames);
  });

  it('explains scores against the training mean, saved with the model (older artifacts fall back to the input mean)', async () => {
    const model = await new MlpClassifier({ ...FAST, seed: 4 }).fit(train.X, train.y);
    const means = Array.from({ length: train.X.cols }, (_, c) => {
      let sum = 0;
      for (let r = 0; r < train.X.rows; r++) sum += train.X.data[r * train.X.cols + c]!;
      return sum / train.X.rows;
    });
    Array.from(model.baseline).forEach((value, c) => expect(value).toBeCloseTo(means[c]!, 9));
    const X = denseMatrix(test.X.data.slice(0, 20 * 5), 20, 5, test.X.featureNames);
    const explained = model.integratedGradients(X);
    for (const gap of explained.gaps) expect(Math.abs(gap)).toBeLessThan(1e-9);
    const loaded = roundTrip(model) as MlpClassifier;
    expect(loaded.contributions(X)).toEqual(model.contributions(X));
    const artifact = JSON.parse(JSON.stringify(model.toJSON())) as { state: Record<string, unknown> };
    delete artifact.state.baseline;
    const older = loadClassifier(artifact as unknown as ModelArtifact) as MlpClassifier;
    expect(Array.from(older.baseline)).toEqual(Array.from(decodeTypedArray(artifact.state.inputMean, 'float64', 'inputMean', 5)));
  });

  it('trains on the cpu backend when asked, and refuses "tensorflow" when tfjs-node is missing', async () => {
    const model = await new MlpClassifier({ ...FAST, epochs: 1, backend: 'cpu' }).fit(train.X, train.y);
    expect(model.backend).toBe('cpu');
    await expect(new MlpClassifier({ ...FAST, backend: 'tensorflow' }).fit(train.X, train.y)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('@tensorflow/tfjs-node'),
    });
    const back = await new MlpClassifier({ ...FAST, epochs: 1 }).fit(train.X, train.y);
    expect(back.backend).toBe('wasm');
  });

  it('rejects unknown and out-of-range options naming the valid ones', () => {
    const unknown = errorOf(() => new MlpClassifier({ hidden: [8] } as never));
    expect(isMlsdError(unknown, 'INVALID_OPTION')).toBe(true);
    expect((unknown as Error).message).toContain('hiddenLayers');
    for (const bad of [{ hiddenLayers: [] }, { hiddenLayers: [0] }, { dropout: 1 }, { activation: 'softmax' }, { backend: 'gpu' }]) {
      expect(
        isMlsdError(
          errorOf(() => new MlpClassifier(bad as never)),
          'INVALID_OPTION',
        ),
      ).toBe(true);
    }
  });

  it('fails clearly before fit and on a validation set without positives', async () => {
    const model = new MlpClassifier(FAST);
    expect(
      isMlsdError(
        errorOf(() => model.predictProba(test.X)),
        'NOT_FITTED',
      ),
    ).toBe(true);
    expect(
      isMlsdError(
        errorOf(() => model.backend),
        'NOT_FITTED',
      ),
    ).toBe(true);
    const validation = { X: test.X, y: new Uint8Array(test.X.rows) };
    await expect(model.fit(train.X, train.y, { validation })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses a corrupt artifact, naming the field', async () => {
    const artifact = (await new MlpClassifier({ ...FAST, epochs: 1 }).fit(train.X, train.y)).toJSON();
    const state = artifact.state as { layers: { kernel: { length: number } }[] };
    const broken = { ...artifact, state: { ...state, layers: [{ ...state.layers[0], kernel: { ...state.layers[0]!.kernel, length: 3 } }] } };
    const error = errorOf(() => loadClassifier(broken));
    expect(isMlsdError(error, 'CORRUPT_ARTIFACT')).toBe(true);
    expect((error as Error).message).toContain('state.layers[0].kernel');
  });

  it('importing @mlsd/models and predicting with a loaded mlp does not load TensorFlow', async () => {
    const artifact = JSON.stringify((await new MlpClassifier({ ...FAST, epochs: 1 }).fit(train.X, train.y)).toJSON());
    const script = `
      import { createRequire } from 'node:module';
      const { loadClassifier } = await import('@mlsd/models');
      const { denseMatrix } = await import('@mlsd/data');
      const model = loadClassifier(JSON.parse(process.env.ARTIFACT));
      const p = model.predictProba(denseMatrix(new Float64Array(5), 1, 5, model.featureNames));
      const tfLoaded = () => '_tfengine' in globalThis ||
        Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('@tensorflow'));
      const before = tfLoaded();
      await import('@tensorflow/tfjs');
      console.log(JSON.stringify({ p: p[0], before, after: tfLoaded() }));`;
    const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', '--input-type=module', '-e', script], {
      cwd: packageDir,
      env: { ...process.env, ARTIFACT: artifact },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { p: number; before: boolean; after: boolean };
    expect(result.p).toBeGreaterThan(0);
    expect(result.p).toBeLessThan(1);
    expect(result.before).toBe(false);
    expect(result.after).toBe(true); // the probe does see TensorFlow once it is loaded
  });

  it('uses @tensorflow/tfjs-node when the application has it installed (backend "tensorflow")', () => {
    // A stand-in tfjs-node in a scratch application directory: tfjs with the cpu kernels registered as
    // "tensorflow". Only the detection and the backend switch are under test here, not native TensorFlow.
    const app = mkdtempSync(join(tmpdir(), 'mlsd-tfjs-node-'));
    try {
      const requireHere = createRequire(import.meta.url);
      const tfjsPath = requireHere.resolve('@tensorflow/tfjs');
      const cpuPath = createRequire(tfjsPath).resolve('@tensorflow/tfjs-backend-cpu');
      const fake = join(app, 'node_modules', '@tensorflow', 'tfjs-node');
      mkdirSync(fake, { recursive: true });
      writeFileSync(join(fake, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', main: 'index.js' }));
      writeFileSync(
        join(fake, 'index.js'),
        `const tf = require(${JSON.stringify(tfjsPath)});
         const { MathBackendCPU } = require(${JSON.stringify(cpuPath)});
         tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
         for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
         module.exports = tf;`,
      );
      const models = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), '../index.ts')).href;
      const script = `
        const { MlpClassifier } = await import(${JSON.stringify(models)});
        const X = { data: Float64Array.from({ length: 40 }, (_, i) => (i * 7) % 11), rows: 20, cols: 2, featureNames: ['a', 'b'] };
        const y = Uint8Array.from({ length: 20 }, (_, i) => i % 2);
        const model = await new MlpClassifier({ hiddenLayers: [4], epochs: 1 }).fit(X, y);
        console.log(JSON.stringify({ backend: model.backend }));`;
      const child = spawnSync(
        process.execPath,
        ['--import', pathToFileURL(requireHere.resolve('tsx')).href, '--conditions=@mlsd/source', '--input-type=module', '-e', script],
        { cwd: app, encoding: 'utf8' },
      );
      expect(child.status, child.stderr).toBe(0);
      expect(JSON.parse(child.stdout.trim().split('\n').at(-1)!)).toEqual({ backend: 'tensorflow' });
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});
