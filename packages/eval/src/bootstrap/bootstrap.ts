import { MlsdError, SeededRandom } from '@mlsd/data';
import { checkLabelsAndScores, checkLength, checkProbabilities, rejectUnknownOptions, type Scores } from '../metrics/check-inputs.js';
import { brierUnchecked, logLossUnchecked } from '../metrics/probability-losses.js';
import { rankingMetrics, rankRows } from '../metrics/threshold-counts.js';

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
export function bootstrapCi(labels: Uint8Array, scores: Scores, metric: BootstrapMetricName | MetricFunction, options: BootstrapOptions): ConfidenceInterval {
  const settings = checkOptions('bootstrapCi', options);
  const evaluate = prepareMetrics(labels, scores, [metric], 'scores');
  const estimate = evaluate(ones(labels.length))[0]!;
  if (Number.isNaN(estimate)) throw undefinedOnAllRows(metric);
  const values = new Float64Array(settings.replicates);
  let kept = 0;
  resample(labels.length, settings, (weights) => {
    const value = evaluate(weights)[0]!;
    if (!Number.isNaN(value)) values[kept++] = value;
  });
  return summarize(estimate, values.slice(0, kept), settings);
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
  return pairedBootstrapMany(labels, baselineScores, candidateScores, [metric], options)[0]!;
}

/**
 * {@link pairedBootstrap} for several metrics on the same resamples, in one run: ROC AUC and average precision
 * share one pass per model and resample. Returns one result per metric, in order.
 */
export function pairedBootstrapMany(
  labels: Uint8Array,
  baselineScores: Scores,
  candidateScores: Scores,
  metrics: readonly (BootstrapMetricName | MetricFunction)[],
  options: BootstrapOptions,
): PairedDifference[] {
  const settings = checkOptions('pairedBootstrap', options);
  checkLength('candidateScores', candidateScores.length, 'baselineScores', baselineScores.length);
  const evaluateBaseline = prepareMetrics(labels, baselineScores, metrics, 'baselineScores');
  const evaluateCandidate = prepareMetrics(labels, candidateScores, metrics, 'candidateScores');
  const all = ones(labels.length);
  const baseline = evaluateBaseline(all).slice();
  const candidate = evaluateCandidate(all).slice();
  metrics.forEach((metric, m) => {
    if (Number.isNaN(baseline[m]!) || Number.isNaN(candidate[m]!)) throw undefinedOnAllRows(metric);
  });
  const count = metrics.length;
  const differences = metrics.map(() => new Float64Array(settings.replicates));
  const kept = new Int32Array(count);
  const above = new Int32Array(count);
  resample(labels.length, settings, (weights) => {
    const b = evaluateBaseline(weights);
    const c = evaluateCandidate(weights);
    for (let m = 0; m < count; m++) {
      const difference = c[m]! - b[m]!;
      if (Number.isNaN(difference)) continue;
      differences[m]![kept[m]!++] = difference;
      if (difference > 0) above[m]!++;
    }
  });
  return metrics.map((_, m) => {
    const interval = summarize(candidate[m]! - baseline[m]!, differences[m]!.slice(0, kept[m]!), settings);
    return {
      ...interval,
      baseline: baseline[m]!,
      candidate: candidate[m]!,
      fractionAboveZero: interval.replicates > 0 ? above[m]! / interval.replicates : Number.NaN,
    };
  });
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

/**
 * Checks the inputs once and returns the metrics as one function of row weights (a value per metric, NaN
 * where undefined). ROC AUC and AP come from one shared pass over the rows ranked once.
 */
function prepareMetrics(
  labels: Uint8Array,
  scores: Scores,
  metrics: readonly (BootstrapMetricName | MetricFunction)[],
  scoresArgument: string,
): (weights: Float64Array) => Float64Array {
  checkLabelsAndScores(labels, scores, scoresArgument);
  let ranked: ReturnType<typeof rankRows> | undefined;
  let probabilitiesChecked = false;
  for (const metric of metrics) {
    if (typeof metric === 'function') continue;
    if (metric === 'rocAuc' || metric === 'averagePrecision') ranked ??= rankRows(labels, scores);
    else if (metric === 'logLoss' || metric === 'brier') {
      if (!probabilitiesChecked) checkProbabilities(scores, scoresArgument);
      probabilitiesChecked = true;
    } else {
      throw new MlsdError('INVALID_OPTION', `Unknown bootstrap metric "${String(metric)}"; use rocAuc, averagePrecision, logLoss, brier or a function.`, {
        location: { field: 'metric' },
      });
    }
  }
  const out = new Float64Array(metrics.length);
  return (weights) => {
    const ranking = ranked === undefined ? undefined : rankingMetrics(ranked, weights);
    for (let m = 0; m < metrics.length; m++) {
      const metric = metrics[m]!;
      if (typeof metric === 'function') out[m] = metric(labels, scores, weights);
      else if (metric === 'rocAuc' || metric === 'averagePrecision') out[m] = ranking![metric];
      else if (metric === 'logLoss') out[m] = logLossUnchecked(labels, scores, weights);
      else out[m] = brierUnchecked(labels, scores, weights);
    }
    return out;
  };
}

/** Runs the replicates: each draws n rows with replacement (as multiplicities) and calls `replicate`. */
function resample(n: number, settings: Settings, replicate: (weights: Float64Array) => void): void {
  const random = new SeededRandom(settings.seed);
  const weights = new Float64Array(n);
  for (let r = 0; r < settings.replicates; r++) {
    weights.fill(0);
    for (let i = 0; i < n; i++) weights[random.nextInt(n)]!++;
    replicate(weights);
  }
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
