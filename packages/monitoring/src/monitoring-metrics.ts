import { Gauge, type Registry } from 'prom-client';
import type { DistributionDrift, DriftReport } from '@mlsd/eval';
import type { ExperimentReport } from './experiment-tracker.js';
import type { LiveQualityReport } from './live-quality.js';

/** What the gauges read at scrape time. */
export interface MonitoringMetricsSource {
  drift(): DriftReport | null;
  quality(): LiveQualityReport;
  experiment(): ExperimentReport | null;
}

const STATISTICS = [
  ['psi', 'psi'],
  ['ks', 'ks'],
  ['jensen_shannon', 'jensenShannon'],
  ['wasserstein', 'wasserstein'],
  ['missing_rate', 'missingRate'],
] as const;

/**
 * Registers the monitoring gauges on `registry`; each is computed from `source` when Prometheus scrapes (so
 * nothing is done per request):
 * - `mlsd_monitoring_drift{feature,statistic}`: psi, ks (D), jensen_shannon (distance), wasserstein (relative),
 *   missing_rate (absolute change), for every feature and `score`;
 * - `mlsd_monitoring_drift_status{feature}`: 0 ok, 1 warn, 2 alert;
 * - `mlsd_monitoring_live_average_precision`, `mlsd_monitoring_live_recall_at_review`,
 *   `mlsd_monitoring_fallback_rate`, `mlsd_monitoring_alert_rate`, `mlsd_monitoring_labelled_total`;
 * - `mlsd_monitoring_experiment_recall{arm}` and `mlsd_monitoring_experiment_money_saved{arm}` when an
 *   experiment runs.
 * Gauges without a value yet (e.g. AP before any fraud label) are absent rather than 0.
 */
export function registerMonitoringMetrics(registry: Registry, source: MonitoringMetricsSource): void {
  // One scrape calls every gauge's collect in the same turn of the event loop: compute the quality report
  // (an average precision, O(w log w)) once per scrape, not once per gauge.
  let cached: LiveQualityReport | null = null;
  const quality = (): LiveQualityReport => {
    if (cached === null) {
      cached = source.quality();
      setImmediate(() => {
        cached = null;
      });
    }
    return cached;
  };
  new Gauge({
    name: 'mlsd_monitoring_drift',
    help: 'Drift statistic of a feature (or score) over the sliding window vs the reference profile.',
    labelNames: ['feature', 'statistic'],
    // Merged across serving workers, each with its own window: the mean of their statistics (a sum means nothing).
    aggregator: 'average',
    registers: [registry],
    collect() {
      this.reset();
      for (const [feature, d] of driftEntries(source.drift())) {
        for (const [label, key] of STATISTICS) {
          const value = d[key].value;
          if (value !== null) this.set({ feature, statistic: label }, value);
        }
      }
    },
  });
  new Gauge({
    name: 'mlsd_monitoring_drift_status',
    help: 'Drift status of a feature (or score): 0 ok, 1 warn, 2 alert.',
    labelNames: ['feature'],
    aggregator: 'max',
    registers: [registry],
    collect() {
      this.reset();
      for (const [feature, d] of driftEntries(source.drift())) this.set({ feature }, d.status === 'alert' ? 2 : d.status === 'warn' ? 1 : 0);
    },
  });
  const qualityGauges: [string, string, keyof LiveQualityReport][] = [
    ['mlsd_monitoring_live_average_precision', 'Average precision over the recent labelled transactions.', 'averagePrecision'],
    ['mlsd_monitoring_live_recall_at_review', 'Share of recent labelled frauds flagged for review or blocked.', 'recallAtReview'],
    ['mlsd_monitoring_fallback_rate', 'Share of recent transactions answered by the fallback rules.', 'fallbackRate'],
    ['mlsd_monitoring_alert_rate', 'Share of recent transactions flagged for review or blocked.', 'alertRate'],
    ['mlsd_monitoring_labelled_total', 'Feedback labels received for scored transactions.', 'labelled'],
  ];
  for (const [name, help, key] of qualityGauges) {
    new Gauge({
      name,
      help,
      aggregator: key === 'labelled' ? 'sum' : 'average',
      registers: [registry],
      collect() {
        this.reset();
        const value = quality()[key];
        if (typeof value === 'number') this.set(value);
      },
    });
  }
  new Gauge({
    name: 'mlsd_monitoring_experiment_recall',
    help: 'Recall of each arm of the champion/challenger experiment.',
    labelNames: ['arm'],
    aggregator: 'average',
    registers: [registry],
    collect() {
      this.reset();
      const experiment = source.experiment();
      if (experiment === null) return;
      for (const arm of ['champion', 'challenger'] as const) {
        const recall = experiment.arms[arm].recall;
        if (recall !== null) this.set({ arm }, recall);
      }
    },
  });
  new Gauge({
    name: 'mlsd_monitoring_experiment_money_saved',
    help: 'Money saved by each arm of the champion/challenger experiment (caught fraud amount minus false-alarm cost).',
    labelNames: ['arm'],
    registers: [registry],
    collect() {
      this.reset();
      const experiment = source.experiment();
      if (experiment === null) return;
      for (const arm of ['champion', 'challenger'] as const) this.set({ arm }, experiment.arms[arm].moneySaved);
    },
  });
}

/** Every profiled feature of a drift report by name, then the score (as `score`); none before drift is reported. */
function driftEntries(drift: DriftReport | null): Array<[string, DistributionDrift]> {
  if (drift === null) return [];
  const entries = Object.entries(drift.features);
  if (drift.score !== undefined) entries.push(['score', drift.score]);
  return entries;
}
