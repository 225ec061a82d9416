import type { Logger } from 'pino';
import type { ResolvedServiceOptions } from '../config/service-options.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import type { Scorer } from '../scoring/scorer.js';

/** What the route modules share: the validated options, the scorer, metrics, the logger and the card hasher. */
export interface ServiceContext {
  readonly options: ResolvedServiceOptions;
  readonly scorer: Scorer;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  readonly hashCard: (cardId: number) => string;
}
