import { MlsdError, type DenseMatrix } from '@mlsd/data';
import { binProportions } from '../profile/bin-proportions.js';
import { sortedFinite } from '../profile/quantile.js';
import type { DistributionProfile, ReferenceProfile } from '../profile/reference-profile.js';
import { resolveDriftThresholds, type DriftThresholdOptions, type DriftThresholds, type ThresholdPair } from './drift-thresholds.js';
import { jensenShannonDivergence } from './jensen-shannon.js';
import { ksAgainstQuantiles, ksPValue } from './kolmogorov-smirnov.js';
import { populationStabilityIndex } from './population-stability-index.js';
import { wassersteinAgainstQuantiles } from './wasserstein.js';

/** How far a distribution has moved: `ok` below every warn level, `warn`, or `alert` at or above an alert level. */
export type DriftStatus = 'ok' | 'warn' | 'alert';

/** One statistic's value (null when it cannot be computed, e.g. an empty window) and its status. */
export interface StatisticDrift {
  readonly value: number | null;
  readonly status: DriftStatus;
}

/** Every drift statistic of one feature (or the score) in a live window against its reference profile. */
export interface DistributionDrift {
  /** The worst status over the statistics below. */
  readonly status: DriftStatus;
  /** Finite (non-missing) values in the window. */
  readonly count: number;
  /** Population stability index over the reference quantile bins (natural log, empty bins floored at 1e-4). */
  readonly psi: StatisticDrift;
  /** `value` is the KS statistic D against the reference sketch; `pValue` its asymptotic two-sided p-value. */
  readonly ks: StatisticDrift & { readonly pValue: number | null };
  /** `value` is the Jensen–Shannon distance (base 2, in [0, 1]); `divergence` its square. */
  readonly jensenShannon: StatisticDrift & { readonly divergence: number | null };
  /**
   * `value` is W₁ / `scale`, the distance in reference standard deviations (a location shift by δ std gives δ);
   * `scale` is the reference std (1 for a constant reference); `distance` is W₁ in the feature's units.
   */
  readonly wasserstein: StatisticDrift & { readonly distance: number | null; readonly scale: number };
  /** `value` is |window - reference| missing rate. */
  readonly missingRate: StatisticDrift & { readonly reference: number; readonly window: number };
  /** The window's share in each reference bin (same bins as the profile's `proportions`), for charts. */
  readonly windowProportions: readonly number[];
}

/** The drift of a live window against a {@link ReferenceProfile}: what `GET /v1/monitoring` shows under `drift`. */
export interface DriftReport {
  readonly kind: 'mlsd-drift-report';
  readonly schemaVersion: 1;
  /** Rows in the window. */
  readonly windowSize: number;
  /** The worst status over all features and the score. */
  readonly status: DriftStatus;
  /** One entry per profiled feature, keyed by its name (e.g. `TX_AMOUNT`). */
  readonly features: Readonly<Record<string, DistributionDrift>>;
  /** The prediction score's drift, when both the profile and the window have scores. */
  readonly score?: DistributionDrift;
  /** Names of the features (and `score`) whose status is not `ok`, worst first. */
  readonly drifted: readonly string[];
  readonly thresholds: DriftThresholds;
}

/** A live window: feature rows (columns matched to the profile by name) and, optionally, the model's scores. */
export interface DriftWindow {
  readonly features: DenseMatrix;
  readonly scores?: ArrayLike<number>;
}

/**
 * Compares a live window to a reference profile: for every profiled feature (by name) and the score, PSI,
 * KS (+ p-value), Jensen–Shannon and relative Wasserstein, each with a status from `options.thresholds`
 * (defaults: {@link DEFAULT_DRIFT_THRESHOLDS}). Pure. Throws `SCHEMA_MISMATCH` naming the profiled features the
 * window lacks; extra window columns are ignored.
 */
export function compareToProfile(
  profile: ReferenceProfile,
  window: DriftWindow,
  options: { readonly thresholds?: DriftThresholdOptions | DriftThresholds } = {},
): DriftReport {
  const thresholds = resolveDriftThresholds(options.thresholds);
  const { features: matrix } = window;
  const index = new Map<string, number>();
  matrix.featureNames.forEach((name, c) => index.set(name, c));
  const missing = profile.features.filter((f) => !index.has(f.name)).map((f) => f.name);
  if (missing.length > 0) {
    throw new MlsdError(
      'SCHEMA_MISMATCH',
      `compareToProfile: the window lacks profiled feature(s) ${missing.join(', ')}; it has ${matrix.featureNames.join(', ')}. ` +
        'Pass the same feature columns the model was profiled on.',
      { location: { column: missing[0]! } },
    );
  }
  if (window.scores !== undefined && window.scores.length !== matrix.rows) {
    throw new MlsdError('INVALID_INPUT', `compareToProfile: the window has ${matrix.rows} rows but ${window.scores.length} scores; pass one score per row.`, {
      location: { field: 'scores' },
    });
  }
  const column = new Float64Array(matrix.rows);
  const entries: [string, DistributionDrift][] = [];
  for (const feature of profile.features) {
    const c = index.get(feature.name)!;
    for (let r = 0; r < matrix.rows; r++) column[r] = matrix.data[r * matrix.cols + c]!;
    entries.push([feature.name, compareDistribution(feature, column, thresholds)]);
  }
  const score = profile.score !== undefined && window.scores !== undefined ? compareDistribution(profile.score, window.scores, thresholds) : undefined;
  return assembleDriftReport(entries, score, matrix.rows, thresholds);
}

