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

/** Operation codes of a {@link PlanStep}. */
const Op = {
  Column: 0,
  Log1p: 1,
  Weekend: 2,
  Night: 3,
  Count: 4,
  Sum: 5,
  Mean: 6,
  Min: 7,
  Max: 8,
  Std: 9,
  Ratio: 10,
  DelayedCount: 11,
  DelayedRate: 12,
} as const;
type Op = (typeof Op)[keyof typeof Op];

/**
 * A {@link FeaturePlan} flattened to one object shape with numbers only: the per-event loop reads the same
 * properties of the same hidden class for every feature (the union of definition shapes made every read
 * megamorphic, which cost microseconds per event).
 */
export interface PlanStep {
  readonly op: Op;
  /** Pass-through field index (column, log1p), else -1. */
  readonly field: number;
  /** Entity index (windows, delayed labels), else -1. */
  readonly entity: number;
  /** Index of the value among the entity's stored values, -1 for counts and non-window steps. */
  readonly value: number;
  readonly windowMs: number;
  readonly delayMs: number;
  readonly offsetMs: number;
  readonly fromHour: number;
  readonly toHour: number;
  /** Bound (index into {@link PlanSteps.bounds}) where the step's window starts, -1 when it has none. */
  readonly lo: number;
  /** Bound where a delayed window ends, -1 for windows ending at the current event. */
  readonly hi: number;
}

/**
 * A history position to find per event: the first event of entity `entity` with time > `(time - a) - b` (the
 * executors' exact arithmetic). Windows of the same entity share bounds (the count and mean of one window, the
 * delayed windows' common end), so each is searched once per event.
 */
interface Bound {
  readonly entity: number;
  readonly a: number;
  readonly b: number;
}

/** The flattened steps of an executor with their shared bounds (and scratch for the found positions). */
export interface PlanSteps {
  readonly steps: readonly PlanStep[];
  readonly bounds: readonly Bound[];
  readonly found: Int32Array;
}

/** Flattens plans into {@link PlanStep}s with shared bounds, once per executor. */
export function planSteps(plans: readonly FeaturePlan[]): PlanSteps {
  const bounds: Bound[] = [];
  const bound = (entity: number, a: number, b: number): number => {
    const index = bounds.findIndex((x) => x.entity === entity && x.a === a && x.b === b);
    return index >= 0 ? index : bounds.push({ entity, a, b }) - 1;
  };
  const steps = plans.map((plan): PlanStep => {
    const step = { op: Op.Column as Op, field: -1, entity: -1, value: -1, windowMs: 0, delayMs: 0, offsetMs: 0, fromHour: 0, toHour: 0, lo: -1, hi: -1 };
    const feature = plan.feature;
    switch (feature.kind) {
      case 'column':
      case 'log1p':
        return { ...step, op: feature.kind === 'column' ? Op.Column : Op.Log1p, field: (plan as { field: number }).field };
      case 'calendar':
        return {
          ...step,
          op: feature.flag === 'weekend' ? Op.Weekend : Op.Night,
          offsetMs: feature.offsetMs,
          fromHour: feature.fromHour,
          toHour: feature.toHour,
        };
      case 'window':
      case 'ratio-to-window-mean': {
        const { entity, value } = plan as { entity: number; value: number };
        const op = feature.kind === 'ratio-to-window-mean' ? Op.Ratio : WINDOW_OPS[feature.agg];
        return { ...step, op, entity, value: op === Op.Count ? -1 : value, windowMs: feature.windowMs, lo: bound(entity, feature.windowMs, 0) };
      }
      case 'delayed-label': {
        const entity = (plan as { entity: number }).entity;
        return {
          ...step,
          op: feature.output === 'count' ? Op.DelayedCount : Op.DelayedRate,
          entity,
          windowMs: feature.windowMs,
          delayMs: feature.delayMs,
          lo: bound(entity, feature.delayMs, feature.windowMs),
          hi: bound(entity, feature.delayMs, 0),
        };
      }
    }
  });
  return { steps, bounds, found: new Int32Array(bounds.length) };
}

const WINDOW_OPS = { count: Op.Count, sum: Op.Sum, mean: Op.Mean, min: Op.Min, max: Op.Max, std: Op.Std } as const;

/**
 * The feature vector of one event from the state before it: `histories[e]` holds entity e's earlier events (up to
 * the event's time), `entityValues[e]` the event's own values for entity e, `fields[f]` its pass-through values.
 * Window sums run over the history in event order and add the current event last: the same order as the offline
 * sweep, so `std` gives identical bits and sums agree to rounding.
 */
export function historyFeatures(
  plan: PlanSteps,
  time: number,
  fields: readonly number[],
  entityValues: readonly (readonly number[])[],
  histories: readonly EntityHistory[],
  out: Float64Array,
): Float64Array {
  const { steps, bounds, found } = plan;
  for (let b = 0; b < bounds.length; b++) {
    const bound = bounds[b]!;
    found[b] = firstAfter(histories[bound.entity]!, time - bound.a - bound.b);
  }
  for (let f = 0; f < steps.length; f++) {
    const step = steps[f]!;
    const op = step.op;
    if (op === Op.Column) out[f] = fields[step.field]!;
    else if (op === Op.Log1p) out[f] = Math.log1p(fields[step.field]!);
    else if (op === Op.Weekend) out[f] = weekendFlag(time, step.offsetMs);
    else if (op === Op.Night) out[f] = nightFlag(time, step.offsetMs, step.fromHour, step.toHour);
    else if (op === Op.DelayedCount || op === Op.DelayedRate) {
      const history = histories[step.entity]!;
      const lo = found[step.lo]!;
      const hi = found[step.hi]!;
      const count = hi - lo;
      if (op === Op.DelayedCount) out[f] = count;
      else {
        let frauds = 0;
        const labels = history.labels;
        for (let j = lo; j < hi; j++) frauds += labels[j]!;
        out[f] = count === 0 ? 0 : frauds / count;
      }
    } else {
      const history = histories[step.entity]!;
      const start = found[step.lo]!;
      const count = history.to - start + 1;
      if (op === Op.Count) out[f] = count;
      else {
        const x = entityValues[step.entity]![step.value]!;
        const value = aggregate(op, history.values[step.value]!, start, history.to, x, count);
        out[f] = op !== Op.Ratio ? value : value === 0 ? 0 : x / value;
      }
    }
  }
  return out;
}

/** `Op.Ratio` returns the window mean (the caller divides). */
function aggregate(op: Op, values: Float64Array, from: number, to: number, x: number, count: number): number {
  switch (op) {
    case Op.Sum:
    case Op.Mean:
    case Op.Ratio: {
      let sum = 0;
      for (let j = from; j < to; j++) sum += values[j]!;
      sum += x;
      return op === Op.Sum ? sum : sum / count;
    }
    case Op.Min: {
      let min = x;
      for (let j = from; j < to; j++) if (values[j]! < min) min = values[j]!;
      return min;
    }
    case Op.Max: {
      let max = x;
      for (let j = from; j < to; j++) if (values[j]! > max) max = values[j]!;
      return max;
    }
    default: {
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
