/**
 * One card transaction to score, in the Handbook's terms: `transactionId` (TRANSACTION_ID), `time` (TX_DATETIME as
 * epoch ms UTC), `customerId` (CUSTOMER_ID, the card), `terminalId` (TERMINAL_ID) and `amount` (TX_AMOUNT).
 */
export interface ScoringTransaction {
  readonly transactionId: number;
  readonly time: number;
  readonly customerId: number;
  readonly terminalId: number;
  readonly amount: number;
}
