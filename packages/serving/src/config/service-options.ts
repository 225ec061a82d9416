import { MlsdError, defineSchema, type Schema } from '@mlsd/data';
import type { DestinationStream, Logger } from 'pino';
import { z } from 'zod';
import type { Registry } from 'prom-client';
import type { FallbackRuleSet } from '../fallback/rule-set.js';
import { rulesFileSchema } from '../fallback/rules-file.js';
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
const fieldName = z.string().min(1);

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
  /** Budget of the model path (features + model) per event, in ms; beyond it the fallback answers. Default 20. */
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
  /**
   * How far an event time may be ahead of the latest event time the service has admitted (or of the wall clock,
   * when that is later), in ms; a later one is refused with 400 before it touches the store. Default 1 day.
   */
  timeHorizonMs: z.number().int().positive().default(86_400_000),
  /**
   * Most events held while the feature store is down, to record once it is back (the oldest are dropped first,
   * counted in `mlsd_store_backlog_total{outcome="dropped"}`). Default 100 000.
   */
  storeBacklogCapacity: z.number().int().nonnegative().default(100_000),
  /** Most values (`rows × features`) in one `/v2/.../infer` input tensor; more is 400. Default 1 000 000. */
  maxInferValues: z.number().int().positive().default(1_000_000),
  /** Most events in one batch `POST /v1/score`. Default 1000. */
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
      /** Longest wait between probes of an open circuit, ms. Default 1000: a store back after a stall is found within a second. */
      maxCoolDownMs: z.number().int().nonnegative().default(1000),
    })
    .prefault({}),
  /**
   * The fallback: a declarative rules file's JSON (`{ baseScore?, rules: [{ field, operator, value, decision,
   * reason, score? }] }`, see `fallbackRulesFromJSON`) or a `FallbackRuleSet` function. Default: no rules, so a
   * fallback answer scores 0 and allows.
   */
  rules: z.union([z.custom<FallbackRuleSet>((value) => typeof value === 'function'), rulesFileSchema]).default({ rules: [] }),
  /**
   * The request schema of `POST /v1/score` (a data schema with roles, e.g. the one given to `ingest`). Default: the
   * champion's pipeline's raw event schema, so any registered model is served without code. With one given, the
   * fallback can answer before any model is loaded, and readiness fails when a model's pipeline needs a field it
   * lacks.
   */
  requestSchema: z
    .custom<Schema>(
      (value) => typeof value === 'object' && value !== null && Array.isArray((value as Schema).columns),
      'expected a schema { name, columns } (defineSchema)',
    )
    .transform((schema) => defineSchema(schema.name, schema.columns))
    .optional(),
  /**
   * The wire names of `/v1/score` answers and `/v1/feedback` bodies: the event id (`idField`, default `id`), the
   * label (`labelField`, default `label`) and how answers echo the label (`labelFormat`: `number` 0/1, default, or
   * `boolean`). The fraud example keeps its contract with `{ idField: 'transactionId', labelField: 'fraud',
   * labelFormat: 'boolean' }`.
   */
  api: z
    .strictObject({
      idField: fieldName.default('id'),
      labelField: fieldName.default('label'),
      labelFormat: z.enum(['number', 'boolean']).default('number'),
    })
    .refine((api) => api.idField !== api.labelField, { message: 'idField and labelField must differ' })
    .prefault({}),
  /**
   * The event fields of each decision log line, as `{ name, field, hash? }` (`hash`: a salted SHA-256 prefix instead
   * of the raw value). Default: every entity key of the request schema, hashed, under its column name.
   */
  decisionLogFields: z.array(z.strictObject({ name: fieldName, field: fieldName, hash: z.boolean().default(false) })).optional(),
  /**
   * The event fields the monitor reads: `unit`, the entity key experiments randomise by (default the request
   * schema's first entity key); `secondary`, another entity logged with each score (default the second entity key);
   * `amount`, the value at stake for money saved (default none).
   */
  monitorFields: z.strictObject({ unit: fieldName.optional(), secondary: fieldName.optional(), amount: fieldName.optional() }).prefault({}),
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
  /** Log one line per scored event (entity keys hashed by default). Default true. */
  logDecisions: z.boolean().default(true),
  /** Salt of the hashed fields in logs; default a random one per process (hashes do not link across restarts). */
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
      // Worded as @mlsd/data's rejectUnknownOptions words it, so every package's option errors read alike.
      `createScoringService: unknown option ${issue.keys.map((k) => `"${path === '' ? k : `${path}.${k}`}"`).join(', ')}. ` +
        `Valid options${path === '' ? '' : ` of "${path}"`}: ${Object.keys(shape).join(', ')}.`,
      { location: { field: path === '' ? issue.keys[0]! : `${path}.${issue.keys[0]!}` } },
    );
  }
  throw new MlsdError('INVALID_OPTION', `createScoringService: option "${path}" is invalid: ${issue.message}.`, {
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
