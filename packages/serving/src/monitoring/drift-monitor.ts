import { MlsdError, denseMatrix } from '@mlsd/data';
import { compareToProfile, resolveDriftThresholds, type DriftReport, type DriftStatus, type DriftThresholdOptions, type DriftThresholds, type ReferenceProfile } from '@mlsd/eval';
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
 * recomputes every statistic with `compareToProfile` (about a millisecond per thousand rows and ten features)
 * and logs ONE warning per feature when its status rises (ok → warn, warn → alert), one info line when it
 * recovers — never one per request.
 */
export class DriftMonitor {
  readonly windowSize: number;
  readonly step: number;
  readonly minEvents: number;
  readonly thresholds: DriftThresholds;
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
    const valid = ['windowSize', 'step', 'minEvents', 'thresholds', 'historyLength'];
    for (const key of Object.keys(options)) {
      if (!valid.includes(key)) {
        throw new MlsdError('INVALID_OPTION', `DriftMonitor: unknown option "${key}". Valid options: ${valid.join(', ')}.`, {
          location: { field: key },
        });
      }
    }
    this.windowSize = positiveInteger('windowSize', options.windowSize ?? 2000);
    this.step = positiveInteger('step', options.step ?? 500);
    this.minEvents = positiveInteger('minEvents', options.minEvents ?? Math.min(500, this.windowSize));
    this.historyLength = positiveInteger('historyLength', options.historyLength ?? 500);
    if (this.minEvents > this.windowSize) {
      throw new MlsdError(
        'INVALID_OPTION',
        `DriftMonitor: minEvents (${this.minEvents}) exceeds windowSize (${this.windowSize}); the window could never be ready. Lower minEvents or raise windowSize.`,
        { location: { field: 'minEvents' } },
      );
    }
    this.thresholds = resolveDriftThresholds(options.thresholds);
    this.names = profile.features.map((f) => f.name);
    this.width = this.names.length;
    this.rows = new Float64Array(this.windowSize * this.width);
    this.scores = new Float64Array(this.windowSize);
  }

  /**
   * Adds one scored event: `values[i]` is the feature called `names[i]` (matched to the profile by name; a
   * profiled feature absent from `names` counts as missing), `score` the model's score, `time` its time in ms.
   * Pass the same `names` array each time: the name mapping is cached on its identity.
   */
  add(names: readonly string[], values: ArrayLike<number>, score: number, time: number): void {
    if (names !== this.mappingFor) this.remap(names);
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
    if (this.filled >= this.minEvents && (this.last === null || this.sinceComputed >= this.step)) this.compute();
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

  private compute(): void {
    const matrix = denseMatrix(this.rows.subarray(0, this.filled * this.width), this.filled, this.width, this.names);
    const window = this.profile.score === undefined ? { features: matrix } : { features: matrix, scores: this.scores.subarray(0, this.filled) };
    const report = compareToProfile(this.profile, window, { thresholds: this.thresholds });
    this.last = report;
    this.sinceComputed = 0;
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
          { feature: name, status: drift.status, statistics: crossed, psi: drift.psi.value, ks: drift.ks.value, events: this.events },
          `Drift ${drift.status} on ${name}: ${crossed.join(', ')} crossed the ${drift.status} threshold over the last ${this.filled} events.`,
        );
      } else if (drift.status === 'ok' && before !== 'ok') {
        this.logger.info({ feature: name, events: this.events }, `Drift on ${name} is back to ok.`);
      }
      this.statuses.set(name, drift.status);
    }
    this.history.push({ events: this.events, time: this.lastTime, psi, status });
    if (this.history.length > this.historyLength) this.history.shift();
  }

  private remap(names: readonly string[]): void {
    const index = new Map<string, number>();
    names.forEach((name, i) => index.set(name, i));
    this.mapping = Int32Array.from(this.names, (name) => index.get(name) ?? -1);
    this.mappingFor = names;
  }
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
