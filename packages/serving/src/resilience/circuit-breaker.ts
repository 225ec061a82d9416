/** The state of a {@link CircuitBreaker}: `closed` calls through, `open` refuses, `half-open` lets one probe through. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. Default 5. */
  readonly failureThreshold?: number;
  /** How long the circuit first stays open before one probe call is let through, in ms. Default 250. */
  readonly coolDownMs?: number;
  /**
   * Each failed probe doubles the cool-down, up to this, in ms; a success resets it to `coolDownMs`. Default
   * 10 000 (or `coolDownMs` when that is larger).
   */
  readonly maxCoolDownMs?: number;
  /** The clock, in ms; injected so tests control time. Default `performance.now`. */
  readonly now?: () => number;
}

/**
 * A circuit breaker for one dependency (the model or the feature store), after Nygard's *Release It!*:
 * `failureThreshold` consecutive failures open it; while open, {@link tryAcquire} refuses without calling the
 * dependency; after the cool-down it turns half-open and lets exactly one probe through — a success closes it, a
 * failure opens it again for twice the cool-down (exponential back-off from `coolDownMs` to `maxCoolDownMs`), so a
 * short outage is noticed over within a quarter of a second while a long one is probed ever more rarely. A probe
 * that reports nothing within the cool-down is given up, so a lost probe cannot keep the circuit half-open.
 * Counting consecutive failures (not a rate) keeps it O(1) per call. Callers report only the dependency's own
 * failures (unreachable, timed out), never an error caused by one request's values.
 */
export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly baseCoolDownMs: number;
  private readonly maxCoolDownMs: number;
  private readonly now: () => number;
  private coolDownMs: number;
  private consecutiveFailures = 0;
  private openedAt = 0;
  private probeStartedAt = -Infinity;
  private probeInFlight = false;
  private current: CircuitState = 'closed';

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.baseCoolDownMs = options.coolDownMs ?? 250;
    this.maxCoolDownMs = Math.max(options.maxCoolDownMs ?? 10_000, this.baseCoolDownMs);
    this.coolDownMs = this.baseCoolDownMs;
    this.now = options.now ?? (() => performance.now());
  }

  /** The current state; an open circuit whose cool-down has passed reads as `half-open`. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.coolDownMs) return 'half-open';
    return this.current;
  }

  /** The cool-down the circuit waits now before its next probe, in ms. */
  get currentCoolDownMs(): number {
    return this.coolDownMs;
  }

  /**
   * True when the caller may call the dependency now. In half-open state only the first caller gets `true` (the
   * probe); it must then report {@link success} or {@link failure}.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.probeInFlight && this.now() - this.probeStartedAt < this.coolDownMs) return false;
    this.current = 'half-open';
    this.probeInFlight = true;
    this.probeStartedAt = this.now();
    return true;
  }

  /** Reports a successful call: closes the circuit and resets the cool-down. */
  success(): void {
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
    this.coolDownMs = this.baseCoolDownMs;
    this.current = 'closed';
  }

  /** Reports a failed call: a failed probe (doubling the cool-down), or the threshold reached, opens the circuit. */
  failure(): void {
    this.consecutiveFailures += 1;
    if (this.current === 'half-open') {
      this.coolDownMs = Math.min(this.coolDownMs * 2, this.maxCoolDownMs);
    }
    if (this.current === 'half-open' || this.consecutiveFailures >= this.failureThreshold) {
      this.current = 'open';
      this.openedAt = this.now();
      this.probeInFlight = false;
    }
  }
}
