import { MlsdError, TRANSACTION_SCHEMA, defineSchema } from '@mlsd/data';
import type { FeatureBackend, FeatureValues, OnlineFeatures } from '@mlsd/serving';

/** The two raw features of {@link SimpleFeatureBackend}. */
export const SIMPLE_FEATURES = ['TX_AMOUNT', 'CUSTOMER_ID_AVG_AMOUNT_30DAY_WINDOW'] as const;

/** The events {@link SimpleFeatureBackend} reads: the Handbook transaction without its labels. */
const SIMPLE_EVENT_SCHEMA = defineSchema(
  'transactions',
  TRANSACTION_SCHEMA.columns.filter((c) => c.role !== 'label'),
);

/**
 * A tiny in-memory feature backend for the HTTP tests: TX_AMOUNT and the customer's mean amount over the events
 * recorded before (0 for a first transaction). `delayMs` makes each call wait (a slow store), `busyMs` spend CPU (a
 * slow in-process store, with `inProcess`), `failing` makes it
 * reject (an unreachable store). It accepts any pipeline whose JSON is `{ features: SIMPLE_FEATURES }`.
 */
export class SimpleFeatureBackend implements FeatureBackend {
  delayMs = 0;
  /** Milliseconds of synchronous CPU each call spends (a slow in-process store). */
  busyMs = 0;
  /** What the online features report as `inProcess`. */
  inProcess = false;
  failing = false;
  closed = false;
  readonly labels = new Map<string | number, boolean>();
  private readonly sums = new Map<string | number, { n: number; sum: number }>();

  forPipeline(pipeline: unknown): OnlineFeatures {
    const names = (pipeline as { features?: unknown } | null)?.features;
    if (!Array.isArray(names) || names.join() !== SIMPLE_FEATURES.join()) {
      throw new MlsdError('CORRUPT_ARTIFACT', 'Not a simple feature pipeline.');
    }
    const backend = this;
    return {
      get inProcess() {
        return backend.inProcess;
      },
      rawNames: SIMPLE_FEATURES,
      inputNames: SIMPLE_FEATURES,
      eventSchema: SIMPLE_EVENT_SCHEMA,
      computeAndRecord: async (tx) => {
        await this.wait();
        const until = performance.now() + this.busyMs;
        while (performance.now() < until) {
          // A store busy computing, in this process.
        }
        const customer = tx.fields['CUSTOMER_ID'] as number;
        const amount = tx.fields['TX_AMOUNT'] as number;
        const state = this.sums.get(customer) ?? { n: 0, sum: 0 };
        const values: FeatureValues = {
          raw: Float64Array.of(amount, state.n === 0 ? 0 : state.sum / state.n),
          input: Float64Array.of(amount, state.n === 0 ? 0 : state.sum / state.n),
        };
        this.sums.set(customer, { n: state.n + 1, sum: state.sum + amount });
        return values;
      },
      feedback: async (transactionId, fraud) => {
        await this.wait();
        this.labels.set(transactionId, fraud);
        return 1;
      },
      // No duplicate detection here (every call records): the real stores keep answers, see the features package.
      saveAnswer: async () => undefined,
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