/**
 * Builds a {@link DriftReport} from per-feature results computed separately (e.g. one feature per event-loop
 * turn, as the serving monitor does): overall status, `drifted` names worst first, features keyed by name.
 */
export function assembleDriftReport(
  features: readonly (readonly [string, DistributionDrift])[],
  score: DistributionDrift | undefined,
  windowSize: number,
  thresholds: DriftThresholds,
): DriftReport {
  const all: (readonly [string, DistributionDrift])[] = score === undefined ? [...features] : [...features, ['score', score]];
  const drifted = all
    .filter(([, d]) => d.status !== 'ok')
    .sort((a, b) => rank(b[1].status) - rank(a[1].status))
    .map(([name]) => name);
  const report: DriftReport = {
    kind: 'mlsd-drift-report',
    schemaVersion: 1,
    windowSize,
    status: all.reduce<DriftStatus>((worst, [, d]) => worse(worst, d.status), 'ok'),
    features: Object.fromEntries(features),
    drifted,
    thresholds,
  };
  return score === undefined ? report : { ...report, score };
}

/**
 * The drift of one sample (`values`, NaN = missing) against one {@link DistributionProfile}: the statistics of
 * {@link compareToProfile} for a single column. Statistics that need values on both sides are null (status `ok`)
 * when the window or the reference has none.
 */
export function compareDistribution(
  reference: DistributionProfile,
  values: ArrayLike<number>,
  thresholds: DriftThresholds = resolveDriftThresholds(),
): DistributionDrift {
  const sorted = sortedFinite(values);
  const windowMissing = values.length === 0 ? 0 : (values.length - sorted.length) / values.length;
  const missingChange = Math.abs(windowMissing - reference.missingRate);
  const comparable = sorted.length > 0 && reference.count > 0;
  const proportions = binProportions(reference.edges, sorted);
  const psi = comparable ? populationStabilityIndex(reference.proportions, proportions) : null;
  const ks = comparable ? ksAgainstQuantiles(reference.quantiles, sorted, reference.levels) : null;
  const divergence = comparable ? jensenShannonDivergence(reference.proportions, proportions) : null;
  const distance = comparable ? wassersteinAgainstQuantiles(reference.quantiles, sorted, reference.levels) : null;
  // The std, not the IQR: the IQR is 0 or tiny for zero-inflated features (most values 0), where the same
  // distribution's sampling noise then reads as a huge relative distance. W₁ and the std weigh the tails alike.
  const scale = reference.std > 0 ? reference.std : 1;
  const result = {
    count: sorted.length,
    psi: statistic(psi, thresholds.psi),
    ks: { ...statistic(ks, thresholds.ks), pValue: ks === null ? null : ksPValue(ks, sorted.length, reference.count) },
    jensenShannon: { ...statistic(divergence === null ? null : Math.sqrt(divergence), thresholds.jensenShannon), divergence },
    wasserstein: { ...statistic(distance === null ? null : distance / scale, thresholds.wasserstein), distance, scale },
    missingRate: { ...statistic(missingChange, thresholds.missingRate), reference: reference.missingRate, window: windowMissing },
    windowProportions: Array.from(proportions),
  };
  const status = [result.psi, result.ks, result.jensenShannon, result.wasserstein, result.missingRate].reduce<DriftStatus>(
    (worst, s) => worse(worst, s.status),
    'ok',
  );
  return { status, ...result };
}

function statistic(value: number | null, levels: ThresholdPair): StatisticDrift {
  if (value === null || Number.isNaN(value)) return { value: null, status: 'ok' };
  return { value, status: value >= levels.alert ? 'alert' : value >= levels.warn ? 'warn' : 'ok' };
}

function rank(status: DriftStatus): number {
  return status === 'alert' ? 2 : status === 'warn' ? 1 : 0;
}

function worse(a: DriftStatus, b: DriftStatus): DriftStatus {
  return rank(b) > rank(a) ? b : a;
}
