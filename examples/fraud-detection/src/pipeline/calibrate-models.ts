import { takeRows } from '@mlsd/data';
import { calibrationBins, calibrationChartSpec, escapeHtml, renderVegaLiteSvg, type CalibrationBin } from '@mlsd/eval';
import { CalibratedClassifier, calibrationScores, type CalibrationMethod } from '@mlsd/models';
import type { ModelName } from './model-catalog.js';
import type { PreparedDataset } from './prepare-dataset.js';
import type { TrainingRun } from './train-models.js';

/** One model's calibration in the report: what was fitted, and the later test half before and after. */
export interface ModelCalibration {
  readonly model: ModelName;
  /** The method kept (`none` when `auto` found no gain). */
  readonly method: 'platt' | 'isotonic' | 'none';
  /** With `auto`: each candidate's log loss and Brier score on the later half of the calibration rows. */
  readonly candidates: readonly { readonly method: string; readonly logLoss: number; readonly brier: number }[];
  readonly before: { readonly logLoss: number; readonly brier: number; readonly reliability: readonly CalibrationBin[] };
  readonly after: { readonly logLoss: number; readonly brier: number; readonly reliability: readonly CalibrationBin[] };
}

/** The `calibration` section of report.json. */
export interface CalibrationReport {
  readonly requested: CalibrationMethod;
  readonly fitRows: number;
  readonly evaluationRows: number;
  readonly protocol: string;
  readonly models: readonly ModelCalibration[];
}

/**
 * Calibrates every model of `run` on the first half (by time) of the holdout's test days and measures log loss,
 * Brier score and the reliability diagram (10 bins) before and after on the second half, which neither the model
 * nor its calibration saw. Returns the run with the calibrated models (they are what gets registered, so every
 * scorer applies the calibration) and test scores (the monitoring reference holds the scores the service will
 * give); the run's metrics stay the uncalibrated model's.
 */
export function calibrateModels(dataset: PreparedDataset, run: TrainingRun, method: CalibrationMethod): { run: TrainingRun; report: CalibrationReport } {
  const test = Int32Array.from(dataset.holdout.test).sort((a, b) => dataset.times[a]! - dataset.times[b]! || a - b);
  const half = Math.floor(test.length / 2);
  const fitRows = test.subarray(0, half);
  const evalRows = test.subarray(half);
  const fitX = takeRows(dataset.X, fitRows);
  const fitY = Uint8Array.from(fitRows, (r) => dataset.y[r]!);
  const evalX = takeRows(dataset.X, evalRows);
  const evalY = Uint8Array.from(evalRows, (r) => dataset.y[r]!);
  const testX = takeRows(dataset.X, dataset.holdout.test);
  const fitted = new Map(run.fitted);
  const scores = new Map<string, Float64Array>();
  const models: ModelCalibration[] = [];
  for (const name of run.models) {
    const base = run.fitted.get(name)!;
    const calibrated = CalibratedClassifier.calibrate(base, fitX, fitY, method);
    const pBefore = base.predictProba(evalX);
    const pAfter = calibrated.predictProba(evalX);
    models.push({
      model: name,
      method: calibrated.calibration?.method ?? 'none',
      candidates: calibrated.candidates,
      before: { ...calibrationScores(pBefore, evalY), reliability: calibrationBins(evalY, pBefore).bins },
      after: { ...calibrationScores(pAfter, evalY), reliability: calibrationBins(evalY, pAfter).bins },
    });
    fitted.set(name, calibrated);
    scores.set(name, calibrated.predictProba(testX));
  }
  const holdout = { ...run.holdout, evaluations: run.holdout.evaluations.map((e) => ({ ...e, scores: scores.get(e.model) ?? e.scores })) };
  return {
    run: { ...run, fitted, holdout },
    report: {
      requested: method,
      fitRows: fitRows.length,
      evaluationRows: evalRows.length,
      protocol: 'fitted (auto: chosen by log loss on its later half) on the first half of the test days by time; before/after measured on the second half',
      models,
    },
  };
}

/** The calibration section of report.md: log loss and Brier score before and after, per model. */
export function calibrationMarkdown(report: CalibrationReport): string {
  const lines = [
    '# Calibration',
    '',
    `Requested: ${report.requested}. ${report.protocol} (${report.fitRows} / ${report.evaluationRows} rows).`,
    '',
    '| model | method | log loss before | log loss after | Brier before | Brier after |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const m of report.models) {
    lines.push(
      `| ${m.model} | ${m.method} | ${m.before.logLoss.toFixed(5)} | ${m.after.logLoss.toFixed(5)} | ${m.before.brier.toFixed(5)} | ${m.after.brier.toFixed(5)} |`,
    );
  }
  return lines.join('\n');
}

/** report.html's section: the reliability diagram of every model before and after calibration (vega-lite, as the other charts). */
export async function calibrationHtml(report: CalibrationReport): Promise<string> {
  const series = report.models.flatMap((m) => [
    { model: `${m.model} before`, bins: m.before.reliability },
    { model: `${m.model} after (${m.method})`, bins: m.after.reliability },
  ]);
  const description = `${report.protocol}. Log loss before → after: ${report.models.map((m) => `${m.model} ${m.before.logLoss.toFixed(4)} → ${m.after.logLoss.toFixed(4)}`).join(', ')}.`;
  return `<section>\n<h2>Calibration before and after</h2>\n<p>${escapeHtml(description)}</p>\n${await renderVegaLiteSvg(calibrationChartSpec(series))}\n</section>\n`;
}
