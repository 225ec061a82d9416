import { SeededRandom, denseMatrix, type DenseMatrix } from '@mlsd/data';
import { LogisticRegression, MlpClassifier, type Classifier, type ModelArtifact } from '@mlsd/models';
import { SIMPLE_FEATURES } from './simple-feature-backend.js';

/**
 * A logistic regression trained on synthetic (amount, customer mean) rows where fraud means an amount far above
 * the customer's mean: the real model the HTTP tests serve.
 */
export async function trainTinyModel(seed = 1): Promise<LogisticRegression> {
  const { X, y } = tinyData(seed);
  return new LogisticRegression({ C: 10 }).fit(X, y);
}

/** A small neural network (one hidden layer of 8) trained on the same rows as {@link trainTinyModel}. */
export async function trainTinyMlp(seed = 1): Promise<MlpClassifier> {
  const { X, y } = tinyData(seed);
  return new MlpClassifier({ hiddenLayers: [8], epochs: 40, batchSize: 32, learningRate: 0.02, seed }).fit(X, y);
}

function tinyData(seed: number): { X: DenseMatrix; y: Uint8Array } {
  const rng = new SeededRandom(seed);
  const n = 400;
  const data = new Float64Array(n * 2);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const mean = rng.uniform(20, 80);
    const fraud = rng.nextFloat() < 0.3;
    const amount = fraud ? mean * rng.uniform(2, 6) : mean * rng.uniform(0.2, 1.8);
    data[i * 2] = amount;
    data[i * 2 + 1] = mean;
    y[i] = fraud ? 1 : 0;
  }
  return { X: denseMatrix(data, n, 2, [...SIMPLE_FEATURES]), y };
}

/** A classifier whose `predictProba` throws, or busy-waits `sleepMs` (a slow synchronous model), or resolves late. */
export class MisbehavingClassifier implements Classifier {
  readonly kind = 'misbehaving';
  readonly params = {};
  readonly isFitted = true;
  readonly featureNames: readonly string[] = [...SIMPLE_FEATURES];
  calls = 0;

  constructor(private readonly behaviour: { readonly throws?: boolean; readonly sleepMs?: number; readonly asyncDelayMs?: number; readonly score?: number }) {}

  async fit(): Promise<this> {
    return this;
  }

  predictProba(X: DenseMatrix): Float64Array {
    this.calls += 1;
    if (this.behaviour.throws === true) throw new Error('model exploded');
    if (this.behaviour.sleepMs !== undefined) {
      const until = performance.now() + this.behaviour.sleepMs;
      while (performance.now() < until) {
        // Busy-wait: a synchronous model that is simply slow.
      }
    }
    const out = new Float64Array(X.rows).fill(this.behaviour.score ?? 0.1);
    if (this.behaviour.asyncDelayMs !== undefined) {
      // A model behind an async boundary (e.g. a remote model wrapped in the contract) answering late.
      return new Promise((resolve) => setTimeout(() => resolve(out), this.behaviour.asyncDelayMs)) as unknown as Float64Array;
    }
    return out;
  }

  toJSON(): ModelArtifact {
    return { schemaVersion: 1, libraryVersion: '0', kind: this.kind, params: {}, featureNames: [...this.featureNames], state: null };
  }
}
