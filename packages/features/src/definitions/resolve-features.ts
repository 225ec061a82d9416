import { MlsdError } from '@mlsd/data';
import { durationMs, formatDuration } from './duration.js';
import type { FeatureDefinition, WindowAggregate } from './feature-definition.js';

/** A validated definition with its name filled in and durations in milliseconds; what both executors run. */
export type ResolvedFeature =
  | { readonly kind: 'column'; readonly name: string; readonly column: string }
  | { readonly kind: 'log1p'; readonly name: string; readonly column: string }
  | {
      readonly kind: 'calendar';
      readonly name: string;
      readonly flag: 'weekend' | 'night';
      readonly fromHour: number;
      readonly toHour: number;
      readonly offsetMs: number;
    }
  | {
      readonly kind: 'window';
      readonly name: string;
      readonly entity: string;
      readonly column: string | undefined;
      readonly agg: WindowAggregate;
      readonly windowMs: number;
    }
  | {
      readonly kind: 'ratio-to-window-mean';
      readonly name: string;
      readonly entity: string;
      readonly column: string;
      readonly windowMs: number;
    }
  | {
      readonly kind: 'delayed-label';
      readonly name: string;
      readonly entity: string;
      readonly label: string;
      readonly windowMs: number;
      readonly delayMs: number;
      readonly output: 'count' | 'rate';
    };

const KEYS: Readonly<Record<FeatureDefinition['kind'], readonly string[]>> = {
  window: ['kind', 'name', 'entity', 'column', 'agg', 'window'],
  'delayed-label': ['kind', 'name', 'entity', 'label', 'window', 'delay', 'output'],
  calendar: ['kind', 'name', 'flag', 'nightHours', 'utcOffsetMinutes'],
  column: ['kind', 'name', 'column'],
  log1p: ['kind', 'name', 'column'],
  'ratio-to-window-mean': ['kind', 'name', 'entity', 'column', 'window'],
};
const AGGREGATES: readonly WindowAggregate[] = ['count', 'sum', 'mean', 'min', 'max', 'std'];

/**
 * Validates feature definitions (plain JSON, e.g. read back from a file) and resolves names and durations.
 * Throws `INVALID_OPTION` naming the definition index and field, and the valid values, on anything unknown,
 * missing or out of range, and on duplicate output names.
 */
export function resolveFeatures(definitions: readonly unknown[]): ResolvedFeature[] {
  if (!Array.isArray(definitions) || definitions.length === 0) {
    throw new MlsdError('INVALID_OPTION', 'Feature definitions must be a non-empty array of objects with a "kind".');
  }
  const resolved = definitions.map((definition, index) => resolveOne(definition, `features[${index}]`));
  const seen = new Set<string>();
  resolved.forEach((feature, index) => {
    if (seen.has(feature.name)) {
      throw new MlsdError('INVALID_OPTION', `features[${index}] has the name "${feature.name}" already used by an earlier feature; give it a unique "name".`, {
        location: { field: `features[${index}].name` },
      });
    }
    seen.add(feature.name);
  });
  return resolved;
}

