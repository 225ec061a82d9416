import { describe, expect, it } from 'vitest';
import { denseMatrix } from '@mlsd/data';
import { GradientBoostingClassifier, loadClassifier, LogisticRegression, RandomForestClassifier } from '@mlsd/models';
import { checkArtifact, checkFitInput, checkPredictInput } from './index.js';

const X = denseMatrix(Float64Array.of(1, 2, 3, 4, 5, 6), 3, 2, ['amount', 'count']);
const y = Uint8Array.of(0, 1, 0);

describe('checkFitInput', () => {
  it('accepts good input and needs some weight on each class', () => {
    expect(() => checkFitInput('toy', X, y, { sampleWeight: Float64Array.of(1, 0, 2) })).toThrow(/positive rows all have sampleWeight 0/);
    expect(() => checkFitInput('toy', X, y, { sampleWeight: Float64Array.of(1, 1, 0) })).not.toThrow();
    expect(() => checkFitInput('toy', X, y, { validation: { X, y: Uint8Array.of(0, 0, 0) } })).not.toThrow();
  });

  it('names the row and column of a non-finite value', () => {
    const bad = denseMatrix(Float64Array.of(1, 2, 3, Number.POSITIVE_INFINITY, 5, 6), 3, 2, ['amount', 'count']);
    expect(() => checkFitInput('toy', bad, y)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', location: { row: 1, column: 'count', field: 'X' } }));
    expect(() => checkFitInput('toy', X, y, { validation: { X: bad, y } })).toThrow(
      expect.objectContaining({ location: { row: 1, column: 'count', field: 'validation.X' } }),
    );
  });

  it('rejects bad labels, lengths and weights', () => {
    expect(() => checkFitInput('toy', X, Uint8Array.of(1, 1, 1))).toThrow(/all 3 labels in y are 1/);
    expect(() => checkFitInput('toy', X, Uint8Array.of(0, 1))).toThrow(/2 labels but there are 3 rows/);
    expect(() => checkFitInput('toy', X, Uint8Array.of(0, 3, 1))).toThrow(expect.objectContaining({ location: { row: 1, field: 'y' } }));
    expect(() => checkFitInput('toy', X, y, { sampleWeight: Float64Array.of(1, -1, 1) })).toThrow(/row 1 is -1/);
    expect(() => checkFitInput('toy', X, y, { sampleWeight: Float64Array.of(1, Number.NaN, 1) })).toThrow(/row 1 is NaN/);
  });
});

describe('checkPredictInput', () => {
  it('names the first column that differs from training', () => {
    expect(() => checkPredictInput('toy', X, ['amount', 'count'])).not.toThrow();
    expect(() => checkPredictInput('toy', X, ['amount', 'hour'])).toThrow(
      expect.objectContaining({ code: 'SCHEMA_MISMATCH', message: expect.stringContaining('column 1 of X is "count" but the model expects "hour"') }),
    );
    expect(() => checkPredictInput('toy', X, ['amount'])).toThrow(expect.objectContaining({ code: 'SCHEMA_MISMATCH' }));
  });
});

describe('checkArtifact', () => {
  const artifact = { schemaVersion: 1, libraryVersion: '0.1.0', kind: 'toy', params: {}, featureNames: ['a'], state: {} };
  it('accepts a well-formed artifact and names the field at fault otherwise', () => {
    expect(checkArtifact(artifact, 'toy', [1])).toBe(artifact);
    const fails = (value: unknown, field: string): void =>
      expect(() => checkArtifact(value, 'toy', [1])).toThrow(expect.objectContaining({ code: 'CORRUPT_ARTIFACT', location: { field } }));
    fails({ ...artifact, kind: 'other' }, 'kind');
    fails({ ...artifact, schemaVersion: 2 }, 'schemaVersion');
    fails({ ...artifact, params: [] }, 'params');
    fails({ ...artifact, featureNames: [1] }, 'featureNames');
    fails({ ...artifact, state: undefined }, 'state');
    fails('model', 'artifact');
  });
});

describe('loading an artifact with edited hyper-parameters', () => {
  it('refuses unknown or out-of-range params with CORRUPT_ARTIFACT on "params", for every model kind', async () => {
    const rows = denseMatrix(Float64Array.of(0, 1, 2, 3, 4, 5, 6, 7), 4, 2, ['a', 'b']);
    const labels = Uint8Array.of(0, 1, 0, 1);
    const models = [new LogisticRegression(), new GradientBoostingClassifier({ nRounds: 2 }), new RandomForestClassifier({ nTrees: 2 })];
    for (const model of models) {
      const saved = (await model.fit(rows, labels)).toJSON();
      const edits: Array<Record<string, unknown>> = [
        { ...saved.params, typo: 1 },
        { ...saved.params, seed: 'x' },
      ];
      for (const params of edits) {
        expect(() => loadClassifier({ ...saved, params })).toThrow(
          expect.objectContaining({ code: 'CORRUPT_ARTIFACT', location: { field: 'params' }, message: expect.stringMatching(/params are invalid/) }),
        );
      }
    }
  });
});
