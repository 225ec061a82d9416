import { MlsdError, SeededRandom } from '@mlsd/data';
import { checkLabelsAndScores, checkLength, checkProbabilities, rejectUnknownOptions, type Scores } from '../metrics/check-inputs.js';
import { brierUnchecked, logLossUnchecked } from '../metrics/probability-losses.js';
import { sortIndices } from '../metrics/sort-indices.js';
import { rankingMetricsInOrder } from '../metrics/threshold-counts.js';

/**
 * Any metric of labels and scores that honours per-row weights. In the bootstrap the weights are the
 * multiplicities of a resample (0, 1, 2, …), so a weight-aware metric computes exactly the metric of the
 * resampled rows. Return NaN when the metric is undefined on a resample: that replicate is skipped.
 */
export type MetricFunction = (labels: Uint8Array, scores: Scores, weights: Float64Array) => number;

/** Metrics the bootstrap knows by name; ranking ones sort the scores once for all replicates. */
export type BootstrapMetricName = 'rocAuc' | 'averagePrecision' | 'logLoss' | 'brier';

/** Options of {@link bootstrapCi} and {@link pairedBootstrap}. */
export interface BootstrapOptions {
  /** Seed of the resampling: the same seed gives the same interval. */
  readonly seed: number;
  /** Number of resamples (default 1000). */
  readonly replicates?: number;
  /** Coverage of the interval, in (0, 1) (default 0.95). */
  readonly confidence?: number;
}

/** A percentile bootstrap confidence interval. */
export interface ConfidenceInterval {
  /** The metric (or difference) on the original rows. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly confidence: number;
  /** Standard deviation of the replicate values. */
  readonly standardError: number;
  /** Replicates used. */
  readonly replicates: number;
  /** Replicates skipped because the metric was undefined on them (e.g. a resample without a positive). */
  readonly skipped: number;
}

/** The paired bootstrap of `metric(candidate) − metric(baseline)` on the same rows. */
export interface PairedDifference extends ConfidenceInterval {
  readonly baseline: number;
  readonly candidate: number;
  /** Share of replicates where the candidate's metric exceeds the baseline's (difference > 0). */
  readonly fractionAboveZero: number;
}

/**
 * A seeded percentile-bootstrap confidence interval for `metric` on (`labels`, `scores`): each replicate
 * resamples the rows with replacement (Efron & Tibshirani 1993, ch. 13) and recomputes the metric; the
 * interval is the (1 ± confidence)/2 quantiles (linear interpolation, numpy's default) of the replicates.
 */
export function bootstrapCi(
  labels: Uint8Array,
  scores: Scores,
  metric: BootstrapMetricName | MetricFunction,
  options: BootstrapOptions,
): ConfidenceInterval {
  const settings = checkOptions('bootstrapCi', options);
  const evaluate = prepareMetric(labels, scores, metric, 'scores');
  const estimate = evaluate(ones(labels.length));
  if (Number.isNaN(estimate)) throw undefinedOnAllRows(metric);
  const values = resample(labels.length, settings, (weights) => evaluate(weights));
  return summarize(estimate, values, settings);
}

/**
 * A seeded paired bootstrap of the difference `metric(candidateScores) − metric(baselineScores)`: every
 * replicate applies the same resampled rows to both models, so the interval reflects only the difference
 * between them ("is the upgrade better than the baseline, and by how much?"). For losses (log loss, Brier)
 * a negative difference means the candidate is better.
 */
export function pairedBootstrap(
  labels: Uint8Array,
  baselineScores: Scores,
  candidateScores: Scores,
  metric: BootstrapMetricName | MetricFunction,
  options: BootstrapOptions,
): PairedDifference {
  const settings = checkOptions('pairedBootstrap', options);
  checkLength('candidateScores', candidateScores.length, 'baselineScores', baselineScores.length);
  const evaluateBaseline = prepareMetric(labels, baselineScores, metric, 'baselineScores');
  const evaluateCandidate = prepareMetric(labels, candidateScores, metric, 'candidateScores');
  const all = ones(labels.length);
  const baseline = evaluateBaseline(all);
  const candidate = evaluateCandidate(all);
  if (Number.isNaN(baseline) || Number.isNaN(candidate)) throw undefinedOnAllRows(metric);
  let above = 0;
  const values = resample(labels.length, settings, (weights) => {
    const difference = evaluateCandidate(weights) - evaluateBaseline(weights);
    if (difference > 0) above++;
    return difference;
  });
  const interval = summarize(candidate - baseline, values, settings);
  return { ...interval, baseline, candidate, fractionAboveZero: interval.replicates > 0 ? above / interval.replicates : Number.NaN };
}

