import { MlsdError } from '@mlsd/data';
import type { DestinationStream, Logger } from 'pino';
import { z } from 'zod';
import type { Registry } from 'prom-client';
import type { FeatureBackend, ModelSource, ServedModel } from '../scoring/ports.js';
import type { ScoreObserver } from '../scoring/score-result.js';

/** A monitor as the service uses it: it observes scores and labels, reports, and closes. */
export interface ServiceMonitor extends ScoreObserver {
  /** The JSON of `GET /v1/monitoring`. */
  report(): unknown;
  /** Flushes what the monitor holds (e.g. its prediction log). */
  close?(): Promise<void>;
}

/** What a {@link MonitorFactory} gets: where to register gauges, where to log, and the champion loaded at start. */
export interface MonitorContext {
  readonly registry: Registry;
  readonly logger: Logger;
  /** The champion loaded at start (its `profile` is the drift reference); undefined when none loaded. */
  readonly model: ServedModel | undefined;
}

/** Builds the service's monitor; see the `monitor` option. */
export type MonitorFactory = (context: MonitorContext) => ServiceMonitor | undefined;

const probability = z.number().min(0).max(1);
const nonNegativeId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

function hasMethods<T>(names: readonly string[]) {
  return (value: unknown): value is T =>
    typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** The log levels the service accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The schema of {@link ScoringServiceOptions}: every setting with its default. Unknown keys are rejected.
 * The non-JSON dependencies (`models`, `features`, `monitor`, `logStream`) are checked for the methods the
 * service calls.
 */
export const scoringServiceOptionsSchema = z.strictObject({
  /** Where models come from: the registry (see `registryModelSource`). Required. */
  models: z.custom<ModelSource>(hasMethods(['load']), 'expected an object with a load(ref) method (a model registry)'),
  /** The online feature store (see `memoryFeatureBackend` / `redisFeatureBackend`). Required. */
  features: z.custom<FeatureBackend>(
    hasMethods(['forPipeline', 'ping', 'close']),
    'expected an object with forPipeline(json), ping() and close() (a feature backend)',
  ),
  /**
   * Builds the monitor once the champion is loaded (it gets the service's metrics registry, logger and the loaded
   * model with its reference profile): it observes every score and label, answers `GET /v1/monitoring` with
   * `report()`, and is closed on shutdown. Return `undefined` to run without monitoring. Default none.
   */
  monitor: z.custom<MonitorFactory>((value) => typeof value === 'function', 'expected a function (context) => monitor').optional(),
  /** The registry model name served as `{name}` in `/v2/models/{name}` and loaded as `name@champion`. Default `fraud`. */
  modelName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, `_`, `.` or `-`')
    .default('fraud'),
  /** Interface to listen on. Default `127.0.0.1` (use `0.0.0.0` in a container). */
  host: z.string().min(1).default('127.0.0.1'),
  /** TCP port; 0 picks a free one. Default 8080. */
  port: z.number().int().min(0).max(65535).default(8080),
  /** Budget of the model path (features + model) per transaction, in ms; beyond it the fallback answers. Default 20. */
  deadlineMs: z.number().positive().max(60_000).default(20),
  /** Score thresholds of the decision: `>= block` blocks, `>= review` reviews, else allows. Defaults 0.5 / 0.8. */
  thresholds: z
    .strictObject({ review: probability.default(0.5), block: probability.default(0.8) })
    .refine((t) => t.review <= t.block, { message: 'review must be <= block' })
    .prefault({}),
  /** Largest accepted request body, in bytes; larger ones get 413. Default 1 MiB. */
  bodyLimitBytes: z.number().int().positive().default(1_048_576),
  /** Deepest nesting of arrays and objects in a JSON body, checked before parsing; deeper is 400. Default 32. */
  maxJsonDepth: z.number().int().min(2).max(1000).default(32),
  /** Most values (`rows × features`) in one `/v2/.../infer` input tensor; more is 400. Default 1 000 000. */
  maxInferValues: z.number().int().positive().default(1_000_000),
  /** Most transactions in one batch `POST /v1/score`. Default 1000. */
  maxBatchSize: z.number().int().positive().default(1000),
  /** Bearer token for `POST /admin/reload` (at least 16 characters); without it the route refuses everyone. */
  adminToken: z.string().min(16, 'use at least 16 characters').optional(),
  /** Load shedding: beyond these bounds requests go to the fallback instead of queueing. */
  overload: z
    .strictObject({
      /** Transactions in the model path at once. Default 256. */
      maxInFlight: z.number().int().positive().default(256),
      /** Event-loop delay bound, ms (max over the last sample). Default 100. */
      maxEventLoopDelayMs: z.number().positive().default(100),
      /** Event-loop delay sampling interval, ms. Default 100. */
      sampleIntervalMs: z.number().int().positive().default(100),
    })
    .prefault({}),
  /** Circuit breakers of the model and of the feature store. */
  circuitBreaker: z
    .strictObject({
      /** Consecutive failures that open a circuit. Default 5. */
      failureThreshold: z.number().int().positive().default(5),
      /** Time an open circuit first waits before one probe call, ms; doubled after each failed probe. Default 250. */
      coolDownMs: z.number().int().nonnegative().default(250),
      /** Longest wait between probes of an open circuit, ms. Default 10 000. */
      maxCoolDownMs: z.number().int().nonnegative().default(10_000),
    })
    .prefault({}),
  /** The heuristic fallback rules (see `FallbackRules`). */
  fallback: z
    .strictObject({
      amountLimit: z.number().nonnegative().default(220),
      amountLimitScore: probability.default(0.9),
      customerMeanMultiple: z.number().positive().default(5),
      customerMeanScore: probability.default(0.6),
      riskyTerminals: z.array(nonNegativeId).default([]),
      riskyTerminalScore: probability.default(0.7),
      baseScore: probability.default(0),
    })
    .prefault({}),
  /** Raw online feature holding the customer's mean amount (for the fallback rule). */
  customerMeanFeature: z.string().min(1).default('CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW'),
  /** Feature contributions returned as `reasons`. Default 3. */
  topReasons: z.number().int().min(0).max(100).default(3),
  /**
   * Which model answers carry `reasons`: `flagged` (review and block decisions: what an analyst has to act on) or
   * `all`. Default `flagged`: exact TreeSHAP costs about 0.5 ms a row for 100 depth-6 trees, forty times the
   * prediction itself, which would spend the latency budget on explaining transactions nobody looks at.
   */
  explain: z.enum(['flagged', 'all']).default('flagged'),
  /** Shadow challenger jobs allowed to wait at once; more are skipped. Default 1000. */
  maxPendingShadow: z.number().int().nonnegative().default(1000),
  /** Registry versions kept loaded for `/v2/models/{name}/versions/{v}`. Default 4. */
  versionCacheSize: z.number().int().positive().default(4),
  /** How long readiness waits for the store's ping, ms. Default 250. */
  readinessTimeoutMs: z.number().positive().default(250),
  /** How long `close()` waits for in-flight requests before closing connections, ms. Default 10 000. */
  shutdownTimeoutMs: z.number().int().nonnegative().default(10_000),
  /** Log level. Default `info`. */
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** Where logs go (a pino destination). Default stdout. */
  logStream: z.custom<DestinationStream>(hasMethods(['write']), 'expected a writable stream').optional(),
  /** Log one line per scored transaction (ids hashed, never raw card data). Default true. */
  logDecisions: z.boolean().default(true),
  /** Salt of the card-id hash in logs; default a random one per process (hashes do not link across restarts). */
  logHashSalt: z.string().optional(),
  /** Expose Node process metrics (CPU, heap, event loop) on `/metrics`. Default true. */
  defaultMetrics: z.boolean().default(true),
});

/** The options of `createScoringService`, as the caller writes them (defaults optional). */
export type ScoringServiceOptions = z.input<typeof scoringServiceOptionsSchema>;

/** The options with every default filled in. */
export type ResolvedServiceOptions = z.output<typeof scoringServiceOptionsSchema>;

/**
 * Validates `options` and fills in defaults; throws `INVALID_OPTION` naming the option, the problem, and — for an
 * unknown key — the valid keys.
 */
export function resolveServiceOptions(options: unknown): ResolvedServiceOptions {
  const parsed = scoringServiceOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const shape = path === '' ? scoringServiceOptionsSchema.shape : nestedShape(path);
    throw new MlsdError(
      'INVALID_OPTION',
      `Unknown scoring service option ${issue.keys.map((k) => `'${path === '' ? k : `${path}.${k}`}'`).join(', ')}; ` +
        `valid options${path === '' ? '' : ` of '${path}'`} are: ${Object.keys(shape).join(', ')}.`,
      { location: { field: path === '' ? issue.keys[0]! : `${path}.${issue.keys[0]!}` } },
    );
  }
  throw new MlsdError('INVALID_OPTION', `Scoring service option '${path}' is invalid: ${issue.message}.`, {
    location: { field: path },
  });
}

function nestedShape(path: string): Record<string, unknown> {
  const field = scoringServiceOptionsSchema.shape[path as keyof typeof scoringServiceOptionsSchema.shape];
  // Nested option groups are `strictObject(...).prefault(...)` (optionally refined): unwrap to reach the shape.
  let inner: unknown = field;
  for (let i = 0; i < 4 && inner !== undefined; i++) {
    const def = (inner as { def?: { shape?: Record<string, unknown>; innerType?: unknown; in?: unknown } }).def;
    if (def?.shape !== undefined) return def.shape;
    inner = def?.innerType ?? def?.in;
  }
  return {};
}
