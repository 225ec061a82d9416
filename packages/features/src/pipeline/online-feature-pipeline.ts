import type { FeatureEvent, LabelFeedback, OnlineFeatureExecutor } from '../online/online-executor.js';
import type { FeaturePipeline } from './feature-pipeline.js';

/** What {@link OnlineFeaturePipeline.observe} resolves to: the model input and the computed features behind it. */
export interface ObservedFeatures {
  /** The model input, in `FeaturePipeline.featureNames` order. */
  readonly vector: Float64Array;
  /** The computed features before transforms, in `FeaturePipeline.rawFeatureNames` order (for logs and drift). */
  readonly raw: Float64Array;
}

/**
 * A fitted {@link FeaturePipeline} bound to online state: what serving calls per request. Typical use:
 * `const { vector } = await online.observe(transaction)` (features from the state before the transaction, then the
 * transaction is recorded), score `vector`, answer; later `await online.feedback({ transactionId, label })`.
 * Created by `FeaturePipeline.createOnline`.
 */
export class OnlineFeaturePipeline {
  /** The pipeline whose transforms shape the vectors. */
  readonly pipeline: FeaturePipeline;
  /** The executor computing the raw features (and owning the state store). */
  readonly executor: OnlineFeatureExecutor;

  /** Binds a fitted pipeline to an executor over the same definitions. */
  constructor(pipeline: FeaturePipeline, executor: OnlineFeatureExecutor) {
    this.pipeline = pipeline;
    this.executor = executor;
  }

  /** The model vector of `event` from the state before it; the event is then recorded. */
  async observe(event: FeatureEvent): Promise<ObservedFeatures> {
    const raw = await this.executor.observe(event);
    return { vector: this.pipeline.transformEvent(raw, event), raw };
  }

  /** Like `observe`, without recording the event. */
  async peek(event: FeatureEvent): Promise<ObservedFeatures> {
    const raw = await this.executor.peek(event);
    return { vector: this.pipeline.transformEvent(raw, event), raw };
  }

  /** Records a label that became known (see `OnlineFeatureExecutor.feedback`). */
  feedback(feedback: LabelFeedback): Promise<number> {
    return this.executor.feedback(feedback);
  }

  /** Closes the state store. */
  close(): Promise<void> {
    return this.executor.close();
  }
}
