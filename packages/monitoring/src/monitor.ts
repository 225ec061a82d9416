import { rejectUnknownOptions } from '@mlsd/data';
import { parseReferenceProfile, type ReferenceProfile } from '@mlsd/eval';
import type { Registry } from 'prom-client';
import { assignArm, type Arm } from './arm-assignment.js';
import { DriftMonitor, type DriftHistoryPoint, type DriftMonitorOptions, type DriftMonitorReport } from './drift-monitor.js';
import { ExperimentTracker, type ExperimentReport, type ExperimentTrackerOptions } from './experiment-tracker.js';
import { LiveQuality, type LiveQualityOptions, type LiveQualityReport } from './live-quality.js';
import { silentLogger, type MonitorLogger } from './monitor-logger.js';
import type { MonitoredEvent } from './monitored-event.js';
import { registerMonitoringMetrics } from './monitoring-metrics.js';
import { PendingLabels } from './pending-labels.js';
import type { PredictionLog, PredictionLogStats, ScoreLogRecord } from './prediction-record.js';

/** Settings of a {@link Monitor}. Only `profile` is required. */
export interface MonitorOptions {
  /** The champion's reference profile, as stored in the registry (plain JSON; checked with parseReferenceProfile). */
  readonly profile: unknown;
  /** Sliding-window drift settings (window 2000, step 500, minEvents 500, eval's default thresholds). */
  readonly drift?: DriftMonitorOptions;
  /** Live-quality windows (5000 labelled, 1000 scored). */
  readonly quality?: LiveQualityOptions;
  /** A champion/challenger experiment: `challengerShare` of cards (sticky hash under `seed`) go to the challenger. */
  readonly experiment?: ExperimentTrackerOptions;
  /** Scored transactions remembered while waiting for their label (default 200,000). */
  readonly maxPendingLabels?: number;
  /** Where the `mlsd_monitoring_*` gauges are registered (the service's prom-client Registry). */
  readonly registry?: Registry;
  /** Where drift warnings go (a pino logger fits). Default: silent. */
  readonly logger?: MonitorLogger;
  /** Where every scored event and label is appended (JsonlPredictionLog or RedisStreamPredictionLog). */
  readonly predictionLog?: PredictionLog;
  /** Current time in ms (default Date.now); injected so tests and offline replays control it. */
  readonly clock?: () => number;
}

/** The JSON of `GET /v1/monitoring`. */
export interface MonitoringReport {
  readonly kind: 'mlsd-monitoring-report';
  readonly schemaVersion: 1;
  /** ISO 8601 time of the report. */
  readonly generatedAt: string;
  /** Drift of the sliding window: `ready: false` until it holds `minEvents` model-scored events, then one entry per feature by name. */
  readonly drift: DriftMonitorReport;
  readonly quality: LiveQualityReport;
  /** Null when no experiment runs. */
  readonly experiment: ExperimentReport | null;
  /** Labels waiting / labels that matched no scored transaction (unknown id, or evicted). */
  readonly feedback: { readonly pending: number; readonly unmatched: number };
  /** Null when no prediction log is configured. */
  readonly predictionLog: PredictionLogStats | null;
}

const OPTION_KEYS = ['profile', 'drift', 'quality', 'experiment', 'maxPendingLabels', 'registry', 'logger', 'predictionLog', 'clock'];

/**
 * The monitoring facade the scoring service calls (framework-free: no HTTP here). It implements the service's
 * `ScoreObserver`: `recordScore` after each answer, `recordFeedback` for each label, `report()` for
 * `GET /v1/monitoring`, `close()` on shutdown. Per event it does O(features) work (plus a drift recomputation
 * every `step` events), never throws for a well-formed event, and never waits on I/O.
 *
 * Only model-scored events with features feed drift (fallback answers carry rule scores and often no features);
 * every event feeds the fallback and alert rates, the experiment and the prediction log.
 */
export class Monitor {
  readonly profile: ReferenceProfile;
  private readonly drift: DriftMonitor;
  private readonly quality: LiveQuality;
  private readonly experiment: ExperimentTracker | null;
  private readonly pending: PendingLabels;
  private readonly log: PredictionLog | null;
  private readonly clock: () => number;
  private unmatched = 0;

