export { buildReferenceProfile, parseReferenceProfile, profileDistribution, REFERENCE_PROFILE_SCHEMA_VERSION } from './profile/reference-profile.js';
export type { DistributionProfile, FeatureProfile, ReferenceProfile, ReferenceProfileInput } from './profile/reference-profile.js';
export { PSI_EPSILON, populationStabilityIndex } from './drift/population-stability-index.js';
export { jensenShannonDistance, jensenShannonDivergence } from './drift/jensen-shannon.js';
export { kolmogorovSurvival, ksAgainstQuantiles, ksPValue, ksStatistic } from './drift/kolmogorov-smirnov.js';
export { wassersteinAgainstQuantiles, wassersteinDistance } from './drift/wasserstein.js';
export { DEFAULT_DRIFT_THRESHOLDS, resolveDriftThresholds } from './drift/drift-thresholds.js';
export type { DriftThresholdOptions, DriftThresholds, ThresholdPair } from './drift/drift-thresholds.js';
export { assembleDriftReport, compareDistribution, compareToProfile } from './drift/compare-to-profile.js';
export type { DistributionDrift, DriftReport, DriftStatus, DriftWindow, StatisticDrift } from './drift/compare-to-profile.js';
export type { NumericKeys, Scores } from './metrics/check-inputs.js';
export { sortIndices } from './metrics/sort-indices.js';
export { rankingMetrics, rankRows, thresholdCounts } from './metrics/threshold-counts.js';
export type { RankedRows, ThresholdCounts } from './metrics/threshold-counts.js';
export { rocAuc, rocCurve } from './metrics/roc.js';
export type { RocCurve, RocCurveOptions } from './metrics/roc.js';
export { averagePrecision, precisionRecallCurve } from './metrics/precision-recall.js';
export type { PrecisionRecallCurve } from './metrics/precision-recall.js';
export { precisionAtK } from './metrics/precision-at-k.js';
export { groupPrecisionAtK, dayIndex } from './metrics/group-precision-at-k.js';
export type { GroupPrecisionInput, GroupPrecisionOptions, GroupPrecisionResult } from './metrics/group-precision-at-k.js';
export { recallAtFpr } from './metrics/recall-at-fpr.js';
export type { RecallAtFpr } from './metrics/recall-at-fpr.js';
export { brierScore, logLoss } from './metrics/probability-losses.js';
export { calibrationBins } from './metrics/calibration-bins.js';
export type { Calibration, CalibrationBin } from './metrics/calibration-bins.js';
export { confusionMatrix } from './metrics/confusion-matrix.js';
export type { ConfusionMatrix } from './metrics/confusion-matrix.js';
export { costCurve } from './metrics/cost-threshold.js';
export type { CostCurve, CostOptions } from './metrics/cost-threshold.js';
export { bootstrapCi, pairedBootstrap, pairedBootstrapMany } from './bootstrap/bootstrap.js';
export type { BootstrapMetricName, BootstrapOptions, ConfidenceInterval, MetricFunction, PairedDifference } from './bootstrap/bootstrap.js';
export { summarizeScores } from './metrics/score-summary.js';
export type { ScoreSummary, ScoreSummaryInput, ScoreSummaryOptions } from './metrics/score-summary.js';
export { pooledPredictions, runValidation } from './validation/validation-runner.js';
export type { FoldEvaluation, ModelCandidate, ValidationDataset, ValidationOptions, ValidationResult } from './validation/validation-runner.js';
export { renderVegaLiteSvg } from './report/render-vega-lite.js';
export type { VegaLiteSpec } from './report/render-vega-lite.js';
export { escapeHtml, htmlReport, htmlTable } from './report/html-report.js';
export type { HtmlReportInput, ReportSection } from './report/html-report.js';
export { downsampleCurve } from './report/downsample-curve.js';
export {
  calibrationChartSpec,
  costChartSpec,
  featureImportanceChartSpec,
  foldMetricsChartSpec,
  precisionRecallChartSpec,
  rocChartSpec,
} from './report/chart-specs.js';
export type { ModelCurve } from './report/chart-specs.js';
export { compareModels, comparisonMarkdown } from './report/comparison-table.js';
export type { ComparisonOptions, ComparisonRow, ComparisonTable } from './report/comparison-table.js';
export { evaluationReport } from './report/evaluation-report.js';
export type { EvaluationReportOptions } from './report/evaluation-report.js';
export { driftBinsChartSpec, driftTimelineChartSpec } from './drift/drift-charts.js';
export type { DriftTimelinePoint } from './drift/drift-charts.js';
export { gridPoints, randomPoints, searchHyperParameters } from './selection/hyper-parameter-search.js';
export type { CandidateScore, ParamRange, ParamSpace, ParamValue, SearchMetric, SearchOptions, SearchResult } from './selection/hyper-parameter-search.js';
