import { TRANSACTION_SCHEMA } from '@mlsd/data';
import type { RulesFile, ScoreResult, ScoringServiceOptions } from '@mlsd/serving';

/**
 * The Handbook fraud rules the serving tests answer with when the model path cannot (the fraud example ships the
 * same rules as its configuration): an amount above 220 blocks (0.9), an amount above 5 × the customer's 30-day
 * mean reviews (0.6, only when the store answered).
 */
export const HANDBOOK_RULES: RulesFile = {
  rules: [
    { field: 'TX_AMOUNT', operator: '>', value: 220, decision: 'block', score: 0.9, reason: 'amount-above-limit' },
    {
      field: 'TX_AMOUNT',
      operator: '>',
      value: { field: 'CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW', times: 5 },
      decision: 'review',
      score: 0.6,
      reason: 'amount-far-above-customer-mean',
    },
  ],
};

/**
 * The fraud service's contract as service options: the Handbook request schema, answers and feedback with
 * `transactionId` / `fraud`, the Handbook rules, decision lines with the hashed card, the terminal and the amount,
 * and the amount as the monitor's money at stake. The HTTP tests of this package run against it.
 */
export const HANDBOOK_SERVICE = {
  requestSchema: TRANSACTION_SCHEMA,
  api: { idField: 'transactionId', labelField: 'fraud', labelFormat: 'boolean' },
  rules: HANDBOOK_RULES,
  decisionLogFields: [
    { name: 'card', field: 'CUSTOMER_ID', hash: true },
    { name: 'terminalId', field: 'TERMINAL_ID' },
    { name: 'amount', field: 'TX_AMOUNT' },
  ],
  monitorFields: { amount: 'TX_AMOUNT' },
} satisfies Partial<ScoringServiceOptions>;

/** A `/v1/score` answer under {@link HANDBOOK_SERVICE}'s wire names: the id is `transactionId`. */
export type HandbookAnswer = Omit<ScoreResult, 'id'> & { readonly transactionId: number };
