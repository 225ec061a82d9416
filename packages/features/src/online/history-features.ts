import { nightFlag, weekendFlag } from '../definitions/calendar-flag.js';
import type { ResolvedFeature } from '../definitions/resolve-features.js';
import type { EntityHistory } from './state-store.js';

/** Where each feature finds its inputs in an event and in the entity histories (see `OnlineFeatureExecutor`). */
export type FeaturePlan =
  | { readonly feature: Extract<ResolvedFeature, { kind: 'column' | 'log1p' }>; readonly field: number }
  | { readonly feature: Extract<ResolvedFeature, { kind: 'calendar' }> }
  | {
      readonly feature: Extract<ResolvedFeature, { kind: 'window' | 'ratio-to-window-mean' }>;
      readonly entity: number;
      /** Index of the column among the entity's stored values, -1 for `count`. */
      readonly value: number;
    }
  | { readonly feature: Extract<ResolvedFeature, { kind: 'delayed-label' }>; readonly entity: number };

/**
 * The feature vector of one event from the state before it: `histories[e]` holds entity e's earlier events (up to
 * the event's time), `entityValues[e]` the event's own values for entity e, `fields[f]` its pass-through values.
 * Window sums run over the history in event order and add the current event last: the same order as the offline
 * sweep, so `std` gives identical bits and sums agree to rounding.
 */
export function historyFeatures(
  plans: readonly FeaturePlan[],
  time: number,
  fields: readonly number[],
  entityValues: readonly (readonly number[])[],
  histories: readonly EntityHistory[],
  out: Float64Array,
): Float64Array {
  for (let f = 0; f < plans.length; f++) {
    const plan = plans[f]!;
    const feature = plan.feature;
    switch (feature.kind) {
      case 'column':
        out[f] = fields[(plan as { field: number }).field]!;
        break;
      case 'log1p':
        out[f] = Math.log1p(fields[(plan as { field: number }).field]!);
        break;
      case 'calendar':
        out[f] =
          feature.flag === 'weekend'
            ? weekendFlag(time, feature.offsetMs)
            : nightFlag(time, feature.offsetMs, feature.fromHour, feature.toHour);
        break;
      case 'window':
      case 'ratio-to-window-mean': {
        const { entity, value } = plan as { entity: number; value: number };
        const history = histories[entity]!;
        const start = firstAfter(history, time - feature.windowMs);
        const count = history.to - start + 1;
        const agg = feature.kind === 'window' ? feature.agg : 'mean';
        if (agg === 'count') {
          out[f] = count;
          break;
        }
        const values = history.values[value]!;
        const x = entityValues[entity]![value]!;
        out[f] = aggregate(agg, values, start, history.to, x, count);
        if (feature.kind === 'ratio-to-window-mean') out[f] = out[f] === 0 ? 0 : x / out[f]!;
        break;
      }
      case 'delayed-label': {
        const history = histories[(plan as { entity: number }).entity]!;
        const to = time - feature.delayMs;
        const lo = firstAfter(history, to - feature.windowMs);
        const hi = firstAfter(history, to);
        let frauds = 0;
        for (let j = lo; j < hi; j++) frauds += history.labels[j]!;
        const count = hi - lo;
        out[f] = feature.output === 'count' ? count : count === 0 ? 0 : frauds / count;
        break;
      }
    }
  }
  return out;
}

function aggregate(agg: 'sum' | 'mean' | 'min' | 'max' | 'std', values: Float64Array, from: number, to: number, x: number, count: number): number {
  switch (agg) {
    case 'sum':
    case 'mean': {
      let sum = 0;
      for (let j = from; j < to; j++) sum += values[j]!;
      sum += x;
      return agg === 'sum' ? sum : sum / count;
    }
    case 'min': {
      let min = x;
      for (let j = from; j < to; j++) if (values[j]! < min) min = values[j]!;
      return min;
    }
    case 'max': {
      let max = x;
      for (let j = from; j < to; j++) if (values[j]! > max) max = values[j]!;
      return max;
    }
    case 'std': {
      // Mirrors `windowStd` of the offline executor operation for operation.
      let sum = 0;
      for (let j = from; j < to; j++) sum += values[j]!;
      sum += x;
      const mean = sum / count;
      let squares = 0;
      for (let j = from; j < to; j++) {
        const d = values[j]! - mean;
        squares += d * d;
      }
      const d = x - mean;
      squares += d * d;
      return Math.sqrt(squares / count);
    }
  }
}

/** Index of the first event of `history` with time > `bound` (binary search; events are in time order). */
function firstAfter(history: EntityHistory, bound: number): number {
  let lo = history.from;
  let hi = history.to;
  const times = history.times;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
