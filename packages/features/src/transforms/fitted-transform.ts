import { MlsdError } from '@mlsd/data';
import type { FeatureFrame } from './feature-frame.js';
import { applyFrequencyEncode, fitFrequencyEncode, type FrequencyEncodeSpec, type FrequencyEncodeState } from './frequency-encode.js';
import { applyMedianImpute, fitMedianImpute, type MedianImputeSpec, type MedianImputeState } from './median-impute.js';
import { applyOneHot, fitOneHot, type OneHotSpec, type OneHotState } from './one-hot.js';
import { applyStandardScale, fitStandardScale, type StandardScaleSpec, type StandardScaleState } from './standard-scale.js';

/** One transform of a feature pipeline, as plain JSON; applied in the order given, each fitted on training rows. */
export type TransformSpec = StandardScaleSpec | MedianImputeSpec | OneHotSpec | FrequencyEncodeSpec;

/** A transform with its learned state, as stored in the pipeline JSON. */
export type FittedTransform =
  | { readonly spec: StandardScaleSpec; readonly state: StandardScaleState }
  | { readonly spec: MedianImputeSpec; readonly state: MedianImputeState }
  | { readonly spec: OneHotSpec; readonly state: OneHotState }
  | { readonly spec: FrequencyEncodeSpec; readonly state: FrequencyEncodeState };

const KEYS: Readonly<Record<TransformSpec['kind'], readonly string[]>> = {
  'standard-scale': ['kind', 'columns'],
  'median-impute': ['kind', 'columns', 'indicator'],
  'one-hot': ['kind', 'column', 'maxCategories'],
  'frequency-encode': ['kind', 'column'],
};

/** Checks a transform spec read from JSON; throws `INVALID_OPTION` naming the field and the valid values. */
export function validateTransformSpec(raw: unknown, at: string): TransformSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(at, `must be an object with a "kind", got ${JSON.stringify(raw)}`);
  const spec = raw as Record<string, unknown>;
  const kind = spec['kind'];
  if (typeof kind !== 'string' || !(kind in KEYS)) throw invalid(`${at}.kind`, `is ${JSON.stringify(kind)}; valid kinds are ${Object.keys(KEYS).join(', ')}`);
  const valid = KEYS[kind as TransformSpec['kind']];
  for (const key of Object.keys(spec)) {
    if (!valid.includes(key)) throw invalid(`${at}.${key}`, `is not an option of a "${kind}" transform; valid: ${valid.join(', ')}`);
  }
  if (kind === 'standard-scale' || kind === 'median-impute') {
    const columns = spec['columns'];
    if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string' && c.length > 0)) {
      throw invalid(`${at}.columns`, `is ${JSON.stringify(columns)}; give a non-empty array of feature names`);
    }
    if (spec['indicator'] !== undefined && typeof spec['indicator'] !== 'boolean') {
      throw invalid(`${at}.indicator`, `is ${JSON.stringify(spec['indicator'])}; give true or false`);
    }
  } else {
    if (typeof spec['column'] !== 'string' || spec['column'].length === 0)
      throw invalid(`${at}.column`, `is ${JSON.stringify(spec['column'])}; give a column name`);
    const max = spec['maxCategories'];
    if (max !== undefined && !(Number.isInteger(max) && (max as number) >= 1))
      throw invalid(`${at}.maxCategories`, `is ${JSON.stringify(max)}; give a whole number >= 1`);
  }
  return raw as TransformSpec;
}

/** Learns `spec` on `rows` of `frame` (all rows when undefined), then applies it to `frame` in place. */
export function fitTransform(spec: TransformSpec, frame: FeatureFrame, rows: Int32Array | undefined): FittedTransform {
  let fitted: FittedTransform;
  switch (spec.kind) {
    case 'standard-scale':
      fitted = { spec, state: fitStandardScale(spec, frame, rows) };
      break;
    case 'median-impute':
      fitted = { spec, state: fitMedianImpute(spec, frame, rows) };
      break;
    case 'one-hot':
      fitted = { spec, state: fitOneHot(spec, frame, rows) };
      break;
    case 'frequency-encode':
      fitted = { spec, state: fitFrequencyEncode(spec, frame, rows) };
      break;
  }
  applyTransform(fitted, frame);
  return fitted;
}

/** Applies a fitted transform to `frame` in place (changing or appending columns). */
export function applyTransform(fitted: FittedTransform, frame: FeatureFrame): void {
  switch (fitted.spec.kind) {
    case 'standard-scale':
      applyStandardScale(fitted.spec, fitted.state as StandardScaleState, frame);
      return;
    case 'median-impute':
      applyMedianImpute(fitted.spec, fitted.state as MedianImputeState, frame);
      return;
    case 'one-hot':
      applyOneHot(fitted.spec, fitted.state as OneHotState, frame);
      return;
    case 'frequency-encode':
      applyFrequencyEncode(fitted.spec, fitted.state as FrequencyEncodeState, frame);
      return;
  }
}

/** Checks the learned state of a transform read from JSON; throws `CORRUPT_ARTIFACT` naming the field. */
export function validateTransformState(spec: TransformSpec, raw: unknown, at: string): FittedTransform {
  const state = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const numbers = (key: string, length: number): void => {
    const value = state[key];
    if (!Array.isArray(value) || value.length !== length || !value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw corrupt(`${at}.state.${key}`, `must be ${length} finite numbers`);
    }
  };
  switch (spec.kind) {
    case 'standard-scale':
      numbers('means', spec.columns.length);
      numbers('stds', spec.columns.length);
      if ((state['stds'] as number[]).some((s) => s <= 0)) throw corrupt(`${at}.state.stds`, 'must be > 0');
      break;
    case 'median-impute':
      numbers('medians', spec.columns.length);
      break;
    case 'one-hot': {
      const categories = state['categories'];
      if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string')) throw corrupt(`${at}.state.categories`, 'must be an array of strings');
      break;
    }
    case 'frequency-encode': {
      const frequencies = state['frequencies'];
      if (typeof frequencies !== 'object' || frequencies === null || !Object.values(frequencies).every((f) => typeof f === 'number' && f >= 0 && f <= 1)) {
        throw corrupt(`${at}.state.frequencies`, 'must map values to shares in [0, 1]');
      }
      break;
    }
  }
  return { spec, state } as unknown as FittedTransform;
}

function invalid(field: string, detail: string): MlsdError {
  return new MlsdError('INVALID_OPTION', `Transform ${field} ${detail}.`, { location: { field } });
}

function corrupt(field: string, detail: string): MlsdError {
  return new MlsdError('CORRUPT_ARTIFACT', `Feature pipeline ${field} ${detail}; the file is damaged or was not written by FeaturePipeline.toJSON.`, {
    location: { field },
  });
}
