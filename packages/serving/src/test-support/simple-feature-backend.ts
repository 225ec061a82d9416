import { MlsdError } from '@mlsd/data';
import type { FeatureBackend, FeatureValues, OnlineFeatures } from '@mlsd/serving';

/** The two raw features of {@link SimpleFeatureBackend}. */
export const SIMPLE_FEATURES = ['TX_AMOUNT', 'CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW'] as const;

/**
 * A tiny in-memory feature backend for the HTTP tests: TX_AMOUNT and the customer's mean amount over the events
 * recorded before (0 for a first transaction). `delayMs` makes each call wait (a slow store), `failing` makes it
 * reject (an unreachable store). It accepts any pipeline whose JSON is `{ features: SIMPLE_FEATURES }`.
 */
export class SimpleFeatureBackend implements FeatureBackend {
  delayMs = 0;
  failing = false;
  closed = false;
  readonly labels = new Map<number, boolean>();
  private readonly sums = new Map<number, { n: number; sum: number }>();

  forPipeline(pipeline: unknown): OnlineFeatures {
    const names = (pipeline as { features?: unknown } | null)?.features;
    if (!Array.isArray(names) || names.join() !== SIMPLE_FEATURES.join()) {
      throw new MlsdError('CORRUPT_ARTIFACT', 'Not a simple feature pipeline.');
    }
    return {
      rawNames: SIMPLE_FEATURES,
      inputNames: SIMPLE_FEATURES,
      computeAndRecord: async (tx) => {
        await this.wait();
        const state = this.sums.get(tx.customerId) ?? { n: 0, sum: 0 };
        const values: FeatureValues = {
          raw: Float64Array.of(tx.amount, state.n === 0 ? 0 : state.sum / state.n),
          input: Float64Array.of(tx.amount, state.n === 0 ? 0 : state.sum / state.n),
        };
        this.sums.set(tx.customerId, { n: state.n + 1, sum: state.sum + tx.amount });
        return values;
      },
      feedback: async (transactionId, fraud) => {
        await this.wait();
        this.labels.set(transactionId, fraud);
        return 1;
      },
    };
  }

  async ping(): Promise<void> {
    await this.wait();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async wait(): Promise<void> {
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failing) throw new MlsdError('UNAVAILABLE', 'simple store is down');
  }
}
