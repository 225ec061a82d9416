import { defineSchema, type Schema } from './schema.js';

/**
 * The transaction format of the Fraud Detection Handbook (Le Borgne et al., ch. 3.2): one row per card payment.
 * `TX_DATETIME` is read as UTC and accepts `2018-04-01T00:00:31` and `2018-04-01 00:00:31`; `TX_AMOUNT` is in
 * currency units (cents as decimals), never negative and at most 1e9 (a larger amount is a data error, and
 * unbounded amounts overflow window sums to Infinity); `TX_FRAUD_SCENARIO` (0 = genuine, 1–3 = the simulator's
 * fraud scenarios) is optional because real data does not have it.
 */
export const TRANSACTION_SCHEMA: Schema = defineSchema('transactions', [
  { name: 'TRANSACTION_ID', type: 'integer', role: 'id', unique: true },
  { name: 'TX_DATETIME', type: 'timestamp', role: 'event-time' },
  { name: 'CUSTOMER_ID', type: 'integer', role: 'entity-key' },
  { name: 'TERMINAL_ID', type: 'integer', role: 'entity-key' },
  { name: 'TX_AMOUNT', type: 'float', role: 'feature', min: 0, max: 1e9 },
  { name: 'TX_FRAUD', type: 'label', role: 'label' },
  // Role `label`: the scenario is ground truth about the fraud, never a model input (it would leak the label).
  { name: 'TX_FRAUD_SCENARIO', type: 'integer', role: 'label', required: false },
]);
