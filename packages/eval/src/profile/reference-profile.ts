import { MlsdError, type DenseMatrix, rejectUnknownOptions } from '@mlsd/data';
import { binProportions } from './bin-proportions.js';
import { quantileSorted, sortedFinite } from './quantile.js';
import { sketchLevels, uniformLevels } from './sketch-levels.js';

/**
 * The version of the {@link ReferenceProfile} JSON format. Version 2 added `levels` (a sketch refined in the
 * tails); {@link parseReferenceProfile} still reads version 1 (uniform levels) and rejects others.
 */
export const REFERENCE_PROFILE_SCHEMA_VERSION = 2;

/**
 * The summary of one numeric distribution at training time, enough to measure drift later without the data.
 * All statistics are over the finite values; NaN (and ±Infinity) count as missing.
 */
export interface DistributionProfile {
  /** Finite (non-missing) values seen. */
  readonly count: number;
  /** Share of values that were missing (NaN or infinite), in [0, 1]. */
  readonly missingRate: number;
  readonly mean: number;
  /** Population standard deviation; the scale Wasserstein distances are divided by. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Inter-quartile range q(0.75) - q(0.25) (0 for a feature with a point mass over the middle half). */
  readonly iqr: number;
  /**
   * Inner cut points of the drift bins, ascending and distinct: the reference deciles (for `bins` = 10, taken as
   * inverse-CDF quantiles, i.e. observed values) with duplicates and cut points >= the maximum dropped, so a discrete feature gets fewer, non-empty bins.
   * Bin 0 is (-inf, edges[0]], bin i is (edges[i-1], edges[i]], the last is (edges[last], +inf).
   */
  readonly edges: readonly number[];
  /** Reference share of each bin (`edges.length + 1` values summing to 1). */
  readonly proportions: readonly number[];
  /**
   * The quantile function (type 7) sampled at the probabilities `levels`; `quantiles[0]` is the minimum and the
   * last the maximum. KS and Wasserstein against the profile interpolate linearly between these points.
   */
  readonly quantiles: readonly number[];
  /**
   * The probability of each sketch point, ascending from 0 to 1: the uniform grid k / `quantiles` option
   * (percentiles by default) refined by halving in both tail intervals until the outermost holds fewer than
   * one reference value (see `sketchLevels`), so a heavy tail is not drawn as a straight line from p99 to the
   * maximum. Same length as `quantiles`.
   */
  readonly levels: readonly number[];
}

/** The {@link DistributionProfile} of one named feature. */
export interface FeatureProfile extends DistributionProfile {
  readonly name: string;
}

/**
 * What a model's training data looked like, stored with the model (the registry keeps it as opaque JSON) and
 * compared to live traffic by `compareToProfile`. Plain JSON: `JSON.parse(JSON.stringify(p))` is equal to `p`
 * for any profile built from finite data.
 */
export interface ReferenceProfile {
  readonly kind: 'mlsd-reference-profile';
  readonly schemaVersion: number;
  /** Rows the profile was built from. */
  readonly rows: number;
  /** The `bins` option the drift bins were cut with. */
  readonly bins: number;
  /** One entry per feature column, in the matrix's column order. */
  readonly features: readonly FeatureProfile[];
  /** The profile of the model's prediction scores, when scores were given. */
  readonly score?: DistributionProfile;
}

/** Input of {@link buildReferenceProfile}. */
export interface ReferenceProfileInput {
  /** The training (or validation) feature matrix; column names become feature names. */
  readonly features: DenseMatrix;
  /** The model's scores on the same rows (length `features.rows`). */
  readonly scores?: Float64Array;
  /** Number of quantile bins for PSI and Jensen–Shannon (default 10: deciles). Integer in [2, 1000]. */
  readonly bins?: number;
  /**
   * Number of uniform quantile intervals stored for KS and Wasserstein (default 100: percentiles), before the
   * tail refinement described at {@link DistributionProfile.levels}. Integer in [2, 10000].
   */
  readonly quantiles?: number;
}

const INPUT_KEYS = ['features', 'scores', 'bins', 'quantiles'];

/**
 * Builds the reference profile of a feature matrix (and optionally the scores): per column quantile bins with
 * their proportions, a percentile sketch, moments and the missing rate. Pure; cost O(rows · cols · log rows).
 * Throws `INVALID_OPTION` for unknown keys or out-of-range `bins`/`quantiles`, `INVALID_INPUT` when `scores`
 * does not have one value per row.
 */
export function buildReferenceProfile(input: ReferenceProfileInput): ReferenceProfile {
  rejectUnknownOptions('buildReferenceProfile', input, INPUT_KEYS);
  const bins = checkInteger('bins', input.bins ?? 10, 2, 1000);
  const quantiles = checkInteger('quantiles', input.quantiles ?? 100, 2, 10000);
  const { features: matrix, scores } = input;
  if (scores !== undefined && scores.length !== matrix.rows) {
    throw new MlsdError(
      'INVALID_INPUT',
      `buildReferenceProfile: scores has ${scores.length} values but the feature matrix has ${matrix.rows} rows; ` +
        'pass the model scores of exactly these rows.',
      { location: { field: 'scores' } },
    );
  }
  const column = new Float64Array(matrix.rows);
  const features: FeatureProfile[] = [];
  for (let c = 0; c < matrix.cols; c++) {
    for (let r = 0; r < matrix.rows; r++) column[r] = matrix.data[r * matrix.cols + c]!;
    features.push({ name: matrix.featureNames[c]!, ...profileDistribution(column, { bins, quantiles }) });
  }
  const profile: ReferenceProfile = {
    kind: 'mlsd-reference-profile',
    schemaVersion: REFERENCE_PROFILE_SCHEMA_VERSION,
    rows: matrix.rows,
    bins,
    features,
  };
  return scores === undefined ? profile : { ...profile, score: profileDistribution(scores, { bins, quantiles }) };
}

