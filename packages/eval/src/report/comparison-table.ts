import { MlsdError } from '@mlsd/data';
import { pairedBootstrapMany, type PairedDifference } from '../bootstrap/bootstrap.js';
import { rejectUnknownOptions } from '../metrics/check-inputs.js';
import { summarizeScores, type ScoreSummary } from '../metrics/score-summary.js';
import { pooledPredictions, type ValidationResult } from '../validation/validation-runner.js';

/** Options of {@link compareModels}. */
export interface ComparisonOptions {
  /** Seed of the paired bootstrap. */
  readonly seed: number;
  /** Bootstrap resamples (default 500). */
  readonly replicates?: number;
  /** Coverage of the intervals (default 0.95). */
  readonly confidence?: number;
}

/** One model's line of the comparison. */
export interface ComparisonRow {
  readonly model: string;
  readonly isBaseline: boolean;
  /** Metrics on the pooled test rows of all folds. */
  readonly metrics: ScoreSummary;
  /** Fit and predict seconds summed over folds. */
  readonly fitSeconds: number;
  readonly predictSeconds: number;
  /** Paired-bootstrap difference to the baseline (this model − baseline); null on the baseline's row. */
  readonly versusBaseline: { readonly averagePrecision: PairedDifference; readonly rocAuc: PairedDifference } | null;
}

/** The comparison of every model with the baseline, ready to print as JSON or Markdown. */
export interface ComparisonTable {
  readonly baseline: string;
  readonly folds: readonly string[];
  readonly seed: number;
  readonly replicates: number;
  readonly confidence: number;
  readonly rows: readonly ComparisonRow[];
}

/**
 * Compares every model with the baseline (the first model of the validation): metrics on the pooled test rows
 * of all folds, summed timings, and the seeded paired-bootstrap difference of average precision and ROC AUC
 * with its interval, resampling the same rows for both models.
 */
export function compareModels(result: ValidationResult, options: ComparisonOptions): ComparisonTable {
  rejectUnknownOptions('compareModels', options, ['seed', 'replicates', 'confidence']);
  const replicates = options.replicates ?? 500;
  const confidence = options.confidence ?? 0.95;
  const bootstrap = { seed: options.seed, replicates, confidence };
  const baselineName = result.models[0];
  if (baselineName === undefined) throw new MlsdError('INVALID_INPUT', 'The validation result has no model to compare.', { location: { field: 'models' } });
  const baseline = pooledPredictions(result, baselineName);
  const labels = Uint8Array.from(baseline.rows, (r) => result.columns.y[r]!);
  const rows = result.models.map((model): ComparisonRow => {
    const pooled = pooledPredictions(result, model);
    const evaluations = result.evaluations.filter((e) => e.model === model);
    const { groupIds, days, amounts } = result.columns;
    const metrics = summarizeScores(
      {
        labels,
        scores: pooled.scores,
        ...(groupIds !== undefined && days !== undefined
          ? { groupIds: Float64Array.from(pooled.rows, (r) => groupIds[r]!), days: Float64Array.from(pooled.rows, (r) => days[r]!) }
          : {}),
        ...(amounts === undefined ? {} : { amounts: Float64Array.from(pooled.rows, (r) => amounts[r]!) }),
      },
      result.metricOptions,
    );
    const isBaseline = model === baselineName;
    const [averagePrecision, rocAuc] = isBaseline ? [] : pairedBootstrapMany(labels, baseline.scores, pooled.scores, ['averagePrecision', 'rocAuc'], bootstrap);
    return {
      model,
      isBaseline,
      metrics,
      fitSeconds: evaluations.reduce((s, e) => s + e.fitSeconds, 0),
      predictSeconds: evaluations.reduce((s, e) => s + e.predictSeconds, 0),
      versusBaseline: averagePrecision === undefined || rocAuc === undefined ? null : { averagePrecision, rocAuc },
    };
  });
  return { baseline: baselineName, folds: result.folds, seed: options.seed, replicates, confidence, rows };
}

/**
 * The column headers and formatted cells of a comparison, shared by the Markdown and HTML renderings. The group
 * precision column (`group P@k`, cards in the fraud example) appears only when the data had groups.
 */
export function comparisonCells(table: ComparisonTable): { headers: string[]; rows: string[][] } {
  const level = `${Math.round(table.confidence * 100)}%`;
  const k = table.rows[0]?.metrics.k ?? 100;
  const grouped = table.rows.some((r) => r.metrics.groupPrecisionAtK !== null);
  const headers = ['model', 'ROC AUC', `Δ AUC [${level} CI]`, 'AP', `Δ AP [${level} CI]`, `group P@${k}`, 'log loss', 'Brier', 'fit s', 'predict s'];
  const cells = table.rows.map((r) => [
    r.isBaseline ? `${r.model} (baseline)` : r.model,
    fixed(r.metrics.rocAuc),
    r.versusBaseline === null ? '—' : difference(r.versusBaseline.rocAuc),
    fixed(r.metrics.averagePrecision),
    r.versusBaseline === null ? '—' : difference(r.versusBaseline.averagePrecision),
    fixed(r.metrics.groupPrecisionAtK),
    fixed(r.metrics.logLoss),
    fixed(r.metrics.brier),
    r.fitSeconds.toFixed(2),
    r.predictSeconds.toFixed(3),
  ]);
  if (grouped) return { headers, rows: cells };
  const keep = (_: string, i: number): boolean => i !== 5;
  return { headers: headers.filter(keep), rows: cells.map((row) => row.filter(keep)) };
}

/** The comparison as a GitHub-flavoured Markdown table, baseline first, with a line on how to read it. */
export function comparisonMarkdown(table: ComparisonTable): string {
  const { headers, rows } = comparisonCells(table);
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    line(headers),
    line(headers.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map(line),
    '',
    `Metrics on the pooled test rows of ${table.folds.length} fold(s). Δ = model − ${table.baseline}, paired bootstrap ` +
      `(${table.replicates} resamples, seed ${table.seed}); an interval above 0 means the model beats the baseline.`,
    '',
  ].join('\n');
}

function fixed(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4);
}

function difference(d: PairedDifference): string {
  const sign = (v: number): string => (v >= 0 ? '+' : '') + v.toFixed(4);
  return `${sign(d.estimate)} [${sign(d.lower)}, ${sign(d.upper)}]`;
}
