import { randomBytes } from 'node:crypto';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { resolveServiceOptions, type ResolvedServiceOptions, type ScoringServiceOptions } from '../config/service-options.js';
import { fallbackRulesFromJSON } from '../fallback/rules-file.js';
import { cardHasher } from '../observability/card-hasher.js';
import { closeServiceLogger, createServiceLogger } from '../observability/logger.js';
import { LazyRequestLogger } from '../observability/lazy-request-logger.js';
import { ServiceMetrics } from '../observability/service-metrics.js';
import { CircuitBreaker } from '../resilience/circuit-breaker.js';
import { LoadShedder } from '../resilience/load-shedder.js';
import { Scorer } from '../scoring/scorer.js';
import { registerDashboardRoutes } from './dashboard/dashboard-routes.js';
import { registerDocs } from './docs/register-docs.js';
import { routeDocs } from './docs/route-docs.js';
import { toHttpError } from './error-status.js';
import { EventRequestSchema } from './event-request-schema.js';
import { checkJsonDepth } from './json-depth.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerInferenceV2Routes } from './routes/inference-v2-routes.js';
import { registerOpsRoutes } from './routes/ops-routes.js';
import { registerScoreRoutes } from './routes/score-routes.js';
import type { ServiceContext } from './service-context.js';

