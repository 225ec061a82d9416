import { TRANSACTION_SCHEMA } from '@mlsd/data';
import { loadRulesFile, type ScoringServiceOptions } from '@mlsd/serving';

/** The fraud example's fallback rules file: amount above 220 blocks (the Handbook's scenario 1), far above the card's 30-day mean reviews. */
export const FRAUD_RULES_FILE = new URL('../../config/fallback-rules.json', import.meta.url).pathname;

/**
 * The decision thresholds of the fraud service (the library's defaults): `fraud serve`, the demo and `fraud score`
 * map scores to allow / review / block through `decide` with these.
 */
export const FRAUD_THRESHOLDS = { review: 0.5, block: 0.8 } as const;

/**
 * The fraud service's configuration of the generic scoring service: the Handbook request schema (so the fallback
 * answers before a model is loaded), the `fraud serve` contract's wire names (`transactionId`, `fraud` as a
 * boolean), the fraud rules of `rulesFile` (default {@link FRAUD_RULES_FILE}), decision lines with the hashed card,
 * the terminal and the amount, and the amount as the monitor's money at stake.
 */
export async function fraudServiceOptions(rulesFile = FRAUD_RULES_FILE) {
  return {
    requestSchema: TRANSACTION_SCHEMA,
    api: { idField: 'transactionId', labelField: 'fraud', labelFormat: 'boolean' },
    thresholds: FRAUD_THRESHOLDS,
    rules: await loadRulesFile(rulesFile, FRAUD_THRESHOLDS),
    decisionLogFields: [
      { name: 'card', field: 'CUSTOMER_ID', hash: true },
      { name: 'terminalId', field: 'TERMINAL_ID' },
      { name: 'amount', field: 'TX_AMOUNT' },
    ],
    monitorFields: { amount: 'TX_AMOUNT' },
  } satisfies Partial<ScoringServiceOptions>;
}
