import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { HTTP_STATUS_BY_CODE } from '../error-status.js';
import type { EventRequestSchema } from '../event-request-schema.js';
import { feedbackBodySchema } from '../feedback-schema.js';
import { inferRequestSchema } from '../request-schemas.js';
import { DECISIONS } from '../../scoring/decision.js';
import { FALLBACK_REASONS } from '../../scoring/score-result.js';

/** A JSON Schema object as OpenAPI 3.0 embeds it. */
type JsonSchema = Record<string, unknown>;

/** What the route documentation depends on: the batch limit, the model name, the wire names, the request schema. */
export interface RouteDocsOptions {
  readonly maxBatchSize: number;
  readonly modelName: string;
  /** The wire names of the id and the label (the service's `api` option). */
  readonly api: { readonly idField: string; readonly labelField: string; readonly labelFormat: 'number' | 'boolean' };
  /**
   * The request schema when the docs are built (the service's own, or the champion's at start); without one the body
   * is documented as an object in the served model's schema.
   */
  readonly request?: EventRequestSchema;
}

/**
 * The JSON Schema of what a zod schema accepts (its input side, so a transform documents what the client sends),
 * in OpenAPI 3.0's dialect. The routes keep validating with the zod schema itself: this is its description.
 */
export function zodToOpenApi(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

const ERROR_CODES = Object.keys(HTTP_STATUS_BY_CODE).sort();

const errorBody: JsonSchema = {
  type: 'object',
  description: 'An error: what was wrong, where, and how to fix it; `code` is the MlsdError code that set the status.',
  properties: { error: { type: 'string' }, code: { type: 'string', enum: ERROR_CODES } },
  required: ['error'],
};

const v2ErrorBody: JsonSchema = {
  type: 'object',
  description: 'An Open Inference Protocol error.',
  properties: { error: { type: 'string' } },
  required: ['error'],
};

const idValue: JsonSchema = { oneOf: [{ type: 'integer' }, { type: 'string' }], description: 'The event id, as sent.' };

const anyEvent: JsonSchema = {
  type: 'object',
  description: "One event in the served model's request schema (its pipeline's raw event schema); no model was loaded when these docs were built.",
  additionalProperties: true,
};

const scoreResult = (idField: string): JsonSchema => ({
  type: 'object',
  properties: {
    [idField]: idValue,
    score: { type: 'number', minimum: 0, maximum: 1, description: "P(positive) from the model, or the fallback rules' score." },
    decision: { type: 'string', enum: [...DECISIONS] },
    source: { type: 'string', enum: ['model', 'fallback'] },
    fallbackReason: { type: 'string', enum: [...FALLBACK_REASONS], description: 'Why the fallback rules answered (only when source is fallback).' },
    modelVersion: { type: 'integer', nullable: true, description: 'The champion version that answered or would have; null when none is loaded.' },
    reasons: {
      type: 'array',
      description: 'Top feature contributions (model, review and block answers) or the rules that fired (fallback).',
      items: {
        type: 'object',
        properties: { feature: { type: 'string' }, value: { type: 'number' }, contribution: { type: 'number' }, rule: { type: 'string' } },
      },
    },
    latencyMs: { type: 'number', description: 'Time spent scoring, in ms.' },
    late: {
      type: 'boolean',
      enum: [true],
      description: 'Present when the event is older than the latest event of one of its entities (scored; recorded only within the lateness bound).',
    },
    duplicate: {
      type: 'boolean',
      enum: [true],
      description: 'Present when this id was scored before within the idempotency window: the first answer again, nothing recorded.',
    },
  },
  required: [idField, 'score', 'decision', 'source', 'modelVersion', 'reasons', 'latencyMs'],
});

const feedbackAnswer = (api: RouteDocsOptions['api']): JsonSchema => ({
  type: 'object',
  properties: {
    [api.idField]: idValue,
    [api.labelField]: api.labelFormat === 'boolean' ? { type: 'boolean' } : { type: 'integer', enum: [0, 1] },
    accepted: { type: 'boolean' },
    featureStoreEvents: { type: 'integer', description: 'Stored events the label reached (0: the store no longer knows the event).' },
  },
  required: [api.idField, api.labelField, 'accepted', 'featureStoreEvents'],
});

const circuitState: JsonSchema = { type: 'string', enum: ['closed', 'half-open', 'open'] };

const serviceStatus: JsonSchema = {
  type: 'object',
  properties: {
    modelLoaded: { type: 'boolean' },
    modelVersion: { type: 'integer', nullable: true },
    challengerVersion: { type: 'integer', nullable: true },
    degraded: { type: 'boolean' },
    issues: { type: 'array', items: { type: 'string' } },
    circuits: { type: 'object', properties: { model: circuitState, store: circuitState } },
    inFlight: { type: 'integer' },
    eventLoopDelayMs: { type: 'number' },
  },
};

const monitoringReport: JsonSchema = {
  type: 'object',
  description: "The monitor's report (see the @mlsd/monitoring README for every field) plus `service`, the scorer's health.",
  properties: {
    kind: { type: 'string', enum: ['mlsd-monitoring-report'] },
    schemaVersion: { type: 'integer', enum: [1] },
    generatedAt: { type: 'string', format: 'date-time' },
    drift: {
      type: 'object',
      description: 'Sliding-window drift: `ready`, `status`, `features` by name (PSI, KS, Jensen–Shannon, Wasserstein, missing rate), `score`, `drifted`.',
      additionalProperties: true,
    },
    quality: {
      type: 'object',
      description: 'Live quality as labels arrive: average precision, recall and precision at review, fallback and alert rates.',
      additionalProperties: true,
    },
    experiment: { type: 'object', nullable: true, description: 'The champion/challenger experiment, null when none runs.', additionalProperties: true },
    feedback: { type: 'object', properties: { pending: { type: 'integer' }, unmatched: { type: 'integer' } } },
    predictionLog: { type: 'object', nullable: true, additionalProperties: true },
    service: serviceStatus,
  },
};

const reloadResult: JsonSchema = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    previousVersion: { type: 'integer', nullable: true },
    version: { type: 'integer' },
    challengerVersion: { type: 'integer', nullable: true },
  },
  required: ['model', 'previousVersion', 'version', 'challengerVersion'],
};

