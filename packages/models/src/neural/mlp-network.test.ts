import { describe, expect, it } from 'vitest';
import { denseMatrix, SeededRandom } from '@mlsd/data';
import { applyActivation, type MlpActivation } from './activation.js';
import { MlpNetwork, type MlpLayerWeights, type MlpNetworkState } from './mlp-network.js';

/** Random float32 weights for layers of the given widths (the last must be 1). */
function randomState(rng: SeededRandom, widths: number[], activation: MlpActivation): MlpNetworkState {
  const layers: MlpLayerWeights[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const inputs = widths[l]!;
    const outputs = widths[l + 1]!;
    layers.push({
      inputs,
      outputs,
      kernel: Float32Array.from({ length: inputs * outputs }, () => rng.normal() * 0.5),
      bias: Float32Array.from({ length: outputs }, () => rng.normal() * 0.1),
    });
  }
  const cols = widths[0]!;
  return {
    inputMean: Float64Array.from({ length: cols }, () => rng.normal()),
    inputScale: Float64Array.from({ length: cols }, () => 0.5 + rng.nextFloat()),
    layers,
    activation,
  };
}

/** The forward pass written plainly: one row at a time, each sum over the inputs in order. */
function plainLogits(state: MlpNetworkState, data: Float64Array, rows: number): Float64Array {
  const cols = state.inputMean.length;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let values = Float64Array.from({ length: cols }, (_, c) => (data[r * cols + c]! - state.inputMean[c]!) / state.inputScale[c]!);
    state.layers.forEach((layer, l) => {
      const next = new Float64Array(layer.outputs);
      for (let j = 0; j < layer.outputs; j++) {
        let sum = layer.bias[j]!;
        for (let i = 0; i < layer.inputs; i++) sum += values[i]! * layer.kernel[i * layer.outputs + j]!;
        next[j] = sum;
      }
      if (l < state.layers.length - 1) applyActivation(state.activation, next, next.length);
      values = next;
    });
    out[r] = values[0]!;
  }
  return out;
}

describe('MlpNetwork forward pass (WebAssembly dense layers)', () => {
  // Widths that are not multiples of 4 exercise the one-output-at-a-time path; 1,103 rows give two full chunks
  // of 512, a partial one and a tail shorter than a group of four rows.
  const cases: { widths: number[]; activation: MlpActivation }[] = [
    { widths: [15, 64, 32, 1], activation: 'relu' },
    { widths: [7, 10, 3, 1], activation: 'tanh' },
    { widths: [5, 1], activation: 'elu' },
    { widths: [9, 6, 1], activation: 'sigmoid' },
  ];
  for (const { widths, activation } of cases) {
    it(`gives the plain loop's logits bit for bit: ${widths.join('-')}, ${activation}`, () => {
      const rng = new SeededRandom(widths.length * 31 + widths[0]!);
      const state = randomState(rng, widths, activation);
      const rows = 1103;
      const data = Float64Array.from({ length: rows * widths[0]! }, () => rng.normal() * 2);
      const network = new MlpNetwork(state);
      const out = new Float64Array(rows);
      network.logitsInto(denseMatrix(data, rows, widths[0]!), out);
      expect(Array.from(out)).toEqual(Array.from(plainLogits(state, data, rows)));
      // One row at a time, as a service scores: the same values.
      const single = new Float64Array(1);
      for (const r of [0, 3, 511, 512, 1102]) {
        network.logitsInto(denseMatrix(data.slice(r * widths[0]!, (r + 1) * widths[0]!), 1, widths[0]!), single);
        expect(single[0]).toBe(out[r]);
      }
    });
  }
});