interface Settings {
  readonly seed: number;
  readonly replicates: number;
  readonly confidence: number;
}

function checkOptions(where: string, options: BootstrapOptions): Settings {
  rejectUnknownOptions(where, options, ['seed', 'replicates', 'confidence']);
  const replicates = options.replicates ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isFinite(options.seed)) {
    throw new MlsdError('INVALID_OPTION', `${where}: seed is ${options.seed}; pass a number so the resampling repeats.`, {
      location: { field: 'seed' },
    });
  }
  if (!Number.isInteger(replicates) || replicates < 1) {
    throw new MlsdError('INVALID_OPTION', `${where}: replicates is ${replicates}; it must be a whole number >= 1, e.g. 1000.`, {
      location: { field: 'replicates' },
    });
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new MlsdError('INVALID_OPTION', `${where}: confidence is ${confidence}; it must be in (0, 1), e.g. 0.95.`, {
      location: { field: 'confidence' },
    });
  }
  return { seed: options.seed, replicates, confidence };
}

/** Checks the inputs once and returns the metric as a function of row weights. */
function prepareMetric(
  labels: Uint8Array,
  scores: Scores,
  metric: BootstrapMetricName | MetricFunction,
  scoresArgument: string,
): (weights: Float64Array) => number {
  checkLabelsAndScores(labels, scores, scoresArgument);
  if (typeof metric === 'function') return (weights) => metric(labels, scores, weights);
  switch (metric) {
    case 'rocAuc':
    case 'averagePrecision': {
      const order = sortIndices(scores, 'descending');
      return (weights) => rankingMetricsInOrder(labels, scores, order, weights)[metric];
    }
    case 'logLoss':
      checkProbabilities(scores, scoresArgument);
      return (weights) => logLossUnchecked(labels, scores, weights);
    case 'brier':
      checkProbabilities(scores, scoresArgument);
      return (weights) => brierUnchecked(labels, scores, weights);
    default:
      throw new MlsdError(
        'INVALID_OPTION',
        `Unknown bootstrap metric "${String(metric)}"; use rocAuc, averagePrecision, logLoss, brier or a function.`,
        { location: { field: 'metric' } },
      );
  }
}

/** Runs the replicates: multiplicities of n draws with replacement, then the statistic; NaN results are dropped. */
function resample(n: number, settings: Settings, statistic: (weights: Float64Array) => number): Float64Array {
  const random = new SeededRandom(settings.seed);
  const weights = new Float64Array(n);
  const values = new Float64Array(settings.replicates);
  let kept = 0;
  for (let r = 0; r < settings.replicates; r++) {
    weights.fill(0);
    for (let i = 0; i < n; i++) weights[random.nextInt(n)]!++;
    const value = statistic(weights);
    if (!Number.isNaN(value)) values[kept++] = value;
  }
  return values.slice(0, kept);
}

function summarize(estimate: number, values: Float64Array, settings: Settings): ConfidenceInterval {
  const sorted = values.slice().sort();
  const alpha = (1 - settings.confidence) / 2;
  let mean = 0;
  for (const v of sorted) mean += v;
  mean /= Math.max(sorted.length, 1);
  let squares = 0;
  for (const v of sorted) squares += (v - mean) * (v - mean);
  return {
    estimate,
    lower: quantile(sorted, alpha),
    upper: quantile(sorted, 1 - alpha),
    confidence: settings.confidence,
    standardError: sorted.length > 1 ? Math.sqrt(squares / (sorted.length - 1)) : Number.NaN,
    replicates: sorted.length,
    skipped: settings.replicates - sorted.length,
  };
}

/** The q-quantile of ascending `sorted` with linear interpolation (numpy's default); NaN when empty. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

function undefinedOnAllRows(metric: BootstrapMetricName | MetricFunction): MlsdError {
  const name = typeof metric === 'function' ? metric.name || 'the metric' : metric;
  return new MlsdError(
    'INVALID_INPUT',
    `${name} is undefined on the given rows (NaN), e.g. the labels hold a single class or no row; bootstrap rows where it is defined.`,
    { location: { field: 'labels' } },
  );
}

function ones(n: number): Float64Array {
  return new Float64Array(n).fill(1);
}