const modelParams: JsonSchema = { type: 'object', properties: { name: { type: 'string', description: 'The registry model name.' } }, required: ['name'] };
const versionParams: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'The registry model name.' },
    version: { type: 'string', pattern: '^[1-9][0-9]{0,8}$', description: 'A registry version.' },
  },
  required: ['name', 'version'],
};

const modelMetadata: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: { type: 'object', additionalProperties: true } },
    outputs: { type: 'array', items: { type: 'object', additionalProperties: true } },
    parameters: { type: 'object', properties: { feature_names: { type: 'array', items: { type: 'string' } } } },
  },
};

const inferResponse: JsonSchema = {
  type: 'object',
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    outputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          datatype: { type: 'string' },
          shape: { type: 'array', items: { type: 'integer' } },
          data: { type: 'array', items: { type: 'number' } },
        },
      },
    },
  },
};

function json(description: string, schema: JsonSchema): JsonSchema {
  return { description, ...schema };
}

function errors(codes: readonly number[], body: JsonSchema = errorBody): Record<number, JsonSchema> {
  const out: Record<number, JsonSchema> = {};
  for (const code of codes) out[code] = body;
  return out;
}

/**
 * The OpenAPI description of every route of the scoring service, keyed `METHOD url` as Fastify registers it.
 * Request bodies come from the zod schemas the routes validate with; the routes keep validating with zod (so a 400
 * is worded the same), these schemas only document them. A route missing here fails the service's docs test.
 */
