import { SeededRandom, denseMatrix, type DenseMatrix } from '@mlsd/data';
import type { MonitoredEvent } from '@mlsd/monitoring';

/** Feature names of the synthetic traffic, as the Handbook pipeline names them. */
export const FEATURE_NAMES = ['TX_AMOUNT', 'CUSTOMER_ID_NB_TX_1DAY_WINDOW', 'TX_DURING_WEEKEND'];

/** Shifts of the synthetic traffic. */
export interface TrafficShift {
  readonly amountFactor?: number;
  readonly weekendShare?: number;
}

/**
 * Synthetic scored transactions: log-normal amounts, Poisson daily counts, a weekend flag, fraud when the amount
 * is large (plus noise), and a score that follows the amount. Returned both as a matrix (for profiles) and as
 * service events (for the monitor). Seeded.
 */
export function syntheticTraffic(
  seed: number,
  rows: number,
  shift: TrafficShift = {},
  firstId = 0,
): { features: DenseMatrix; scores: Float64Array; labels: Uint8Array; events: MonitoredEvent[] } {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(rows * 3);
  const scores = new Float64Array(rows);
  const labels = new Uint8Array(rows);
  const events: MonitoredEvent[] = [];
  for (let r = 0; r < rows; r++) {
    const amount = Math.round(Math.exp(rng.normal(3.5, 0.9)) * (shift.amountFactor ?? 1) * 100) / 100;
    data[r * 3] = amount;
    data[r * 3 + 1] = rng.poisson(3);
    data[r * 3 + 2] = rng.nextFloat() < (shift.weekendShare ?? 2 / 7) ? 1 : 0;
    scores[r] = 1 / (1 + Math.exp(-(amount / 40 - 4 + rng.normal(0, 0.7))));
    labels[r] = rng.nextFloat() < scores[r]! ? 1 : 0;
    const id = firstId + r;
    events.push({
      transaction: { transactionId: id, time: 1_700_000_000_000 + id * 1000, customerId: id % 997, terminalId: id % 101, amount },
      result: {
        score: scores[r]!,
        decision: scores[r]! >= 0.8 ? 'block' : scores[r]! >= 0.5 ? 'review' : 'allow',
        source: 'model',
        modelVersion: 1,
      },
      features: { names: FEATURE_NAMES, values: data.subarray(r * 3, r * 3 + 3) },
    });
  }
  return { features: denseMatrix(data, rows, 3, FEATURE_NAMES), scores, labels, events };
}