/**
 * The {@link DistributionProfile} of one sample (NaN = missing), with `bins` quantile bins (default 10) and a
 * sketch of `quantiles` uniform intervals (default 100) refined in the tails. An all-missing sample gives count
 * 0, NaN moments, no edges, one bin of proportion 0 and an empty sketch.
 */
export function profileDistribution(values: ArrayLike<number>, options: { readonly bins?: number; readonly quantiles?: number } = {}): DistributionProfile {
  const bins = options.bins ?? 10;
  const quantileCount = options.quantiles ?? 100;
  const sorted = sortedFinite(values);
  const n = sorted.length;
  const missingRate = values.length === 0 ? 0 : (values.length - n) / values.length;
  if (n === 0) {
    return { count: 0, missingRate, mean: NaN, std: NaN, min: NaN, max: NaN, iqr: NaN, edges: [], proportions: [0], quantiles: [], levels: [] };
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sorted[i]! - mean) ** 2;
  const max = sorted[n - 1]!;
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    // Inverse-CDF quantiles (observed values, not interpolated ones) so a discrete feature is cut at its values.
    const edge = sorted[Math.max(0, Math.ceil((n * k) / bins) - 1)]!;
    // Distinct and below the maximum, so that no reference bin is empty by construction.
    if (edge < max && (edges.length === 0 || edge > edges[edges.length - 1]!)) edges.push(edge);
  }
  const levels = sketchLevels(quantileCount, n);
  const sketch = levels.map((p) => quantileSorted(sorted, p));
  return {
    count: n,
    missingRate,
    mean,
    std: Math.sqrt(squares / n),
    min: sorted[0]!,
    max,
    iqr: quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25),
    edges,
    proportions: Array.from(binProportions(edges, sorted)),
    quantiles: sketch,
    levels,
  };
}

/**
 * Checks that `json` (e.g. read back from the model registry) is a {@link ReferenceProfile} this version can
 * use and returns it typed. Moments of all-missing columns, which JSON writes as `null`, are turned back into NaN
 * in place, and a version-1 profile (sketch without `levels`) gets its uniform levels filled in place. Throws
 * `CORRUPT_ARTIFACT` naming the offending field otherwise.
 */
export function parseReferenceProfile(json: unknown, source = 'reference profile'): ReferenceProfile {
  const fail = (field: string, problem: string): never => {
    throw new MlsdError('CORRUPT_ARTIFACT', `${source}: field "${field}" ${problem}. Rebuild the profile with buildReferenceProfile and register it again.`, {
      location: { field },
    });
  };
  if (typeof json !== 'object' || json === null) return fail('(root)', 'is not an object');
  const profile = json as Record<string, unknown>;
  if (profile['kind'] !== 'mlsd-reference-profile') fail('kind', `is ${JSON.stringify(profile['kind'])}, expected "mlsd-reference-profile"`);
  const version = profile['schemaVersion'];
  if (version !== 1 && version !== REFERENCE_PROFILE_SCHEMA_VERSION) {
    fail('schemaVersion', `is ${JSON.stringify(version)}; this version reads 1 and ${REFERENCE_PROFILE_SCHEMA_VERSION}`);
  }
  if (!Array.isArray(profile['features'])) fail('features', 'is not an array');
  (profile['features'] as unknown[]).forEach((feature, i) => {
    if (typeof (feature as { name?: unknown } | null)?.name !== 'string') fail(`features[${i}].name`, 'is not a string');
    checkDistribution(feature, `features[${i}]`, version === 1, fail);
  });
  if (profile['score'] !== undefined) checkDistribution(profile['score'], 'score', version === 1, fail);
  return json as ReferenceProfile;
}

function checkDistribution(value: unknown, at: string, uniform: boolean, fail: (field: string, problem: string) => never): void {
  if (typeof value !== 'object' || value === null) fail(at, 'is not an object');
  const d = value as Record<string, unknown>;
  // Moments of an all-missing column are NaN, which JSON writes as null.
  for (const key of ['count', 'missingRate']) if (typeof d[key] !== 'number') fail(`${at}.${key}`, 'is not a number');
  for (const key of ['mean', 'std', 'min', 'max', 'iqr']) {
    if (typeof d[key] !== 'number' && d[key] !== null) fail(`${at}.${key}`, 'is not a number');
    if (d[key] === null) d[key] = Number.NaN;
  }
  for (const key of ['edges', 'proportions', 'quantiles']) {
    const list = d[key];
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'number')) fail(`${at}.${key}`, 'is not an array of numbers');
  }
  if ((d['proportions'] as number[]).length !== (d['edges'] as number[]).length + 1) {
    fail(`${at}.proportions`, 'must have one more entry than edges');
  }
  const points = (d['quantiles'] as number[]).length;
  if (uniform) d['levels'] = uniformLevels(points);
  const levels = d['levels'];
  if (!Array.isArray(levels) || levels.some((x) => typeof x !== 'number')) fail(`${at}.levels`, 'is not an array of numbers');
  const list = levels as number[];
  if (list.length !== points) fail(`${at}.levels`, `has ${list.length} entries but quantiles has ${points}`);
  if (points > 0 && (list[0] !== 0 || list[points - 1] !== 1 || list.some((p, k) => k > 0 && !(p > list[k - 1]!)))) {
    fail(`${at}.levels`, 'must rise strictly from 0 to 1');
  }
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MlsdError('INVALID_OPTION', `buildReferenceProfile: option "${name}" must be an integer in [${min}, ${max}], got ${String(value)}.`, {
      location: { field: name },
    });
  }
  return value;
}