export function routeDocs(options: RouteDocsOptions): Readonly<Record<string, FastifySchema>> {
  const event = options.request === undefined ? anyEvent : zodToOpenApi(options.request.bodySchema);
  const feedback =
    options.request === undefined
      ? {
          type: 'object',
          properties: { [options.api.idField]: idValue, [options.api.labelField]: { oneOf: [{ type: 'boolean' }, { type: 'integer', enum: [0, 1] }] } },
          required: [options.api.idField, options.api.labelField],
        }
      : zodToOpenApi(feedbackBodySchema(options.request, options.api));
  const result = scoreResult(options.api.idField);
  const answer = feedbackAnswer(options.api);
  const batch = (item: JsonSchema): JsonSchema => ({ type: 'array', minItems: 1, maxItems: options.maxBatchSize, items: item });
  const v2 = ['Open Inference Protocol'];
  const model = `The model name is the registry name (\`${options.modelName}\`).`;
  const readyDoc = (params: JsonSchema): FastifySchema => ({
    tags: v2,
    summary: 'Model readiness',
    description: `200 when the model is loaded; otherwise the error's status from the one table (503 without a champion, 404 for an unknown model). ${model}`,
    params,
    response: {
      200: json('The model is ready.', { type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, ready: { type: 'boolean' } } }),
      ...errors([400, 404, 503], v2ErrorBody),
    },
  });
  const metadataDoc = (params: JsonSchema): FastifySchema => ({
    tags: v2,
    summary: 'Model metadata',
    description: `Input \`features\` FP32 [-1, F] with \`parameters.feature_names\`, output \`probability\` FP64 [-1, 1]. ${model}`,
    params,
    response: { 200: json('Model metadata.', modelMetadata), ...errors([400, 404, 503], v2ErrorBody) },
  });
  const inferDoc = (params: JsonSchema): FastifySchema => ({
    tags: v2,
    summary: 'Inference on feature rows',
    description: `One input tensor of [N, F] rows (flat row-major or nested), the raw model without fallback. ${model}`,
    params,
    body: zodToOpenApi(inferRequestSchema),
    response: { 200: json('P(positive) per row.', inferResponse), ...errors([400, 404, 503], v2ErrorBody) },
  });
  return {
    'POST /v1/score': {
      tags: ['Scoring'],
      summary: 'Score one event or a batch',
      description:
        `One event, or an array of 1 to ${options.maxBatchSize} scored in order. The model answers within the deadline; the fallback rules ` +
        'answer whenever it cannot (`source: "fallback"` with a `fallbackReason`). Keys the schema does not list are ignored.',
      body: { oneOf: [event, batch(event)] },
      response: { 200: json('The answer (an array for a batch).', { oneOf: [result, { type: 'array', items: result }] }), ...errors([400, 413, 415, 503]) },
    },
    'POST /v1/feedback': {
      tags: ['Scoring'],
      summary: 'Report a late label',
      description: `A label (true/false or 1/0) for an event scored earlier, or an array of up to ${options.maxBatchSize} validated whole then applied in order. Feeds the delayed label features and the monitor.`,
      body: { oneOf: [feedback, batch(feedback)] },
      response: { 200: json('Accepted (an array for a batch).', { oneOf: [answer, { type: 'array', items: answer }] }), ...errors([400, 413, 415, 503]) },
    },
    'GET /v1/monitoring': {
      tags: ['Monitoring'],
      summary: 'Monitoring report',
      description:
        'Drift per feature, live quality, the experiment, feedback and prediction-log counters, and the service health. 404 when the service runs without a monitor.',
      response: { 200: json('The report.', monitoringReport), ...errors([404]) },
    },
    'GET /metrics': {
      tags: ['Monitoring'],
      summary: 'Prometheus metrics',
      description:
        'Prometheus text format: HTTP and scoring latency, fallbacks by reason, model info, in-flight requests, circuits, shadow scores, monitoring gauges, Node process metrics.',
      produces: ['text/plain'],
      response: { 200: json('Prometheus exposition format.', { type: 'string' }) },
    },
    'GET /dashboard': {
      tags: ['Monitoring'],
      summary: 'Live dashboard',
      description:
        'An HTML page refreshed from /metrics and /v1/monitoring (`?refresh=ms`, default 2000): scores per second, decisions, fallbacks by reason, latency, drift per feature, live quality, the experiment. Its assets come from this service only.',
      produces: ['text/html'],
      querystring: { type: 'object', properties: { refresh: { type: 'integer', minimum: 250, description: 'Refresh interval in ms.' } } },
      response: { 200: json('The page.', { type: 'string' }) },
    },
    'POST /admin/reload': {
      tags: ['Admin'],
      summary: 'Reload the champion and challenger',
      description:
        "Loads the registry's current champion (and challenger) and swaps them atomically; a failed load keeps the current model. 403 when the service has no admin token, 401 for a missing or wrong one.",
      security: [{ adminToken: [] }],
      response: { 200: json('What was loaded.', reloadResult), ...errors([401, 403, 404, 422, 500, 503]) },
    },
    'GET /v2': {
      tags: v2,
      summary: 'Server metadata',
      response: {
        200: json('Server name, version and extensions.', {
          type: 'object',
          properties: { name: { type: 'string' }, version: { type: 'string' }, extensions: { type: 'array', items: { type: 'string' } } },
        }),
      },
    },
    'GET /v2/health/live': {
      tags: v2,
      summary: 'Liveness',
      response: { 200: json('Always true while the process runs.', { type: 'object', properties: { live: { type: 'boolean' } } }) },
    },
    'GET /v2/health/ready': {
      tags: v2,
      summary: 'Readiness',
      description:
        '200 whenever the service answers (the fallback covers a missing model or store), with `degraded` and `issues`; 503 with `ready: false` when the model needs a field the request schema lacks.',
      response: {
        200: json('Ready, possibly degraded.', {
          type: 'object',
          properties: {
            ready: { type: 'boolean' },
            degraded: { type: 'boolean' },
            issues: { type: 'array', items: { type: 'string' } },
            storeReachable: { type: 'boolean' },
          },
          additionalProperties: true,
        }),
      },
    },
    'GET /v2/models/:name': metadataDoc(modelParams),
    'GET /v2/models/:name/versions/:version': metadataDoc(versionParams),
    'GET /v2/models/:name/ready': readyDoc(modelParams),
    'GET /v2/models/:name/versions/:version/ready': readyDoc(versionParams),
    'POST /v2/models/:name/infer': inferDoc(modelParams),
    'POST /v2/models/:name/versions/:version/infer': inferDoc(versionParams),
  };
}
