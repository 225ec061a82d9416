import { MlsdError, denseMatrix, rejectUnknownOptions } from '@mlsd/data';
import {
  assembleDriftReport,
  compareDistribution,
  compareToProfile,
  resolveDriftThresholds,
  type DistributionDrift,
  type DriftReport,
  type DriftStatus,
  type DriftThresholdOptions,
  type DriftThresholds,
  type ReferenceProfile,
} from '@mlsd/eval';
import { silentLogger, type MonitorLogger } from './monitor-logger.js';

/** Settings of a {@link DriftMonitor}; every field has a default. */
export interface DriftMonitorOptions {
  /** Events in the sliding window (default 2000). */
  readonly windowSize?: number;
  /** Drift is recomputed every `step` events once the window is ready (default 500). */
  readonly step?: number;
  /** Events the window must hold before drift is reported (default 500, at most `windowSize`). */
  readonly minEvents?: number;
  /** Overrides of the eval package's DEFAULT_DRIFT_THRESHOLDS (PSI 0.1/0.2, KS 0.125/0.18, ...). */
  readonly thresholds?: DriftThresholdOptions;
  /** Drift points kept for the history chart (default 500; the oldest are dropped). */
  readonly historyLength?: number;
  /**
   * When a due recomputation runs (default `inline`):
   * - `inline`: inside the {@link DriftMonitor.add} call that made it due (deterministic; offline replays, tests);
   * - `background`: on a snapshot of the window, one feature per event-loop turn (`setImmediate`), so the
   *   service never pauses for more than one column's statistics (a fraction of a millisecond) — use this in an
   *   HTTP service. A recomputation due while one runs is skipped (the next step catches up).
   */
  readonly schedule?: 'inline' | 'background';
  /**
   * At least this many ms between two recomputations (default 0: every `step` events). A recomputation due sooner
   * waits for the next `add` after the interval. A service sets it so the work follows time, not traffic: at
   * 10,000 events/s, `step` 500 alone would recompute twenty times a second.
   */
  readonly minIntervalMs?: number;
  /** The clock of `minIntervalMs`, ms (default `performance.now`); injected so tests control it. */
  readonly clock?: () => number;
}

/** One recomputation of the drift, for the history chart: PSI and status per feature (and `score`). */
export interface DriftHistoryPoint {
  /** Events seen when it was computed. */
  readonly events: number;
  /** Time of the last event in the window (ms since epoch), as given to {@link DriftMonitor.add}. */
  readonly time: number;
  readonly psi: Readonly<Record<string, number | null>>;
  readonly status: Readonly<Record<string, DriftStatus>>;
}

/** What the drift monitor reports: not ready before `minEvents`, then the last drift computed. */
export type DriftMonitorReport =
  | { readonly ready: false; readonly events: number; readonly windowEvents: number; readonly minEvents: number }
  | ({ readonly ready: true; readonly events: number; readonly windowEvents: number; readonly minEvents: number } & DriftReport);

/**
 * Sliding-window drift of live traffic against a reference profile. Each {@link add} copies one feature row and
 * score into a ring buffer (no allocation); once the window holds `minEvents`, and then every `step` events, it
 * recomputes every statistic (the eval package's `compareDistribution` per feature; see `schedule` for when, and
 * `minIntervalMs` for at most how often)
 * and logs ONE warning per feature when its status rises (ok → warn, warn → alert), one info line when it
 * recovers — never one per request.
 */
export class DriftMonitor {
  readonly windowSize: number;
  readonly step: number;
  readonly minEvents: number;
  readonly thresholds: DriftThresholds;
  readonly schedule: 'inline' | 'background';
  readonly minIntervalMs: number;
  private readonly clock: () => number;
  private computedAt = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | null = null;
  private readonly names: readonly string[];
  private readonly width: number;
  private readonly rows: Float64Array;
  private readonly scores: Float64Array;
  private head = 0;
  private filled = 0;
  private events = 0;
  private sinceComputed = 0;
  private lastTime = 0;
  private last: DriftReport | null = null;
  private readonly statuses = new Map<string, DriftStatus>();
  private readonly history: DriftHistoryPoint[] = [];
  private readonly historyLength: number;
  private mappingFor: readonly string[] | null = null;
  private mapping = new Int32Array(0);