/** A running (or ready to start) scoring service. */
export interface ScoringService {
  /** The Fastify instance (use `app.inject` in tests). */
  readonly app: FastifyInstance;
  /** The scoring core: current model, reload, status. */
  readonly scorer: Scorer;
  /** The Prometheus metrics; register more metrics (e.g. monitoring gauges) on `metrics.registry`. */
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  /** The validated options with defaults filled in. */
  readonly options: ResolvedServiceOptions;
  /** Listens on `options.host:options.port`; resolves to the base URL, e.g. `http://127.0.0.1:8080`. */
  start(): Promise<string>;
  /**
   * Graceful shutdown: stops accepting connections, drains requests in flight (up to `shutdownTimeoutMs`, then
   * closes the remaining connections), closes the monitor, then closes the feature backend. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Builds the scoring HTTP service (Fastify 5): validates `options` (throws `INVALID_OPTION` naming the bad or
 * unknown option), loads the registry's champion — when that fails the service still starts and answers through
 * the fallback rules (`fallbackReason: "no-model"`) until `POST /admin/reload` succeeds — and registers the routes:
 * `POST /v1/score`, `POST /v1/feedback`, `GET /v1/monitoring`, the Open Inference Protocol under `/v2`,
 * `GET /metrics` and `POST /admin/reload`. Bodies are JSON only, limited to `bodyLimitBytes` and `maxJsonDepth`
 * levels of nesting (checked before parsing); `__proto__` and `constructor.prototype` keys are refused (400) by the
 * JSON parser.
 */
export async function createScoringService(options: ScoringServiceOptions): Promise<ScoringService> {
  const resolved = resolveServiceOptions(options);
  const logger = createServiceLogger(resolved.logLevel, resolved.logStream);
  const metrics = new ServiceMetrics({ defaultMetrics: resolved.defaultMetrics });
  const shedder = new LoadShedder(resolved.overload);
  const scorer = new Scorer({
    modelName: resolved.modelName,
    idField: resolved.api.idField,
    models: resolved.models,
    features: resolved.features,
    rules: typeof resolved.rules === 'function' ? resolved.rules : fallbackRulesFromJSON(resolved.rules, resolved.thresholds, 'Option "rules"'),
    requestSchema: resolved.requestSchema === undefined ? undefined : new EventRequestSchema(resolved.requestSchema),
    monitorFields: resolved.monitorFields,
    thresholds: resolved.thresholds,
    deadlineMs: resolved.deadlineMs,
    modelBreaker: new CircuitBreaker(resolved.circuitBreaker),
    storeBreaker: new CircuitBreaker(resolved.circuitBreaker),
    shedder,
    topReasons: resolved.topReasons,
    explain: resolved.explain,
    maxPendingShadow: resolved.maxPendingShadow,
    versionCacheSize: resolved.versionCacheSize,
    storeBacklogCapacity: resolved.storeBacklogCapacity,
    timeHorizonMs: resolved.timeHorizonMs,
    logger,
    metrics,
    now: () => performance.now(),
    wallClock: () => Date.now(),
  });

  const app = fastify({
    // Fastify bundles its own pino types; our pino Logger is structurally the same logger.
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // One decision line per event instead of Fastify's two lines per request.
    logController: new LogController({ disableRequestLogging: true }),
    // `request.log` is made only when a request logs (errors): see LazyRequestLogger.
    childLoggerFactory: (parent, bindings, childOptions) => new LazyRequestLogger(parent, bindings, childOptions),
    bodyLimit: resolved.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  // JSON only: without this Fastify would also accept text/plain bodies.
  app.removeContentTypeParser('text/plain');
  // Fastify's JSON parser (prototype-poisoning checks included), after a depth scan: a deeply nested body is
  // refused before any parser or recursive walk spends the event loop on it.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      checkJsonDepth(body as string, resolved.maxJsonDepth);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
  // Drawn here when not configured: the log writer thread hashes with the same salt as this thread.
  const hashSalt = resolved.logHashSalt ?? randomBytes(16).toString('hex');
  const context: ServiceContext = {
    options: resolved,
    scorer,
    metrics,
    logger,
    hashKey: cardHasher(hashSalt),
    hashSalt,
  };

  // Callback hooks, not async ones: they run on every request and need no promise.
  app.addHook('onRequest', (_request, _reply, done) => {
    metrics.addInFlight(1);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.addInFlight(-1);
    metrics.observeHttp(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.setErrorHandler(async (error, request, reply) => {
    const answer = toHttpError(error);
    if (answer.internal) request.log.error({ err: error, url: request.url }, 'request failed');
    const v2 = request.url.startsWith('/v2');
    return reply.code(answer.statusCode).send(v2 ? { error: answer.message } : { error: answer.message, code: answer.code });
  });
  app.setNotFoundHandler(async (request, reply) => {
    const message = `No route ${request.method} ${request.url.split('?')[0]}; see the serving README for the endpoints.`;
    return reply.code(404).send(request.url.startsWith('/v2') ? { error: message } : { error: message, code: 'NOT_FOUND' });
  });

  try {
    await scorer.reload();
  } catch (error) {
    logger.error({ err: error }, 'no model loaded at start; answering with the fallback rules until a reload succeeds');
  }
  // After the first load: the docs describe the request schema of the model served at start (or the configured one).
  let request: EventRequestSchema | undefined;
  try {
    request = scorer.requestSchema();
  } catch {
    request = undefined;
  }
  await registerDocs(
    app,
    routeDocs({ maxBatchSize: resolved.maxBatchSize, modelName: resolved.modelName, api: resolved.api, ...(request === undefined ? {} : { request }) }),
  );
  registerScoreRoutes(app, context);
  registerInferenceV2Routes(app, context);
  registerOpsRoutes(app, context);
  registerAdminRoutes(app, context);
  registerDashboardRoutes(app, context);
  const monitor = resolved.monitor?.({ registry: metrics.registry, logger, model: scorer.model });
  scorer.setObserver(monitor);
  context.monitor = monitor;
  shedder.start();
  await app.ready();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const force = setTimeout(() => app.server.closeAllConnections(), resolved.shutdownTimeoutMs);
      force.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(force);
        shedder.stop();
      }
      await monitor?.close?.();
      await resolved.features.close();
      await closeServiceLogger(logger);
    })();
    return closing;
  };

  return {
    app,
    scorer,
    metrics,
    logger,
    options: resolved,
    async start() {
      return app.listen({ host: resolved.host, port: resolved.port });
    },
    close,
  };
}
