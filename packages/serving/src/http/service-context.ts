import type { Logger } from 'pino';
import type { ResolvedServiceOptions, ServiceMonitor } from '../config/service-options.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import type { Scorer } from '../scoring/scorer.js';

/** What the route modules share: the validated options, the scorer, metrics, the logger, the card hasher, the monitor. */
export interface ServiceContext {
  readonly options: ResolvedServiceOptions;
  readonly scorer: Scorer;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  /** Salted hash of a logged key (see `decisionLogFields`). */
  readonly hashKey: (key: string | number) => string;
  /** The salt `hashKey` hashes with. */
  readonly hashSalt: string;
  /** The monitor, once built (after the first model load); undefined without monitoring. */
  monitor?: ServiceMonitor | undefined;
}
