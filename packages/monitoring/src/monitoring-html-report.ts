import {
  DEFAULT_DRIFT_THRESHOLDS,
  driftBinsChartSpec,
  driftTimelineChartSpec,
  htmlReport,
  htmlTable,
  renderVegaLiteSvg,
  type DistributionDrift,
  type ReportSection,
  type ReferenceProfile,
} from '@mlsd/eval';
import type { ReplayResult } from './replay-prediction-log.js';

/**
 * The offline monitoring page (`fraud monitor --html`): a drift table per feature with every statistic, the PSI
 * timeline of the sliding window, reference-vs-live bin charts of the drifted features (at most `maxBinCharts`,
 * default 6, worst first), live quality and the experiment. Self-contained HTML from the eval package's
 * `htmlReport` and `renderVegaLiteSvg`.
 */
export async function monitoringHtmlReport(
  replay: ReplayResult,
  profile: ReferenceProfile,
  options: { readonly title?: string; readonly subtitle?: string; readonly maxBinCharts?: number } = {},
): Promise<string> {
  const sections: ReportSection[] = [];
  const overall = replay.overall;
  if (overall !== null) {
    const rows = Object.entries(overall.features).map(([name, d]) => driftRow(name, d));
    if (overall.score !== undefined) rows.push(driftRow('score', overall.score));
    sections.push({
      title: `Drift of the whole log: ${overall.status}`,
      description:
        `${overall.windowSize} model-scored events against the reference profile (${profile.rows} rows). PSI natural log over the ` +
        'reference deciles; KS D against the reference percentiles; Jensen–Shannon distance in bits; Wasserstein divided by the reference standard deviation.',
      html: htmlTable(['feature', 'status', 'PSI', 'KS D', 'KS p', 'JS distance', 'W₁/std', 'missing (ref → live)'], rows),
    });
  }
  const timeline = replay.history.flatMap((point) =>
    Object.entries(point.psi).flatMap(([feature, value]) => (value === null ? [] : [{ events: point.events, feature, value }])),
  );
  if (timeline.length > 0) {
    const levels = replay.report.drift.ready ? replay.report.drift.thresholds.psi : DEFAULT_DRIFT_THRESHOLDS.psi;
    sections.push({
      title: 'PSI of the sliding window over the log',
      description: `Window of the last ${replay.report.drift.windowEvents} events, recomputed as events arrive; dashed lines at the warn and alert levels.`,
      html: await renderVegaLiteSvg(driftTimelineChartSpec(timeline, levels)),
    });
  }
  if (overall !== null) {
    const drifted = overall.drifted.slice(0, options.maxBinCharts ?? 6);
    const charts: string[] = [];
    for (const name of drifted) {
      const reference = name === 'score' ? profile.score : profile.features.find((f) => f.name === name);
      const drift = name === 'score' ? overall.score : overall.features[name];
      if (reference !== undefined && drift !== undefined) charts.push(await renderVegaLiteSvg(driftBinsChartSpec(name, reference, drift)));
    }
    if (charts.length > 0) {
      sections.push({
        title: 'Drifted distributions',
        description: 'Share of reference and live events in each reference quantile bin.',
        html: charts.join('\n'),
      });
    }
  }
  const q = replay.report.quality;
  sections.push({
    title: 'Live quality',
    description: `From ${q.labelled} feedback labels (last ${q.windowLabelled} used) and ${q.scored} scored transactions.`,
    html: htmlTable(
      ['metric', 'value'],
      [
        ['average precision', fmt(q.averagePrecision)],
        ['recall at the review threshold', fmt(q.recallAtReview)],
        ['precision at the review threshold', fmt(q.precisionAtReview)],
        ['fallback rate', fmt(q.fallbackRate)],
        ['alert rate', fmt(q.alertRate)],
      ],
    ),
  });
  const experiment = replay.report.experiment;
  if (experiment !== null) {
    const arm = (name: 'champion' | 'challenger'): string[] => {
      const a = experiment.arms[name];
      return [name, String(a.scored), String(a.labelled), String(a.fraudCaught), String(a.falseAlarms), fmt(a.recall), a.moneySaved.toFixed(2)];
    };
    sections.push({
      title: 'Champion / challenger',
      description: `${experiment.conclusion}. Two-sided z-tests at α = ${experiment.alpha}, card-clustered (delta-method) variances.`,
      html: htmlTable(['arm', 'scored', 'labelled', 'fraud caught', 'false alarms', 'recall', 'money saved'], [arm('champion'), arm('challenger')]),
    });
  }
  return htmlReport({ title: options.title ?? 'Fraud model monitoring', ...(options.subtitle === undefined ? {} : { subtitle: options.subtitle }), sections });
}

function driftRow(name: string, d: DistributionDrift): string[] {
  return [
    name,
    d.status,
    fmt(d.psi.value),
    fmt(d.ks.value),
    d.ks.pValue === null ? '–' : d.ks.pValue.toPrecision(2),
    fmt(d.jensenShannon.value),
    fmt(d.wasserstein.value),
    `${(d.missingRate.reference * 100).toFixed(1)} % → ${(d.missingRate.window * 100).toFixed(1)} %`,
  ];
}

function fmt(value: number | null): string {
  return value === null ? '–' : value.toFixed(3);
}
