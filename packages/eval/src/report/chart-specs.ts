import type { CalibrationBin } from '../metrics/calibration-bins.js';
import type { VegaLiteSpec } from './render-vega-lite.js';

const WIDTH = 420;
const HEIGHT = 320;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One model's curve, already downsampled to a few hundred points. */
export interface ModelCurve {
  readonly model: string;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** ROC curves of several models on one chart, with the chance diagonal. */
export function rocChartSpec(curves: readonly ModelCurve[]): VegaLiteSpec {
  return curveChart(curves, 'False-positive rate', 'True-positive rate (recall)', true, 'linear');
}

/** Precision-recall curves of several models on one chart (x recall, y precision, step-wise like AP). */
export function precisionRecallChartSpec(curves: readonly ModelCurve[]): VegaLiteSpec {
  return curveChart(curves, 'Recall', 'Precision', false, 'step-after');
}

/** Reliability diagram: mean predicted probability vs observed positive rate per bin, per model. */
export function calibrationChartSpec(models: readonly { readonly model: string; readonly bins: readonly CalibrationBin[] }[]): VegaLiteSpec {
  const values = models.flatMap((m) => m.bins.map((b) => ({ model: m.model, x: b.meanPredicted, y: b.fractionPositive, count: b.count })));
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      diagonal(),
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'Mean predicted probability', scale: { domain: [0, 1] } },
          y: { field: 'y', type: 'quantitative', title: 'Observed positive rate', scale: { domain: [0, 1] } },
          color: { field: 'model', type: 'nominal', title: 'Model' },
          tooltip: [{ field: 'model' }, { field: 'count', type: 'quantitative' }],
        },
      },
    ],
  };
}

/** Expected-cost curves (total cost vs threshold) per model, each with its cost-minimising threshold marked. */
export function costChartSpec(curves: readonly (ModelCurve & { readonly bestThreshold: number; readonly bestTotalCost: number })[]): VegaLiteSpec {
  const values = curves.flatMap((c) => Array.from(c.x, (x, i) => ({ model: c.model, x, y: c.y[i]!, order: i })));
  const best = curves.filter((c) => Number.isFinite(c.bestThreshold)).map((c) => ({ model: c.model, x: c.bestThreshold, y: c.bestTotalCost }));
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'Threshold (alert when score ≥ threshold)' },
          y: { field: 'y', type: 'quantitative', title: 'Total cost' },
          color: { field: 'model', type: 'nominal', title: 'Model' },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        data: { values: best },
        mark: { type: 'point', filled: true, size: 90, shape: 'diamond' },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          color: { field: 'model', type: 'nominal' },
          tooltip: [{ field: 'model' }, { field: 'x', title: 'best threshold' }, { field: 'y', title: 'cost' }],
        },
      },
    ],
  };
}

/** Horizontal bars of feature importance, grouped by feature, one bar per model. */
export function featureImportanceChartSpec(rows: readonly { readonly model: string; readonly feature: string; readonly importance: number }[]): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    width: WIDTH,
    data: { values: rows.map((r) => ({ ...r })) },
    mark: 'bar',
    encoding: {
      y: { field: 'feature', type: 'nominal', title: 'Feature', sort: '-x' },
      yOffset: { field: 'model', type: 'nominal' },
      x: { field: 'importance', type: 'quantitative', title: 'Importance (share of the model total)' },
      color: { field: 'model', type: 'nominal', title: 'Model' },
    },
  };
}

/** One small chart per metric: its value on each fold (in fold order), one line per model. */
export function foldMetricsChartSpec(
  rows: readonly { readonly model: string; readonly fold: string; readonly metric: string; readonly value: number }[],
  foldOrder: readonly string[],
): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    data: { values: rows.map((r) => ({ ...r })) },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 220,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'fold', type: 'ordinal', sort: [...foldOrder], title: 'Fold' },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        color: { field: 'model', type: 'nominal', title: 'Model' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

function curveChart(curves: readonly ModelCurve[], xTitle: string, yTitle: string, withDiagonal: boolean, interpolate: 'linear' | 'step-after'): VegaLiteSpec {
  const values = curves.flatMap((c) => Array.from(c.x, (x, i) => ({ model: c.model, x, y: c.y[i]!, order: i })));
  const line = {
    data: { values },
    mark: { type: 'line' as const, interpolate },
    encoding: {
      x: { field: 'x', type: 'quantitative' as const, title: xTitle, scale: { domain: [0, 1] } },
      y: { field: 'y', type: 'quantitative' as const, title: yTitle, scale: { domain: [0, 1] } },
      color: { field: 'model', type: 'nominal' as const, title: 'Model' },
      order: { field: 'order', type: 'quantitative' as const },
    },
  };
  return { $schema: SCHEMA, width: WIDTH, height: HEIGHT, layer: withDiagonal ? [diagonal(), line] : [line] };
}

function diagonal() {
  return {
    data: {
      values: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
    },
    mark: { type: 'line' as const, strokeDash: [4, 4], color: '#8c959f' },
    encoding: { x: { field: 'x', type: 'quantitative' as const }, y: { field: 'y', type: 'quantitative' as const } },
  };
}