function resolveOne(raw: unknown, at: string): ResolvedFeature {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid(at, `must be an object with a "kind", got ${JSON.stringify(raw)}`);
  }
  const def = raw as Record<string, unknown>;
  const kind = def['kind'];
  if (typeof kind !== 'string' || !(kind in KEYS)) {
    throw invalid(`${at}.kind`, `is ${JSON.stringify(kind)}; valid kinds are ${Object.keys(KEYS).join(', ')}`);
  }
  const valid = KEYS[kind as FeatureDefinition['kind']];
  for (const key of Object.keys(def)) {
    if (!valid.includes(key)) throw invalid(`${at}.${key}`, `is not an option of a "${kind}" feature; valid: ${valid.join(', ')}`);
  }
  const name = def['name'] === undefined ? undefined : text(def, 'name', at);
  switch (kind as FeatureDefinition['kind']) {
    case 'column': {
      const column = text(def, 'column', at);
      return { kind: 'column', name: name ?? column, column };
    }
    case 'log1p': {
      const column = text(def, 'column', at);
      return { kind: 'log1p', name: name ?? `LOG1P_${column}`, column };
    }
    case 'calendar': {
      const flag = def['flag'];
      if (flag !== 'weekend' && flag !== 'night') throw invalid(`${at}.flag`, `is ${JSON.stringify(flag)}; valid: weekend, night`);
      const hours = def['nightHours'] ?? [0, 6];
      if (!Array.isArray(hours) || hours.length !== 2 || !hours.every((h) => Number.isInteger(h) && (h as number) >= 0 && (h as number) <= 23)) {
        throw invalid(`${at}.nightHours`, `is ${JSON.stringify(hours)}; give [fromHour, toHour], whole hours 0..23`);
      }
      const offset = def['utcOffsetMinutes'] ?? 0;
      if (typeof offset !== 'number' || !Number.isInteger(offset) || Math.abs(offset) > 18 * 60) {
        throw invalid(`${at}.utcOffsetMinutes`, `is ${JSON.stringify(offset)}; give whole minutes between -1080 and 1080`);
      }
      return {
        kind: 'calendar',
        name: name ?? (flag === 'weekend' ? 'DURING_WEEKEND' : 'DURING_NIGHT'),
        flag,
        fromHour: hours[0] as number,
        toHour: hours[1] as number,
        offsetMs: offset * 60_000,
      };
    }
    case 'window': {
      const entity = text(def, 'entity', at);
      const agg = def['agg'];
      if (typeof agg !== 'string' || !AGGREGATES.includes(agg as WindowAggregate)) {
        throw invalid(`${at}.agg`, `is ${JSON.stringify(agg)}; valid: ${AGGREGATES.join(', ')}`);
      }
      const column = agg === 'count' && def['column'] === undefined ? undefined : text(def, 'column', at);
      const windowMs = durationMs(def['window'] as never, `${at}.window`);
      // General words: a count is of the entity's events (`USER_COUNT_1D`), never of "transactions".
      const label = `${entity}_${agg.toUpperCase()}${column === undefined ? '' : `_${column}`}_${formatDuration(windowMs).toUpperCase()}`;
      return { kind: 'window', name: name ?? label, entity, column, agg: agg as WindowAggregate, windowMs };
    }
    case 'ratio-to-window-mean': {
      const entity = text(def, 'entity', at);
      const column = text(def, 'column', at);
      const windowMs = durationMs(def['window'] as never, `${at}.window`);
      const label = `${column}_TO_${entity}_MEAN_${formatDuration(windowMs).toUpperCase()}`;
      return { kind: 'ratio-to-window-mean', name: name ?? label, entity, column, windowMs };
    }
    case 'delayed-label': {
      const entity = text(def, 'entity', at);
      const label = text(def, 'label', at);
      const windowMs = durationMs(def['window'] as never, `${at}.window`);
      const delayMs = durationMs(def['delay'] as never, `${at}.delay`);
      const output = def['output'];
      if (output !== 'count' && output !== 'rate') throw invalid(`${at}.output`, `is ${JSON.stringify(output)}; valid: count, rate`);
      const suffix = formatDuration(windowMs).toUpperCase();
      // General words by default (`USER_CLICKED_RATE_7D_DELAY_1H`); the Handbook preset names its own features.
      const fallback = `${entity}_${output === 'rate' ? `${label}_RATE` : 'COUNT'}_${suffix}_DELAY_${formatDuration(delayMs).toUpperCase()}`;
      return { kind: 'delayed-label', name: name ?? fallback, entity, label, windowMs, delayMs, output };
    }
  }
}

function text(def: Record<string, unknown>, key: string, at: string): string {
  const value = def[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`${at}.${key}`, `is ${JSON.stringify(value)}; give a non-empty string`);
  }
  return value;
}

function invalid(field: string, detail: string): MlsdError {
  return new MlsdError('INVALID_OPTION', `Feature definition ${field} ${detail}.`, { location: { field } });
}

/** The output names of `definitions`, in order (defaults filled in). */
export function featureNames(definitions: readonly FeatureDefinition[]): string[] {
  return resolveFeatures(definitions).map((feature) => feature.name);
}

/** The longest `window + delay` of any windowed feature, in ms (0 when there is none): how long state must live. */
export function stateHorizonMs(features: readonly ResolvedFeature[]): number {
  let horizon = 0;
  for (const feature of features) {
    if (feature.kind === 'window' || feature.kind === 'ratio-to-window-mean') horizon = Math.max(horizon, feature.windowMs);
    if (feature.kind === 'delayed-label') horizon = Math.max(horizon, feature.windowMs + feature.delayMs);
  }
  return horizon;
}
