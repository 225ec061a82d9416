import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Options of {@link LoadShedder}. */
export interface LoadShedderOptions {
  /** Requests allowed in the model path at once; more are shed to the fallback. Default 256. */
  readonly maxInFlight?: number;
  /** Event-loop delay (max over the last sample interval, ms) above which requests are shed. Default 100. */
  readonly maxEventLoopDelayMs?: number;
  /** How often the event-loop delay is sampled, in ms. Default 100. */
  readonly sampleIntervalMs?: number;
}

/**
 * Decides when the service is overloaded, so that requests go to the cheap fallback at once instead of queueing:
 * when `maxInFlight` requests are already in the model path, or when the event loop was blocked for more than
 * `maxEventLoopDelayMs` during the last sample interval (Node's `monitorEventLoopDelay`). Call {@link start} to
 * begin sampling and {@link stop} on shutdown (the timer is unref'd, so it never keeps the process alive).
 */
export class LoadShedder {
  private readonly maxInFlight: number;
  private readonly maxEventLoopDelayMs: number;
  private readonly sampleIntervalMs: number;
  private histogram: IntervalHistogram | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastDelayMs = 0;
  private active = 0;

  constructor(options: LoadShedderOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? 256;
    this.maxEventLoopDelayMs = options.maxEventLoopDelayMs ?? 100;
    this.sampleIntervalMs = options.sampleIntervalMs ?? 100;
  }

  /** Requests currently in the model path. */
  get inFlight(): number {
    return this.active;
  }

  /** The event-loop delay measured over the last sample interval, in ms (max). */
  get eventLoopDelayMs(): number {
    return this.lastDelayMs;
  }

  /** Starts sampling the event-loop delay. Idempotent. */
  start(): void {
    if (this.histogram !== undefined) return;
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    this.histogram = histogram;
    this.timer = setInterval(() => {
      // The histogram's values are in nanoseconds; its max over the interval is the worst stall a request saw.
      this.lastDelayMs = histogram.max / 1e6;
      histogram.reset();
    }, this.sampleIntervalMs);
    this.timer.unref();
  }

  /** Stops sampling. Idempotent. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.histogram?.disable();
    this.timer = undefined;
    this.histogram = undefined;
    this.lastDelayMs = 0;
  }

  /**
   * Enters the model path when the service is not overloaded: returns true (then call {@link leave} once done), or
   * false when the request must be shed.
   */
  tryEnter(): boolean {
    if (this.active >= this.maxInFlight || this.lastDelayMs > this.maxEventLoopDelayMs) return false;
    this.active += 1;
    return true;
  }

  /** Leaves the model path entered with {@link tryEnter}. */
  leave(): void {
    this.active -= 1;
  }
}
