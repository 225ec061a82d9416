import { MlsdError } from '@mlsd/data';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ScoreResult } from '../../scoring/score-result.js';
import type { ShadowJob } from '../../scoring/shadow-runner.js';
import type { ScoringTransaction } from '../../scoring/transaction.js';
import { feedbackSchema, parseBody, parseTransaction, parseTransactionBatch } from '../request-schemas.js';
import type { ServiceContext } from '../service-context.js';

const feedbackBatchSchema = z.array(feedbackSchema);

/**
 * `POST /v1/score` (one transaction, or an array scored in order) and `POST /v1/feedback` (one label, or an array
 * applied in order). The challenger's shadow
 * scores run only once the response has been written (`finish`), so they cannot change or delay it.
 */
export function registerScoreRoutes(app: FastifyInstance, context: ServiceContext): void {
  const { scorer, options } = context;

  app.post('/v1/score', async (request, reply) => {
    const body = request.body;
    const shadowJobs: ShadowJob[] = [];
    let answer: ScoreResult | ScoreResult[];
    if (Array.isArray(body)) {
      if (body.length === 0 || body.length > options.maxBatchSize) {
        throw new MlsdError(
          'INVALID_INPUT',
          `Invalid score request: a batch holds 1 to ${options.maxBatchSize} transactions, got ${body.length}; split it.`,
          { location: { field: 'body' } },
        );
      }
      const transactions = parseTransactionBatch(body);
      const results: ScoreResult[] = [];
      // In order: each transaction's features must see the ones before it in the batch.
      for (const [i, tx] of transactions.entries()) {
        try {
          results.push(await scorer.score(tx, shadowJobs));
        } catch (error) {
          if (error instanceof MlsdError && error.code === 'INVALID_INPUT') {
            throw new MlsdError('INVALID_INPUT', `Item ${i} of the batch (items before it were scored): ${error.message}`, {
              cause: error,
              location: { ...error.location, row: i },
            });
          }
          throw error;
        }
      }
      if (options.logDecisions) for (let i = 0; i < results.length; i++) logDecision(context, request.id, transactions[i]!, results[i]!);
      answer = results;
    } else {
      const tx = parseTransaction(body);
      answer = await scorer.score(tx, shadowJobs);
      if (options.logDecisions) logDecision(context, request.id, tx, answer);
    }
    if (shadowJobs.length > 0) reply.raw.once('finish', () => scorer.runShadow(shadowJobs));
    return answer;
  });

  app.post('/v1/feedback', async (request) => {
    if (!Array.isArray(request.body)) {
      const { transactionId, fraud } = parseBody(feedbackSchema, request.body, 'feedback');
      const featureStoreEvents = await scorer.feedback(transactionId, fraud);
      return { transactionId, fraud, accepted: true, featureStoreEvents };
    }
    // A batch of labels (e.g. a day of investigations), validated whole before any is applied, then applied in order.
    if (request.body.length === 0 || request.body.length > options.maxBatchSize) {
      throw new MlsdError(
        'INVALID_INPUT',
        `Invalid feedback request: a batch holds 1 to ${options.maxBatchSize} labels, got ${request.body.length}; split it.`,
        { location: { field: 'body' } },
      );
    }
    const labels = parseBody(feedbackBatchSchema, request.body, 'feedback');
    const answers = [];
    for (const { transactionId, fraud } of labels) {
      answers.push({ transactionId, fraud, accepted: true, featureStoreEvents: await scorer.feedback(transactionId, fraud) });
    }
    return answers;
  });
}

function logDecision(context: ServiceContext, reqId: string, tx: ScoringTransaction, result: ScoreResult): void {
  context.decisionLog.info(
    {
      reqId,
      transactionId: tx.transactionId,
      card: context.hashCard(tx.customerId),
      terminalId: tx.terminalId,
      amount: tx.amount,
      score: result.score,
      decision: result.decision,
      source: result.source,
      fallbackReason: result.fallbackReason,
      modelVersion: result.modelVersion,
      latencyMs: result.latencyMs,
    },
    'scored',
  );
}
