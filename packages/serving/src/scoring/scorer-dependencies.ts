import type { Logger } from 'pino';
import type { FallbackRules } from '../fallback/rules-engine.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import type { CircuitBreaker } from '../resilience/circuit-breaker.js';
import type { LoadShedder } from '../resilience/load-shedder.js';
import type { DecisionThresholds } from './decision.js';
import type { FeatureBackend, ModelSource } from './ports.js';

/** Dependencies and settings of a `Scorer`; the service builds them from its validated options. */
export interface ScorerDependencies {
  readonly modelName: string;
  readonly models: ModelSource;
  readonly features: FeatureBackend;
  readonly rules: FallbackRules;
  readonly thresholds: DecisionThresholds;
  /** Budget of the model path (features + model) per transaction, in ms. */
  readonly deadlineMs: number;
  readonly modelBreaker: CircuitBreaker;
  readonly storeBreaker: CircuitBreaker;
  readonly shedder: LoadShedder;
  readonly topReasons: number;
  /** Which model answers get `reasons`: review/block decisions only (`flagged`) or every one (`all`). */
  readonly explain: 'flagged' | 'all';
  /** Raw feature holding the customer's mean amount, for the `amount-far-above-customer-mean` rule. */
  readonly customerMeanFeature: string;
  /** Shadow jobs allowed to wait at once; more are skipped (counted) so shadowing never builds a backlog. */
  readonly maxPendingShadow: number;
  /** How many registry versions `/v2/models/{name}/versions/{v}` keeps loaded. */
  readonly versionCacheSize: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly now: () => number;
}
