import { MlsdError, SeededRandom, type Fold } from '@mlsd/data';
import type { Classifier } from '@mlsd/models';
import { rejectUnknownOptions } from '../metrics/check-inputs.js';
import { SCORE_SUMMARY_OPTION_KEYS, type ScoreSummary, type ScoreSummaryOptions } from '../metrics/score-summary.js';
import { runValidation, type ValidationDataset } from '../validation/validation-runner.js';

/** One hyper-parameter value a search can try. */
export type ParamValue = number | string | boolean | null;

/**
 * Where a random search draws a number from: uniform on [min, max] (`log`: uniform in log space, min > 0;
 * `integer`: rounded to an integer). Grid search needs explicit value lists instead.
 */
export interface ParamRange {
  readonly min: number;
  readonly max: number;
  readonly log?: boolean;
  readonly integer?: boolean;
}

/** The search space: for every parameter, the values to try (grid and random) or a range (random only). */
export type ParamSpace = Readonly<Record<string, readonly ParamValue[] | ParamRange>>;

/** A metric of {@link ScoreSummary} a search can maximise. */
export type SearchMetric = 'averagePrecision' | 'rocAuc' | 'precisionAtK' | 'groupPrecisionAtK' | 'recallAtFpr';

/** Options of {@link searchHyperParameters}. */
export interface SearchOptions extends ScoreSummaryOptions {
  /** `'grid'`: every combination, in order; `'random'`: `candidates` seeded draws (default `'grid'`). */
  readonly strategy?: 'grid' | 'random';
  /** Random search: how many candidates to draw (default 20; a grid of fewer distinct points is tried whole). */
  readonly candidates?: number;
  /** Seed of the random draws (default 0). */
  readonly seed?: number;
  /** The metric to maximise, averaged over the folds (default `'averagePrecision'`). */
  readonly metric?: SearchMetric;
  /**
   * Wall-clock budget: no candidate is launched once this many seconds have passed (the one running then
   * finishes). The first candidate always runs. Default: no budget.
   */
  readonly budgetSeconds?: number;
  /** Milliseconds from a monotonic clock; default `performance.now`. Tests inject a fake one. */
  readonly clock?: () => number;
  /** Called after each candidate, e.g. to print progress. */
  readonly onCandidate?: (candidate: CandidateScore, index: number, planned: number) => void;
}

/** One candidate's outcome: its parameters, the metric on each fold (in fold order), their mean and std. */
export interface CandidateScore {
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The metric per fold; `null` where it is undefined (e.g. a fold without positives). */
  readonly foldScores: readonly (number | null)[];
  /** Mean over the folds where the metric is defined; `null` if it is defined on none. */
  readonly mean: number | null;
  /** Population standard deviation over the same folds (0 for one fold). */
  readonly std: number | null;
  /** Fit seconds summed over the folds. */
  readonly fitSeconds: number;
}

/** What {@link searchHyperParameters} found. */
export interface SearchResult {
  readonly strategy: 'grid' | 'random';
  readonly metric: SearchMetric;
  readonly folds: readonly string[];
  /** The best candidate tried (highest mean; the earliest on ties). */
  readonly best: CandidateScore;
  /** Every candidate tried, in launch order. */
  readonly candidates: readonly CandidateScore[];
  /** How many candidates the strategy planned and how many ran before the budget stopped the search. */
  readonly planned: number;
  readonly tried: number;
  readonly stoppedByBudget: boolean;
  readonly seconds: number;
}

const OPTION_KEYS = [...SCORE_SUMMARY_OPTION_KEYS, 'strategy', 'candidates', 'seed', 'metric', 'budgetSeconds', 'clock', 'onCandidate'] as const;
const METRICS: readonly SearchMetric[] = ['averagePrecision', 'rocAuc', 'precisionAtK', 'groupPrecisionAtK', 'recallAtFpr'];

/**
 * Model selection the Handbook's way (chapter 5): every candidate parameter set is scored by validation on
 * `folds` (prequential folds with the delay, from `@mlsd/data`), a fresh model per fold from `create(params)`,
 * and the one with the best mean metric wins. Grid search tries every combination of the value lists in order
 * (the first parameter varies slowest); random search draws `candidates` distinct points, seeded. With
 * `budgetSeconds` no candidate is launched past the budget; the best so far is returned with how many ran.
 */
