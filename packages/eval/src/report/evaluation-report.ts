import { calibrationBins } from '../metrics/calibration-bins.js';
import { costCurve } from '../metrics/cost-threshold.js';
import { precisionRecallCurve } from '../metrics/precision-recall.js';
import { rocCurve } from '../metrics/roc.js';
import { pooledPredictions, type ValidationResult } from '../validation/validation-runner.js';
import {
  calibrationChartSpec,
  costChartSpec,
  featureImportanceChartSpec,
  foldMetricsChartSpec,
  precisionRecallChartSpec,
  rocChartSpec,
  type ModelCurve,
} from './chart-specs.js';
import { comparisonCells, type ComparisonTable } from './comparison-table.js';
import { downsampleCurve } from './downsample-curve.js';
import { htmlReport, htmlTable, type ReportSection } from './html-report.js';
import { renderVegaLiteSvg } from './render-vega-lite.js';

/** Options of {@link evaluationReport}. */
export interface EvaluationReportOptions {
  /** Page title; default "Model evaluation". */
  readonly title?: string;
  /** Plain text under the title. */
  readonly subtitle?: string;
  /** Points per drawn curve (default 300): curves are downsampled along their length. */
  readonly maxCurvePoints?: number;
}

/**
 * The self-contained HTML evaluation report: the comparison table, ROC and precision-recall curves of all
 * models (one chart each), calibration, the expected-cost curve with each model's chosen threshold (when the
 * validation had amounts and a false-alarm cost), feature importance (for models that have one, averaged over
 * folds) and per-fold metrics (when there are several folds). Charts are inline SVG; no network needed.
 */
export async function evaluationReport(result: ValidationResult, comparison: ComparisonTable, options: EvaluationReportOptions = {}): Promise<string> {
  const maxPoints = options.maxCurvePoints ?? 300;
  const pooled = result.models.map((model) => {
    const p = pooledPredictions(result, model);
    return { model, scores: p.scores, labels: Uint8Array.from(p.rows, (r) => result.columns.y[r]!), rows: p.rows };
  });
  const sections: ReportSection[] = [];
  const cells = comparisonCells(comparison);
  sections.push({
    title: 'Comparison with the baseline',
    description:
      `Metrics on the pooled test rows of ${comparison.folds.length} fold(s). Δ = model − ${comparison.baseline}, ` +
      `paired bootstrap with ${comparison.replicates} resamples (seed ${comparison.seed}).`,
    html: htmlTable(cells.headers, cells.rows),
  });

  const rocCurves: ModelCurve[] = pooled.map(({ model, labels, scores }) => {
    const c = rocCurve(labels, scores);
    return thin(model, c.fpr, c.tpr, maxPoints);
  });
  sections.push({ title: 'ROC curves', html: await renderVegaLiteSvg(rocChartSpec(rocCurves)) });

  const prCurves: ModelCurve[] = pooled.map(({ model, labels, scores }) => {
    const c = precisionRecallCurve(labels, scores);
    return thin(model, c.recall, c.precision, maxPoints);
  });
  sections.push({ title: 'Precision-recall curves', html: await renderVegaLiteSvg(precisionRecallChartSpec(prCurves)) });

  const calibrated = pooled.filter(({ scores }) => scores.every((p) => p >= 0 && p <= 1));
  if (calibrated.length > 0) {
    const bins = calibrated.map(({ model, labels, scores }) => ({ model, bins: calibrationBins(labels, scores).bins }));
    sections.push({
      title: 'Calibration',
      description: 'Reliability diagram, 10 equal-width bins: a calibrated model follows the diagonal.',
      html: await renderVegaLiteSvg(calibrationChartSpec(bins)),
    });
  }

  const amounts = result.columns.amounts;
  const falseAlarmCost = result.metricOptions.falseAlarmCost;
  if (amounts !== undefined && falseAlarmCost !== undefined) {
    const curves = pooled.map(({ model, labels, scores, rows }) => {
      const c = costCurve(labels, scores, { amounts: Float64Array.from(rows, (r) => amounts[r]!), falseAlarmCost });
      // Drop the "no alert" point at threshold +Infinity: it cannot be drawn on a threshold axis.
      const curve = thin(model, c.thresholds.subarray(1), c.totalCost.subarray(1), maxPoints);
      return { ...curve, bestThreshold: c.bestThreshold, bestTotalCost: c.bestTotalCost };
    });
    sections.push({
      title: 'Expected cost by threshold',
      description: `A missed positive costs its amount, a false alarm costs ${falseAlarmCost}; the diamond marks each model's cheapest threshold.`,
      html: await renderVegaLiteSvg(costChartSpec(curves)),
    });
  }

  const importance = featureImportanceRows(result);
  if (importance.length > 0) {
    sections.push({
      title: 'Feature importance',
      description: 'Mean over folds, normalised to sum to 1 per model.',
      html: await renderVegaLiteSvg(featureImportanceChartSpec(importance)),
    });
  }

  if (result.folds.length > 1) {
    const metricRows: { model: string; fold: string; metric: string; value: number }[] = [];
    for (const e of result.evaluations) {
      const values: [string, number | null][] = [
        ['ROC AUC', e.metrics.rocAuc],
        ['Average precision', e.metrics.averagePrecision],
        [`Group precision@${e.metrics.k}`, e.metrics.groupPrecisionAtK],
      ];
      for (const [metric, value] of values) if (value !== null) metricRows.push({ model: e.model, fold: e.fold, metric, value });
    }
    // The group precision column (cards in the fraud example) only when the data had groups.
    const grouped = result.evaluations.some((e) => e.metrics.groupPrecisionAtK !== null);
    const table = htmlTable(
      ['model', 'fold', 'ROC AUC', 'AP', ...(grouped ? [`group P@${result.evaluations[0]?.metrics.k ?? 100}`] : []), 'fit s', 'predict s'],
      result.evaluations.map((e) => [
        e.model,
        e.fold,
        format(e.metrics.rocAuc),
        format(e.metrics.averagePrecision),
        ...(grouped ? [format(e.metrics.groupPrecisionAtK)] : []),
        e.fitSeconds.toFixed(2),
        e.predictSeconds.toFixed(3),
      ]),
    );
    sections.push({
      title: 'Per-fold metrics (prequential validation)',
      html: `${await renderVegaLiteSvg(foldMetricsChartSpec(metricRows, result.folds))}\n${table}`,
    });
  }

  return htmlReport({ title: options.title ?? 'Model evaluation', ...(options.subtitle === undefined ? {} : { subtitle: options.subtitle }), sections });
}

function thin(model: string, x: Float64Array, y: Float64Array, maxPoints: number): ModelCurve {
  const keep = downsampleCurve(x, y, maxPoints);
  return { model, x: Float64Array.from(keep, (i) => x[i]!), y: Float64Array.from(keep, (i) => y[i]!) };
}

function featureImportanceRows(result: ValidationResult): { model: string; feature: string; importance: number }[] {
  const rows: { model: string; feature: string; importance: number }[] = [];
  for (const model of result.models) {
    const vectors = result.evaluations.filter((e) => e.model === model && e.featureImportance !== undefined).map((e) => e.featureImportance!);
    if (vectors.length === 0) continue;
    const mean = new Float64Array(result.featureNames.length);
    for (const v of vectors) for (let i = 0; i < mean.length; i++) mean[i]! += (v[i] ?? 0) / vectors.length;
    const total = mean.reduce((s, v) => s + v, 0) || 1;
    result.featureNames.forEach((feature, i) => rows.push({ model, feature, importance: mean[i]! / total }));
  }
  return rows;
}

function format(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4);
}
