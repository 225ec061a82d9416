import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { BucketHistogram, type HistogramCell } from './bucket-histogram.js';
import type { CircuitState } from '../resilience/circuit-breaker.js';

/** Latency buckets in seconds: fine from 0.1 ms to the 20 ms model deadline, coarse above. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * The service's Prometheus metrics, on their own `prom-client` {@link Registry} (never the global one, so several
 * services can live in one process): HTTP latency per route, scoring latency per source, fallback counts by reason,
 * the served model version, requests in flight, circuit states and shadow scores. Monitoring gauges register on
 * the same registry.
 */
export class ServiceMetrics {
  /** The registry `/metrics` renders. */
  readonly registry: Registry;
  private readonly httpDuration: BucketHistogram;
  private readonly scoreDuration: BucketHistogram;
  private readonly fallbacks: Counter<'reason'>;
  private readonly modelInfo: Gauge<'model' | 'version'>;
  private inFlight = 0;
  private readonly circuit: Gauge<'dependency'>;
  private readonly backlogEvents: Counter<'outcome'>;
  private backlogSize = 0;
  private readonly loadFailures: Counter<'alias'>;
  // Label sets bound once (`labels(...)`) and reused: the per-request calls below then skip prom-client's label
  // object, validation and lookup. Each map holds one entry per label combination seen (a handful).
  private readonly boundHttp = new Map<string, HistogramCell>();
  private readonly boundScore = new Map<string, HistogramCell>();
  /** Per-request counts, by label value: read into their counters only when /metrics is scraped. */
  private readonly decisionCounts = new Map<string, number>();
  private readonly boundFallbacks = new Map<string, Counter.Internal>();
  private readonly shadowCounts = new Map<string, number>();

  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    this.registry = new Registry();
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'mlsd_' });
    // Histograms observed on every request: label sets bound once, no per-call hashing (see BucketHistogram).
    this.httpDuration = new BucketHistogram({
      name: 'mlsd_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern, method and status code.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.scoreDuration = new BucketHistogram({
      name: 'mlsd_score_duration_seconds',
      help: 'Time to score one transaction, by source (model or fallback).',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.fallbacks = new Counter({
      name: 'mlsd_fallback_total',
      help: 'Transactions answered by the heuristic fallback, by reason.',
      labelNames: ['reason'],
      registers,
    });
    const decisionCounts = this.decisionCounts;
    new Counter({
      name: 'mlsd_decisions_total',
      help: 'Scored transactions by decision (allow, review, block), model and fallback answers alike.',
      labelNames: ['decision'],
      registers,
      collect() {
        readCounts(this, 'decision', decisionCounts);
      },
    });
    this.modelInfo = new Gauge({
      name: 'mlsd_model_info',
      help: 'The served champion model: 1 for the loaded name and version.',
      labelNames: ['model', 'version'],
      // Merged across workers (serve --workers): the loaded model is 1 on any of them, not the number of workers.
      aggregator: 'max',
      registers,
    });
    // A plain counter per request, read into the gauge only when /metrics is scraped.
    const inFlight = (): number => this.inFlight;
    new Gauge({
      name: 'mlsd_in_flight_requests',
      help: 'HTTP requests being handled right now.',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
    this.circuit = new Gauge({
      name: 'mlsd_circuit_state',
      help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open.',
      labelNames: ['dependency'],
      // Merged across workers: the worst state.
      aggregator: 'max',
      registers,
    });
    const shadowCounts = this.shadowCounts;
    new Counter({
      name: 'mlsd_shadow_scores_total',
      help: 'Challenger shadow scores, by outcome (scored, failed, skipped).',
      labelNames: ['outcome'],
      registers,
      collect() {
        readCounts(this, 'outcome', shadowCounts);
      },
    });
    this.backlogEvents = new Counter({
      name: 'mlsd_store_backlog_total',
      help: 'Events held while the feature store was down, by outcome: replayed (recorded once it was back) or dropped (the backlog was full).',
      labelNames: ['outcome'],
      registers,
    });
    const backlogSize = (): number => this.backlogSize;
    new Gauge({
      name: 'mlsd_store_backlog_events',
      help: 'Events waiting to be recorded in the feature store (answered by the fallback while it was down).',
      registers,
      collect() {
        this.set(backlogSize());
      },
    });
    this.loadFailures = new Counter({
      name: 'mlsd_model_load_failures_total',
      help: 'Models that failed to load at a reload (e.g. a corrupt artifact), by registry alias.',
      labelNames: ['alias'],
      registers,
    });
  }

  /** Records one HTTP request's latency in seconds. */
  observeHttp(route: string, method: string, statusCode: number, seconds: number): void {
    const key = `${statusCode} ${method} ${route}`;
    let bound = this.boundHttp.get(key);
    if (bound === undefined) {
      bound = this.httpDuration.cell({ route, method, status_code: String(statusCode) });
      this.boundHttp.set(key, bound);
    }
    bound.observe(seconds);
  }

  /** Records one scored transaction: its latency in seconds, its decision and, for the fallback, its reason. */
  observeScore(source: 'model' | 'fallback', seconds: number, fallbackReason: string | undefined, decision: 'allow' | 'review' | 'block'): void {
    let score = this.boundScore.get(source);
    if (score === undefined) {
      score = this.scoreDuration.cell({ source });
      this.boundScore.set(source, score);
    }
    score.observe(seconds);
    this.decisionCounts.set(decision, (this.decisionCounts.get(decision) ?? 0) + 1);
    if (fallbackReason !== undefined) bound(this.boundFallbacks, this.fallbacks, 'reason', fallbackReason).inc();
  }

  /** Sets the served model (clears the previous one); `undefined` when no model is loaded. */
  setModel(model: { readonly name: string; readonly version: number } | undefined): void {
    this.modelInfo.reset();
    if (model !== undefined) this.modelInfo.set({ model: model.name, version: String(model.version) }, 1);
  }

  /** Adds `delta` (+1 on arrival, -1 on completion) to the in-flight gauge. */
  addInFlight(delta: number): void {
    this.inFlight += delta;
  }

  /** Sets a dependency's circuit state. */
  setCircuit(dependency: 'model' | 'store', state: CircuitState): void {
    this.circuit.set({ dependency }, CIRCUIT_VALUE[state]);
  }

  /** Counts `count` events of the store backlog that were replayed or dropped. */
  countBacklog(outcome: 'replayed' | 'dropped', count: number): void {
    this.backlogEvents.inc({ outcome }, count);
  }

  /** Sets the number of events waiting in the store backlog. */
  setBacklog(size: number): void {
    this.backlogSize = size;
  }

  /** Counts a model that failed to load under registry alias `alias`. */
  countModelLoadFailure(alias: 'champion' | 'challenger'): void {
    this.loadFailures.inc({ alias });
  }

  /** Counts one shadow scoring outcome. */
  countShadow(outcome: 'scored' | 'failed' | 'skipped'): void {
    this.shadowCounts.set(outcome, (this.shadowCounts.get(outcome) ?? 0) + 1);
  }
}

/** `metric`'s child bound to `label = value`, bound on first use and kept in `cache` (keyed by `value`). */
function bound<L extends string, T>(cache: Map<string, T>, metric: { labels(labels: Partial<Record<L, string>>): T }, label: L, value: string): T {
  let child = cache.get(value);
  if (child === undefined) {
    child = metric.labels({ [label]: value } as Partial<Record<L, string>>);
    cache.set(value, child);
  }
  return child;
}

/**
 * Sets `counter` to the counts kept by label value in `counts` (at scrape time: a counter's own `inc` builds and
 * hashes a labels object on every call, which a per-request count need not pay).
 */
function readCounts<L extends string>(counter: Counter<L>, label: L, counts: ReadonlyMap<string, number>): void {
  counter.reset();
  for (const [value, count] of counts) counter.inc({ [label]: value } as Partial<Record<L, string>>, count);
}