export async function searchHyperParameters(
  create: (params: Readonly<Record<string, ParamValue>>) => Classifier,
  space: ParamSpace,
  data: ValidationDataset,
  folds: readonly Fold[],
  options: SearchOptions = {},
): Promise<SearchResult> {
  rejectUnknownOptions('searchHyperParameters', options, OPTION_KEYS);
  const strategy = options.strategy ?? 'grid';
  const metric = options.metric ?? 'averagePrecision';
  checkSearchOptions(strategy, metric, options);
  const plan = strategy === 'grid' ? gridPoints(space) : randomPoints(space, options.candidates ?? 20, options.seed ?? 0);
  const clock = options.clock ?? (() => performance.now());
  const metricOptions: ScoreSummaryOptions = Object.fromEntries(SCORE_SUMMARY_OPTION_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
  const start = clock();
  const candidates: CandidateScore[] = [];
  let stoppedByBudget = false;
  for (const params of plan) {
    if (candidates.length > 0 && options.budgetSeconds !== undefined && (clock() - start) / 1000 >= options.budgetSeconds) {
      stoppedByBudget = true;
      break;
    }
    const result = await runValidation([{ name: 'candidate', create: () => create(params) }], data, folds, { ...metricOptions, clock });
    const foldScores = result.evaluations.map((e) => metricValue(e.metrics, metric));
    const candidate = { params, foldScores, ...meanAndStd(foldScores), fitSeconds: result.evaluations.reduce((s, e) => s + e.fitSeconds, 0) };
    candidates.push(candidate);
    options.onCandidate?.(candidate, candidates.length - 1, plan.length);
  }
  let best = candidates[0]!;
  for (const c of candidates) if (c.mean !== null && (best.mean === null || c.mean > best.mean)) best = c;
  return {
    strategy,
    metric,
    folds: folds.map((f) => f.name),
    best,
    candidates,
    planned: plan.length,
    tried: candidates.length,
    stoppedByBudget,
    seconds: (clock() - start) / 1000,
  };
}

/** Every combination of the value lists, the first parameter varying slowest. Ranges throw (grid needs lists). */
export function gridPoints(space: ParamSpace): Record<string, ParamValue>[] {
  const names = Object.keys(space);
  const lists = names.map((name) => {
    const values = space[name]!;
    if (!Array.isArray(values)) {
      throw new MlsdError('INVALID_OPTION', `Grid search needs a list of values for "${name}", got a range; list the values or use strategy 'random'.`, {
        location: { field: name },
      });
    }
    if (values.length === 0) throw new MlsdError('INVALID_OPTION', `Parameter "${name}" has no values; give at least one.`, { location: { field: name } });
    return values as readonly ParamValue[];
  });
  let points: Record<string, ParamValue>[] = [{}];
  for (let p = 0; p < names.length; p++) {
    const next: Record<string, ParamValue>[] = [];
    for (const point of points) for (const value of lists[p]!) next.push({ ...point, [names[p]!]: value });
    points = next;
  }
  return points;
}

/**
 * `count` seeded draws from the space, without repeats: each parameter drawn uniformly from its list or range.
 * When the space has only lists and at most `count` points, the whole grid is returned in a seeded order.
 */
export function randomPoints(space: ParamSpace, count: number, seed: number): Record<string, ParamValue>[] {
  const names = Object.keys(space);
  for (const name of names) checkEntry(name, space[name]!);
  const random = new SeededRandom(seed);
  const allLists = names.every((name) => Array.isArray(space[name]));
  if (allLists) {
    const size = names.reduce((s, name) => s * (space[name] as readonly ParamValue[]).length, 1);
    if (size <= count) {
      const grid = gridPoints(space);
      const order = random.shuffle(Int32Array.from(grid, (_, i) => i));
      return Array.from(order, (i) => grid[i]!);
    }
  }
  const seen = new Set<string>();
  const points: Record<string, ParamValue>[] = [];
  // Ranges rarely repeat; lists may: cap the attempts so a small space cannot loop forever.
  for (let attempt = 0; points.length < count && attempt < count * 100; attempt++) {
    const point: Record<string, ParamValue> = {};
    for (const name of names) point[name] = draw(space[name]!, random);
    const key = JSON.stringify(point);
    if (seen.has(key)) continue;
    seen.add(key);
    points.push(point);
  }
  return points;
}

function draw(entry: readonly ParamValue[] | ParamRange, random: SeededRandom): ParamValue {
  if (Array.isArray(entry)) return entry[random.nextInt(entry.length)]!;
  const range = entry as ParamRange;
  const u = random.nextFloat();
  const value = range.log === true ? Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min))) : range.min + u * (range.max - range.min);
  return range.integer === true ? Math.min(range.max, Math.max(range.min, Math.round(value))) : value;
}

function checkEntry(name: string, entry: readonly ParamValue[] | ParamRange): void {
  if (Array.isArray(entry)) {
    if (entry.length === 0) throw new MlsdError('INVALID_OPTION', `Parameter "${name}" has no values; give at least one.`, { location: { field: name } });
    return;
  }
  const { min, max, log } = entry as ParamRange;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max || (log === true && min <= 0)) {
    throw new MlsdError(
      'INVALID_OPTION',
      `Range of "${name}" is [${min}, ${max}]${log === true ? ' (log)' : ''}; it needs finite min <= max${log === true ? ' and min > 0' : ''}.`,
      { location: { field: name } },
    );
  }
}

function checkSearchOptions(strategy: string, metric: string, options: SearchOptions): void {
  if (strategy !== 'grid' && strategy !== 'random') {
    throw new MlsdError('INVALID_OPTION', `strategy is "${strategy}"; use 'grid' or 'random'.`, { location: { field: 'strategy' } });
  }
  if (!METRICS.includes(metric as SearchMetric)) {
    throw new MlsdError('INVALID_OPTION', `metric is "${metric}"; use one of ${METRICS.join(', ')}.`, { location: { field: 'metric' } });
  }
  const { candidates, budgetSeconds } = options;
  if (candidates !== undefined && (!Number.isInteger(candidates) || candidates < 1)) {
    throw new MlsdError('INVALID_OPTION', `candidates is ${candidates}; give an integer >= 1.`, { location: { field: 'candidates' } });
  }
  if (budgetSeconds !== undefined && !(budgetSeconds >= 0)) {
    throw new MlsdError('INVALID_OPTION', `budgetSeconds is ${budgetSeconds}; give a number of seconds >= 0.`, { location: { field: 'budgetSeconds' } });
  }
}

function metricValue(summary: ScoreSummary, metric: SearchMetric): number | null {
  return summary[metric];
}

function meanAndStd(values: readonly (number | null)[]): { mean: number | null; std: number | null } {
  const defined = values.filter((v): v is number => v !== null);
  if (defined.length === 0) return { mean: null, std: null };
  const mean = defined.reduce((s, v) => s + v, 0) / defined.length;
  const variance = defined.reduce((s, v) => s + (v - mean) ** 2, 0) / defined.length;
  return { mean, std: Math.sqrt(variance) };
}