  constructor(options: MonitorOptions) {
    rejectUnknownOptions('Monitor', options, OPTION_KEYS);
    this.profile = parseReferenceProfile(options.profile, 'Monitor profile');
    const logger = options.logger ?? silentLogger;
    this.drift = new DriftMonitor(this.profile, options.drift, logger);
    this.quality = new LiveQuality(options.quality);
    this.experiment = options.experiment === undefined ? null : new ExperimentTracker(options.experiment);
    this.pending = new PendingLabels(options.maxPendingLabels ?? 200_000);
    this.log = options.predictionLog ?? null;
    this.clock = options.clock ?? Date.now;
    if (options.registry !== undefined) {
      registerMonitoringMetrics(options.registry, {
        drift: () => this.drift.latest(),
        quality: () => this.quality.report(),
        experiment: () => this.experiment?.report() ?? null,
      });
    }
  }

  /**
   * The experiment arm that should answer for this card: sticky by card id hash; always `champion` when no
   * experiment is configured. The service routes with this and passes the arm back in {@link recordScore}.
   */
  assignArm(customerId: string | number): Arm {
    return this.experiment === null ? 'champion' : assignArm(customerId, this.experiment.options);
  }

  /** Records one answered transaction (call after the response is sent). */
  recordScore(event: MonitoredEvent): void {
    const { transaction, result, features } = event;
    const flagged = result.decision !== 'allow';
    const arm = event.arm ?? this.assignArm(transaction.customerId);
    this.quality.recordScored(result.source === 'fallback', flagged);
    this.experiment?.recordScored(arm);
    if (result.source === 'model' && features !== undefined) this.drift.add(features.names, features.values, result.score, transaction.time);
    this.pending.add(transaction.transactionId, { score: result.score, flagged, arm, amount: transaction.amount, cardId: transaction.customerId });
    if (this.log !== null) {
      const byName: Record<string, number | null> = {};
      if (features !== undefined) {
        for (let i = 0; i < features.names.length; i++) {
          const value = features.values[i]!;
          byName[features.names[i]!] = Number.isFinite(value) ? value : null;
        }
      }
      const record: ScoreLogRecord = {
        type: 'score',
        transactionId: transaction.transactionId,
        time: transaction.time,
        customerId: transaction.customerId,
        terminalId: transaction.terminalId,
        amount: transaction.amount,
        score: result.score,
        decision: result.decision,
        source: result.source,
        ...(result.fallbackReason === undefined ? {} : { fallbackReason: result.fallbackReason }),
        modelVersion: result.modelVersion,
        ...(this.experiment === null ? {} : { arm }),
        features: byName,
        loggedAt: this.clock(),
      };
      this.log.append(record);
    }
  }

  /** Records a feedback label for a transaction scored earlier (unknown ids are counted, not an error). */
  recordFeedback(transactionId: string | number, fraud: boolean): void {
    const entry = this.pending.take(transactionId);
    if (entry === undefined) this.unmatched++;
    else {
      this.quality.recordLabelled(entry.score, entry.flagged, fraud);
      this.experiment?.recordLabelled(entry.arm, entry.cardId, entry.flagged, fraud, entry.amount);
    }
    this.log?.append({ type: 'feedback', transactionId, fraud, loggedAt: this.clock() });
  }

  /** The monitoring JSON (`GET /v1/monitoring`). Computes average precision and the tests: call per request, not per event. */
  report(): MonitoringReport {
    return {
      kind: 'mlsd-monitoring-report',
      schemaVersion: 1,
      generatedAt: new Date(this.clock()).toISOString(),
      drift: this.drift.report(),
      quality: this.quality.report(),
      experiment: this.experiment?.report() ?? null,
      feedback: { pending: this.pending.size, unmatched: this.unmatched },
      predictionLog: this.log?.stats() ?? null,
    };
  }

  /** PSI and status per feature at each drift recomputation (for charts). */
  driftHistory(): readonly DriftHistoryPoint[] {
    return this.drift.historyPoints();
  }

  /** Resolves when no background drift recomputation is running (see the drift `schedule` option). */
  whenIdle(): Promise<void> {
    return this.drift.whenIdle();
  }

  /** Waits for a running drift recomputation and flushes the prediction log. */
  async close(): Promise<void> {
    await this.drift.whenIdle();
    await this.log?.close();
  }
}
