import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Options of {@link LoadShedder}. */
export interface LoadShedderOptions {
  /** Requests allowed in the model path at once; more are shed to the fallback. Default 256. */
  readonly maxInFlight?: number;
  /** Event-loop delay (max over the last sample interval, ms) above which requests are shed. Default 100. */
  readonly maxEventLoopDelayMs?: number;
  /** How often the event-loop delay is sampled, in ms. Default 100. */
  readonly sampleIntervalMs?: number;
  /**
   * Returns the worst event-loop delay (ms) since its previous call. Default: the max of Node's
   * `monitorEventLoopDelay` histogram, reset at each call. Injected in tests.
   */
  readonly measureDelayMs?: () => number;
}

/**
 * Decides when the service is overloaded, so that requests go to the cheap fallback at once instead of queueing:
 * when `maxInFlight` requests are already in the model path, or when the event loop was blocked for more than
 * `maxEventLoopDelayMs` during the last two sample intervals (Node's `monitorEventLoopDelay`). Call {@link start} to
 * begin sampling and {@link stop} on shutdown (the timer is unref'd, so it never keeps the process alive).
 */
export class LoadShedder {
  private readonly maxInFlight: number;
  private readonly maxEventLoopDelayMs: number;
  private readonly sampleIntervalMs: number;
  private readonly measureDelayMs: (() => number) | undefined;
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastDelayMs = 0;
  private previousDelayMs = 0;
  private active = 0;
  private excused = 0;

  constructor(options: LoadShedderOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? 256;
    this.maxEventLoopDelayMs = options.maxEventLoopDelayMs ?? 100;
    this.sampleIntervalMs = options.sampleIntervalMs ?? 100;
    this.measureDelayMs = options.measureDelayMs;
  }

  /** Requests currently in the model path. */
  get inFlight(): number {
    return this.active;
  }

  /** The event-loop delay measured over the last two sample intervals, in ms (max). */
  get eventLoopDelayMs(): number {
    return Math.max(this.lastDelayMs, this.previousDelayMs);
  }

  /** Starts sampling the event-loop delay every `sampleIntervalMs`. Idempotent. */
  start(): void {
    if (this.timer !== undefined) return;
    if (this.measureDelayMs === undefined) {
      this.histogram = monitorEventLoopDelay({ resolution: 10 });
      this.histogram.enable();
    }
    this.timer = setInterval(() => this.sample(), this.sampleIntervalMs);
    this.timer.unref();
  }

  /**
   * Takes one event-loop delay sample (the timer of {@link start} calls it). A stall is remembered for the two
   * latest samples, i.e. for at least one full interval after it ends.
   */
  sample(): void {
    this.previousDelayMs = this.lastDelayMs;
    const delay = this.measureDelayMs === undefined ? this.histogramMaxMs() : this.measureDelayMs();
    this.lastDelayMs = this.excused > 0 ? 0 : delay;
  }

  /**
   * Runs `work` (e.g. loading a new model to swap in) with its own event-loop stalls excused: while it runs, and for
   * one sample interval after (the stall shows in the sample taken after it ends), the delay bound does not shed;
   * the in-flight bound still does. A reload is a known, one-off pause, not overload: shedding the requests that
   * queued behind it would only make the swap visible to clients.
   */
  async excuseStalls<T>(work: () => Promise<T>): Promise<T> {
    this.excused += 1;
    this.lastDelayMs = 0;
    this.previousDelayMs = 0;
    try {
      return await work();
    } finally {
      const release = setTimeout(() => {
        this.excused -= 1;
      }, this.sampleIntervalMs * 2);
      release.unref();
      this.lastDelayMs = 0;
      this.previousDelayMs = 0;
    }
  }

  private histogramMaxMs(): number {
    const histogram = this.histogram;
    if (histogram === undefined) return 0;
    // The histogram is in nanoseconds; its max over the interval is the worst stall a request saw.
    const max = histogram.max / 1e6;
    histogram.reset();
    return max;
  }

  /** Stops sampling. Idempotent. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.histogram?.disable();
    this.timer = undefined;
    this.histogram = undefined;
    this.lastDelayMs = 0;
    this.previousDelayMs = 0;
  }

  /**
   * Enters the model path when the service is not overloaded: returns true (then call {@link leave} once done), or
   * false when the request must be shed.
   */
  tryEnter(): boolean {
    if (this.active >= this.maxInFlight || (this.excused === 0 && this.eventLoopDelayMs > this.maxEventLoopDelayMs)) return false;
    this.active += 1;
    return true;
  }

  /** Leaves the model path entered with {@link tryEnter}. */
  leave(): void {
    this.active -= 1;
  }
}