  constructor(
    readonly profile: ReferenceProfile,
    options: DriftMonitorOptions = {},
    private readonly logger: MonitorLogger = silentLogger,
  ) {
    const valid = ['windowSize', 'step', 'minEvents', 'thresholds', 'historyLength', 'schedule', 'minIntervalMs', 'clock'];
    rejectUnknownOptions('DriftMonitor', options, valid);
    this.windowSize = positiveInteger('windowSize', options.windowSize ?? 2000);
    this.step = positiveInteger('step', options.step ?? 500);
    this.minEvents = positiveInteger('minEvents', options.minEvents ?? Math.min(500, this.windowSize));
    this.historyLength = positiveInteger('historyLength', options.historyLength ?? 500);
    this.minIntervalMs = options.minIntervalMs ?? 0;
    if (!(this.minIntervalMs >= 0 && Number.isFinite(this.minIntervalMs))) {
      throw new MlsdError('INVALID_OPTION', `DriftMonitor: option "minIntervalMs" must be a finite number >= 0, got ${String(options.minIntervalMs)}.`, {
        location: { field: 'minIntervalMs' },
      });
    }
    this.clock = options.clock ?? (() => performance.now());
    if (this.minEvents > this.windowSize) {
      throw new MlsdError(
        'INVALID_OPTION',
        `DriftMonitor: minEvents (${this.minEvents}) exceeds windowSize (${this.windowSize}); the window could never be ready. Lower minEvents or raise windowSize.`,
        { location: { field: 'minEvents' } },
      );
    }
    this.thresholds = resolveDriftThresholds(options.thresholds);
    const schedule = options.schedule ?? 'inline';
    if (schedule !== 'inline' && schedule !== 'background') {
      throw new MlsdError('INVALID_OPTION', `DriftMonitor: option "schedule" must be "inline" or "background", got ${JSON.stringify(schedule)}.`, {
        location: { field: 'schedule' },
      });
    }
    this.schedule = schedule;
    this.names = profile.features.map((f) => f.name);
    this.width = this.names.length;
    this.rows = new Float64Array(this.windowSize * this.width);
    this.scores = new Float64Array(this.windowSize);
  }

  /**
   * Adds one scored event: `values[i]` is the feature called `names[i]` (matched to the profile by name; a
   * profiled feature absent from `names` counts as missing), `score` the model's score, `time` its time in ms.
   * The name mapping is cached: passing the same `names` array (or an equal one) each time costs no allocation.
   */
  add(names: readonly string[], values: ArrayLike<number>, score: number, time: number): void {
    if (names !== this.mappingFor && !sameNames(names, this.mappingFor)) this.remap(names);
    const offset = this.head * this.width;
    for (let c = 0; c < this.width; c++) {
      const source = this.mapping[c]!;
      this.rows[offset + c] = source < 0 ? Number.NaN : values[source]!;
    }
    this.scores[this.head] = score;
    this.head = (this.head + 1) % this.windowSize;
    if (this.filled < this.windowSize) this.filled++;
    this.events++;
    this.sinceComputed++;
    this.lastTime = time;
    if (this.filled >= this.minEvents && (this.last === null || this.sinceComputed >= this.step) && this.intervalElapsed()) this.compute();
  }

  /** The last drift computed, or `ready: false` while the window holds fewer than `minEvents` events. */
  report(): DriftMonitorReport {
    const base = { events: this.events, windowEvents: this.filled, minEvents: this.minEvents };
    return this.last === null ? { ready: false, ...base } : { ready: true, ...base, ...this.last };
  }

  /** The drift computed at each step so far (at most `historyLength` points, oldest first). */
  historyPoints(): readonly DriftHistoryPoint[] {
    return this.history;
  }

