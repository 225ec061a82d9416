import type { FeatureDefinition } from './feature-definition.js';

/**
 * The 15 baseline features of the Fraud Detection Handbook (chapter 3.3, "Baseline feature transformation"), with
 * its names and in its order, over the columns of the simulated transactions (`TX_DATETIME`, `CUSTOMER_ID`,
 * `TERMINAL_ID`, `TX_AMOUNT`, `TX_FRAUD`):
 *
 * - `TX_AMOUNT`; `TX_DURING_WEEKEND`; `TX_DURING_NIGHT` (UTC hour <= 6);
 * - `CUSTOMER_ID_NB_TX_{1,7,30}DAY_WINDOW` and `CUSTOMER_ID_AVG_AMOUNT_{1,7,30}DAY_WINDOW`: count and mean amount of
 *   the customer's transactions in `(t - n days, t]`, current one included (interleaved per window, as the
 *   Handbook's loop writes them);
 * - `TERMINAL_ID_NB_TX_{1,7,30}DAY_WINDOW` and `TERMINAL_ID_RISK_{1,7,30}DAY_WINDOW`: count and fraud rate of the
 *   terminal's transactions in `(t - (n + 7) days, t - 7 days]` (the Handbook computes both as the rolling
 *   `n + 7` day window minus the rolling 7 day window, so its terminal count is over the delayed window too).
 */
export function handbookFeatures(): FeatureDefinition[] {
  const features: FeatureDefinition[] = [
    { kind: 'column', name: 'TX_AMOUNT', column: 'TX_AMOUNT' },
    { kind: 'calendar', name: 'TX_DURING_WEEKEND', flag: 'weekend' },
    { kind: 'calendar', name: 'TX_DURING_NIGHT', flag: 'night', nightHours: [0, 6] },
  ];
  for (const days of [1, 7, 30]) {
    features.push(
      { kind: 'window', name: `CUSTOMER_ID_NB_TX_${days}DAY_WINDOW`, entity: 'CUSTOMER_ID', agg: 'count', window: `${days}d` },
      {
        kind: 'window',
        name: `CUSTOMER_ID_AVG_AMOUNT_${days}DAY_WINDOW`,
        entity: 'CUSTOMER_ID',
        column: 'TX_AMOUNT',
        agg: 'mean',
        window: `${days}d`,
      },
    );
  }
  for (const days of [1, 7, 30]) {
    for (const output of ['count', 'rate'] as const) {
      features.push({
        kind: 'delayed-label',
        name: `TERMINAL_ID_${output === 'count' ? 'NB_TX' : 'RISK'}_${days}DAY_WINDOW`,
        entity: 'TERMINAL_ID',
        label: 'TX_FRAUD',
        window: `${days}d`,
        delay: '7d',
        output,
      });
    }
  }
  return features;
}
