import { MlsdError } from '@mlsd/data';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { decisionLineWriter, type DecisionLineWriter } from '../../observability/decision-line.js';
import type { ScoreResult } from '../../scoring/score-result.js';
import type { ShadowJob } from '../../scoring/shadow-runner.js';
import { isPromiseLike } from '../../scoring/model-slots.js';
import type { ScoringEvent } from '../../scoring/scoring-event.js';
import type { EventRequestSchema } from '../event-request-schema.js';
import { feedbackBodySchema, type Feedback } from '../feedback-schema.js';
import { parseBody } from '../request-schemas.js';
import type { ServiceContext } from '../service-context.js';
import { answerJson } from '../answer-json.js';

/** The content type of an answer (Fastify's own for a JSON object). */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `POST /v1/score` (one event in the request schema, or an array scored in order) and `POST /v1/feedback` (one
 * `{ id, label }`, or an array applied in order; the wire names come from the `api` option). The challenger's
 * shadow scores run in a later event-loop turn, once the response has been handed to the socket, so they cannot
 * change or delay it.
 */
export function registerScoreRoutes(app: FastifyInstance, context: ServiceContext): void {
  const { scorer, options } = context;
  const { idField, labelField, labelFormat } = options.api;
  // Feedback parsers per request schema (ids are typed as the schema's id column); a reload may bring a new one.
  const feedbackParsers = new WeakMap<EventRequestSchema, { one: z.ZodType<Feedback>; batch: z.ZodType<Feedback[]> }>();
  const feedbackParser = (schema: EventRequestSchema) => {
    let parser = feedbackParsers.get(schema);
    if (parser === undefined) {
      const one = feedbackBodySchema(schema, options.api);
      parser = { one, batch: z.array(one) };
      feedbackParsers.set(schema, parser);
    }
    return parser;
  };
  const decisionLineFor = decisionLines(context);
  const wireLabel = (label: boolean): boolean | number => (labelFormat === 'boolean' ? label : label ? 1 : 0);

  /** The answer text of one scored event (its decision line logged first), in the request's wire names. */
  const answerOf = (requestId: string, schema: EventRequestSchema, event: ScoringEvent, result: ScoreResult): string => {
    if (options.logDecisions) decisionLineFor(schema)(requestId, event.id, event.fields, result);
    return answerJson(result, idField);
  };
  /**
   * The answer text of a single-event request; its shadow job is queued, not run: the shadow runner scores in a
   * later event-loop turn (setImmediate), after this answer has been handed to the socket.
   */
  const answerOne = (requestId: string, schema: EventRequestSchema, event: ScoringEvent, result: ScoreResult, shadowJobs: ShadowJob[]): string => {
    const answer = answerOf(requestId, schema, event, result);
    if (shadowJobs.length > 0) scorer.runShadow(shadowJobs);
    return answer;
  };

  // Not an async handler: when the scoring path is synchronous (the in-process store), the answer text is returned
  // as it is and Fastify sends it in this turn, with no promise; otherwise the promise of it.
  app.post('/v1/score', (request, reply): string | Promise<string> => {
    const body = request.body;
    const schema = scorer.requestSchema();
    const shadowJobs: ShadowJob[] = [];
    // Serialised here (answerJson), so Fastify sends the text as it is.
    reply.type(JSON_TYPE);
    if (Array.isArray(body)) return scoreBatch(request.id, schema, body, shadowJobs);
    const event = schema.parse(body);
    scorer.admitEventTimes([event], schema.timeColumn, false);
    const scored = scorer.scoreNow(event, shadowJobs);
    if (isPromiseLike(scored)) return Promise.resolve(scored).then((result) => answerOne(request.id, schema, event, result, shadowJobs));
    return answerOne(request.id, schema, event, scored, shadowJobs);
  });

  /** A batch: validated whole (values by the schema, times by their bounds), then scored in order. */
  const scoreBatch = async (requestId: string, schema: EventRequestSchema, body: unknown[], shadowJobs: ShadowJob[]): Promise<string> => {
    if (body.length === 0 || body.length > options.maxBatchSize) {
      throw new MlsdError('INVALID_INPUT', `Invalid score request: a batch holds 1 to ${options.maxBatchSize} events, got ${body.length}; split it.`, {
        location: { field: 'body' },
      });
    }
    const events = schema.parseBatch(body);
    // A batch is refused whole or every item gets its own answer — never half-recorded and half-answered.
    scorer.admitEventTimes(events, schema.timeColumn, true);
    const results: string[] = [];
    // In order: each event's features must see the ones before it in the batch.
    for (const event of events) results.push(answerOf(requestId, schema, event, await scorer.score(event, shadowJobs)));
    if (shadowJobs.length > 0) scorer.runShadow(shadowJobs);
    return `[${results.join(',')}]`;
  };

  app.post('/v1/feedback', async (request) => {
    const parser = feedbackParser(scorer.requestSchema());
    if (!Array.isArray(request.body)) {
      const { id, label } = parseBody(parser.one, request.body, 'feedback');
      const featureStoreEvents = await scorer.feedback(id, label);
      return { [idField]: id, [labelField]: wireLabel(label), accepted: true, featureStoreEvents };
    }
    // A batch of labels (e.g. a day of investigations), validated whole before any is applied, then applied in order.
    if (request.body.length === 0 || request.body.length > options.maxBatchSize) {
      throw new MlsdError(
        'INVALID_INPUT',
        `Invalid feedback request: a batch holds 1 to ${options.maxBatchSize} labels, got ${request.body.length}; split it.`,
        { location: { field: 'body' } },
      );
    }
    const labels = parseBody(parser.batch, request.body, 'feedback');
    const answers = [];
    for (const { id, label } of labels) {
      answers.push({ [idField]: id, [labelField]: wireLabel(label), accepted: true, featureStoreEvents: await scorer.feedback(id, label) });
    }
    return answers;
  });
}

/** The decision-line writer for events of `schema`: the configured `decisionLogFields`, or its entity keys hashed. */
function decisionLines(context: ServiceContext): (schema: EventRequestSchema) => DecisionLineWriter {
  const writers = new WeakMap<EventRequestSchema, DecisionLineWriter>();
  const { logger, hashKey, hashSalt, options } = context;
  return (schema) => {
    let writer = writers.get(schema);
    if (writer === undefined) {
      const fields = options.decisionLogFields ?? schema.entityKeys.map((key) => ({ name: key, field: key, hash: true }));
      writer = decisionLineWriter(logger, options.api.idField, fields, hashKey, Date.now, hashSalt);
      writers.set(schema, writer);
    }
    return writer;
  };
}
