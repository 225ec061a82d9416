import type { FeatureEvent, LabelFeedback, ObservedEvent, OnlineFeatureExecutor } from '../online/online-executor.js';

/** What an online pipeline needs of its fitted `FeaturePipeline`: turning raw features into the model input. */
export interface EventTransformer {
  /** The model input for one event from its raw features (in the pipeline's `rawFeatureNames` order). */
  transformEvent(raw: Float64Array, event: FeatureEvent): Float64Array;
}

/** What {@link OnlineFeaturePipeline.observe} resolves to: the model input and the computed features behind it. */
export interface ObservedFeatures {
  /** The model input, in `FeaturePipeline.featureNames` order. */
  readonly vector: Float64Array;
  /** The computed features before transforms, in `FeaturePipeline.rawFeatureNames` order (for logs and drift). */
  readonly raw: Float64Array;
  /** The event is older than the latest event of one of its entities (see `ObservedEvent`). */
  readonly late: boolean;
  /** The event was added to the state. */
  readonly recorded: boolean;
  /** The event's id was seen before: nothing changed; `answer` is what was saved for the first one, if anything. */
  readonly duplicate: boolean;
  readonly answer: string | undefined;
}

/**
 * A fitted {@link FeaturePipeline} bound to online state: what serving calls per request. Typical use:
 * `const { vector } = await online.observe(transaction)` (features from the state before the transaction, then the
 * transaction is recorded), score `vector`, answer; later `await online.feedback({ transactionId, label })`.
 * Created by `FeaturePipeline.createOnline`.
 */
export class OnlineFeaturePipeline {
  /** The fitted pipeline whose transforms shape the vectors (a `FeaturePipeline`). */
  readonly pipeline: EventTransformer;
  /** The executor computing the raw features (and owning the state store). */
  readonly executor: OnlineFeatureExecutor;

  /** Binds a fitted pipeline to an executor over the same definitions. */
  constructor(pipeline: EventTransformer, executor: OnlineFeatureExecutor) {
    this.pipeline = pipeline;
    this.executor = executor;
  }

  /**
   * The model vector of `event` from the state before it; the event is then recorded, unless it is a duplicate id
   * or later than the lateness bound (`recorded: false`; see `OnlineFeatureExecutor.observeEvent`).
   */
  async observe(event: FeatureEvent): Promise<ObservedFeatures> {
    return this.shaped(await this.executor.observeEvent(event), event);
  }

  /** True when {@link observeSync} can be used: the state lives in this process. */
  get synchronous(): boolean {
    return this.executor.synchronous;
  }

  /** {@link observe} without a promise, when the state lives in this process (see `OnlineFeatureExecutor.observeEventSync`). */
  observeSync(event: FeatureEvent): ObservedFeatures {
    return this.shaped(this.executor.observeEventSync(event), event);
  }

  /** What the executor observed of `event`, with the model vector its raw features transform to. */
  private shaped({ features: raw, late, recorded, duplicate, answer }: ObservedEvent, event: FeatureEvent): ObservedFeatures {
    return { vector: this.pipeline.transformEvent(raw, event), raw, late, recorded, duplicate, answer };
  }

  /** Like `observe`, without recording the event. */
  async peek(event: FeatureEvent): Promise<ObservedFeatures> {
    const raw = await this.executor.peek(event);
    return { vector: this.pipeline.transformEvent(raw, event), raw, late: false, recorded: false, duplicate: false, answer: undefined };
  }

  /** Keeps the answer given for a recorded event id, for its duplicates (see `OnlineFeatureExecutor.saveAnswer`). */
  saveAnswer(transactionId: string | number, answer: string): Promise<void> {
    return this.executor.saveAnswer(transactionId, answer);
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
