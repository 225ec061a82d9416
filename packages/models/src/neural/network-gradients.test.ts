import { SeededRandom } from '@mlsd/data';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MlpActivation } from './activation.js';
import { networkGradients } from './network-gradients.js';
import { loadTensorFlow } from './tensorflow-runtime.js';

// The hand-written back-propagation is internal to the mlp trainer, so this test imports it by path and checks
// it against TensorFlow.js's own automatic differentiation of the same objective.
function uniform(random: SeededRandom, shape: [number, number] | [number], scale: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => random.uniform(-scale, scale)),
    shape,
  );
}

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
}

describe('networkGradients', () => {
  beforeAll(async () => {
    expect((await loadTensorFlow('wasm')).backend).toBe('wasm');
  });

  for (const activation of ['relu', 'elu', 'tanh', 'sigmoid'] as MlpActivation[]) {
    it(`equals tf.variableGrads of weighted cross-entropy + L2, with dropout (${activation})`, () => {
      tf.tidy(() => {
        const random = new SeededRandom(4);
        const widths = [6, 8, 5, 1];
        const rows = 20;
        const kernels = widths.slice(0, -1).map((n, l) => tf.variable(uniform(random, [n, widths[l + 1]!], 0.8)));
        const biases = widths.slice(1).map((n) => tf.variable(uniform(random, [n], 0.3)));
        const x = uniform(random, [rows, 6], 2);
        const y = tf.tensor2d(
          Float32Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 1 : 0)),
          [rows, 1],
        );
        const weight = tf.tensor2d(
          Float32Array.from({ length: rows }, () => random.uniform(0.2, 3)),
          [rows, 1],
        );
        const masks = [8, 5].map((width) =>
          tf.tensor2d(
            Float32Array.from({ length: rows * width }, () => (random.nextFloat() < 0.7 ? 1 / 0.7 : 0)),
            [rows, width],
          ),
        );
        const l2 = 0.01;
        const ours = networkGradients(tf, { kernels, biases }, activation, { x, y, weight, masks }, l2);

        const reference = tf.variableGrads(() => {
          let h: tf.Tensor = x;
          for (let l = 0; l < kernels.length; l++) {
            h = tf.add(tf.matMul(h, kernels[l]!), biases[l]!);
            if (l + 1 < kernels.length) h = tf.mul(tf[activation](h), masks[l]!);
          }
          const loss = tf.mean(tf.mul(tf.losses.sigmoidCrossEntropy(y, h, undefined, 0, tf.Reduction.NONE), weight));
          let penalty: tf.Tensor = tf.scalar(0);
          for (const kernel of kernels) penalty = tf.add(penalty, tf.sum(tf.square(kernel)));
          return tf.add(loss, tf.mul(penalty, l2)) as tf.Scalar;
        }, [...kernels, ...biases]);

        for (let l = 0; l < kernels.length; l++) {
          const kernelGradient = reference.grads[kernels[l]!.name]!;
          expect(maxAbsDifference(ours.kernels[l]!, kernelGradient)).toBeLessThan(1e-5);
          expect(maxAbsDifference(ours.biases[l]!, reference.grads[biases[l]!.name]!)).toBeLessThan(1e-5);
          expect(tf.max(tf.abs(kernelGradient)).dataSync()[0]).toBeGreaterThan(1e-3); // a real gradient, not zeros
        }
        const dataLoss = reference.value.dataSync()[0]! - l2 * kernels.reduce((s, k) => s + tf.sum(tf.square(k)).dataSync()[0]!, 0);
        expect(ours.loss.dataSync()[0]).toBeCloseTo(dataLoss, 5);
        for (const variable of [...kernels, ...biases]) variable.dispose();
      });
    });
  }
});
