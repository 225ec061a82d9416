/** The state of a {@link CircuitBreaker}: `closed` calls through, `open` refuses, `half-open` lets one probe through. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one probe call is let through, in ms. Default 10 000. */
  readonly coolDownMs?: number;
  /** The clock, in ms; injected so tests control time. Default `performance.now`. */
  readonly now?: () => number;
}

/**
 * A circuit breaker for one dependency (the model or the feature store), after Nygard's *Release It!*:
 * `failureThreshold` consecutive failures open it; while open, {@link tryAcquire} refuses without calling the
 * dependency; after `coolDownMs` it turns half-open and lets exactly one probe through — a success closes it, a
 * failure opens it for another cool-down. Counting consecutive failures (not a rate) keeps it O(1) per call.
 */
export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private current: CircuitState = 'closed';

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? 10_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** The current state; an open circuit whose cool-down has passed reads as `half-open`. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.coolDownMs) return 'half-open';
    return this.current;
  }

  /**
   * True when the caller may call the dependency now. In half-open state only the first caller gets `true` (the
   * probe); it must then report {@link success} or {@link failure}.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probeInFlight) return false;
    this.current = 'half-open';
    this.probeInFlight = true;
    return true;
  }

  /** Reports a successful call: closes the circuit. */
  success(): void {
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
    this.current = 'closed';
  }

  /** Reports a failed call: a failed probe, or the threshold reached, opens the circuit for a cool-down. */
  failure(): void {
    this.consecutiveFailures += 1;
    if (this.current === 'half-open' || this.consecutiveFailures >= this.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.now();
      this.probeInFlight = false;
    }
  }
}