  /** The last full drift report, or null before the window is ready. */
  latest(): DriftReport | null {
    return this.last;
  }

  /** Resolves when no background recomputation is running (immediately in `inline` mode). */
  whenIdle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Whether `minIntervalMs` has passed since the last recomputation (always true at 0). */
  private intervalElapsed(): boolean {
    return this.minIntervalMs === 0 || this.clock() - this.computedAt >= this.minIntervalMs;
  }

  private compute(): void {
    this.sinceComputed = 0;
    if (this.minIntervalMs > 0) this.computedAt = this.clock();
    if (this.schedule === 'inline') {
      const matrix = denseMatrix(this.rows.subarray(0, this.filled * this.width), this.filled, this.width, this.names);
      const window = this.profile.score === undefined ? { features: matrix } : { features: matrix, scores: this.scores.subarray(0, this.filled) };
      this.publish(compareToProfile(this.profile, window, { thresholds: this.thresholds }), this.events, this.lastTime);
      return;
    }
    if (this.running !== null) return;
    // Snapshot the window (one copy, tens of microseconds) so that events arriving meanwhile do not tear it.
    const filled = this.filled;
    const rows = this.rows.slice(0, filled * this.width);
    const scores = this.scores.slice(0, filled);
    const events = this.events;
    const time = this.lastTime;
    this.running = new Promise<void>((resolve) => {
      const entries: [string, DistributionDrift][] = [];
      const column = new Float64Array(filled);
      let c = 0;
      const next = (): void => {
        if (c < this.width) {
          for (let r = 0; r < filled; r++) column[r] = rows[r * this.width + c]!;
          entries.push([this.names[c]!, compareDistribution(this.profile.features[c]!, column, this.thresholds)]);
          c++;
          setImmediate(next);
          return;
        }
        const score = this.profile.score === undefined ? undefined : compareDistribution(this.profile.score, scores, this.thresholds);
        this.publish(assembleDriftReport(entries, score, filled, this.thresholds), events, time);
        this.running = null;
        resolve();
      };
      setImmediate(next);
    });
  }

  private publish(report: DriftReport, events: number, time: number): void {
    this.last = report;
    const psi: Record<string, number | null> = {};
    const status: Record<string, DriftStatus> = {};
    const entries = Object.entries(report.features);
    if (report.score !== undefined) entries.push(['score', report.score]);
    for (const [name, drift] of entries) {
      psi[name] = drift.psi.value;
      status[name] = drift.status;
      const before = this.statuses.get(name) ?? 'ok';
      if (rank(drift.status) > rank(before)) {
        const crossed = (['psi', 'ks', 'jensenShannon', 'wasserstein', 'missingRate'] as const).filter((s) => drift[s].status !== 'ok');
        this.logger.warn(
          { feature: name, status: drift.status, statistics: crossed, psi: drift.psi.value, ks: drift.ks.value, events },
          `Drift ${drift.status} on ${name}: ${crossed.join(', ')} crossed the ${drift.status} threshold over the last ${report.windowSize} events.`,
        );
      } else if (drift.status === 'ok' && before !== 'ok') {
        this.logger.info({ feature: name, events }, `Drift on ${name} is back to ok.`);
      }
      this.statuses.set(name, drift.status);
    }
    this.history.push({ events, time, psi, status });
    if (this.history.length > this.historyLength) this.history.shift();
  }

  private remap(names: readonly string[]): void {
    const index = new Map<string, number>();
    names.forEach((name, i) => index.set(name, i));
    this.mapping = Int32Array.from(this.names, (name) => index.get(name) ?? -1);
    this.mappingFor = names;
  }
}

function sameNames(a: readonly string[], b: readonly string[] | null): boolean {
  if (b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function rank(status: DriftStatus): number {
  return status === 'alert' ? 2 : status === 'warn' ? 1 : 0;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new MlsdError('INVALID_OPTION', `DriftMonitor: option "${name}" must be a whole number >= 1, got ${String(value)}.`, {
      location: { field: name },
    });
  }
  return value;
}
