import type { Logger } from 'pino';
import type { FallbackRuleSet } from '../fallback/rule-set.js';
import type { EventRequestSchema } from '../http/event-request-schema.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import type { CircuitBreaker } from '../resilience/circuit-breaker.js';
import type { LoadShedder } from '../resilience/load-shedder.js';
import type { DecisionThresholds } from './decision.js';
import type { FeatureBackend, ModelSource } from './ports.js';

/** Dependencies and settings of a `Scorer`; the service builds them from its validated options. */
export interface ScorerDependencies {
  readonly modelName: string;
  /** The name of the event id in answers and log lines (the `api.idField` option). */
  readonly idField: string;
  readonly models: ModelSource;
  readonly features: FeatureBackend;
  readonly rules: FallbackRuleSet;
  /** The service's own request schema; undefined to take each model's (`OnlineFeatures.eventSchema`). */
  readonly requestSchema: EventRequestSchema | undefined;
  /** Which event fields the monitor's view of an event is made of (see `monitorFields`). */
  readonly monitorFields: { readonly unit?: string | undefined; readonly secondary?: string | undefined; readonly amount?: string | undefined };
  readonly thresholds: DecisionThresholds;
  /** Budget of the model path (features + model) per event, in ms. */
  readonly deadlineMs: number;
  readonly modelBreaker: CircuitBreaker;
  readonly storeBreaker: CircuitBreaker;
  readonly shedder: LoadShedder;
  readonly topReasons: number;
  /** Which model answers get `reasons`: review/block decisions only (`flagged`) or every one (`all`). */
  readonly explain: 'flagged' | 'all';
  /** Shadow jobs allowed to wait at once; more are skipped (counted) so shadowing never builds a backlog. */
  readonly maxPendingShadow: number;
  /** How many registry versions `/v2/models/{name}/versions/{v}` keeps loaded. */
  readonly versionCacheSize: number;
  /** Most events held for the store while it is down (see `RequestPath`); the oldest are dropped beyond it. */
  readonly storeBacklogCapacity: number;
  /** How far ahead of the latest event time seen (or the wall clock) an event time may be, ms. */
  readonly timeHorizonMs: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** A monotonic clock in ms, for latencies and deadlines. */
  readonly now: () => number;
  /** The wall clock, epoch ms, for event-time bounds. */
  readonly wallClock: () => number;
}
