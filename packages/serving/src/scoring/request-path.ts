import { MlsdError, isMlsdError, type DenseMatrix } from '@mlsd/data';
import { withDeadline } from '../resilience/deadline.js';
import { isDependencyFailure, isEventCausedModelFailure } from '../resilience/fault-attribution.js';
import { RecordBacklog } from '../resilience/record-backlog.js';
import type { FallbackVerdict } from '../fallback/rule-set.js';
import { decodeAnswer, encodeAnswer } from './answer-codec.js';
import { decide, type Decision } from './decision.js';
import { isPromiseLike, type ActiveModel, type ModelSlots } from './model-slots.js';
import type { FeatureValues, OnlineFeatures } from './ports.js';
import { topContributions, type ScoreReason } from './reasons.js';
import type { ExperimentArm, FallbackReason, ScoreObserver, ScoreResult } from './score-result.js';
import type { ScorerDependencies } from './scorer-dependencies.js';
import type { ScoringEvent } from './scoring-event.js';
import type { ShadowJob } from './shadow-runner.js';

/**
 * The request path of one event: load shedding, the feature store behind its breaker and the deadline, the
 * model behind its breaker, the decision and its reasons — and the fallback rules whenever that path cannot answer,
 * so a valid event never throws. Every answer is counted and handed to the observer (the monitor).
 *
 * Deadline: the feature store call is raced against the remaining budget (a slow or hung store times out), unless
 * the store is in process (`OnlineFeatures.inProcess`: CPU that cannot hang, timed with the model); the
 * model is synchronous and cannot be interrupted, so its elapsed time is measured afterwards and a late answer
 * is replaced by the fallback and counted as a model failure — repeated overruns open the model's circuit so a
 * slow model stops being called. A model whose `predictProba` returns a promise is raced like the store.
 *
 * Faults are attributed to their cause (`fault-attribution.ts`): the breakers count only their dependency's own
 * failures; an event whose values the feature code refuses or chokes on, or that gives the model a non-finite
 * vector it fails on, is answered by the fallback (`invalid-event`) and counts against nobody.
 *
 * Nothing is lost in a store outage: events answered by the fallback because the store failed, timed out or its
 * circuit was open are kept in a bounded backlog (oldest dropped first, counted) and recorded, in order, as soon
 * as the store answers again; duplicates of events a slow store did record after all are recognised by id.
 *
 * Duplicates and late events follow the store's rules (`@mlsd/features` admission rules): an id seen within the
 * idempotency window returns the first answer again with `duplicate: true` and changes nothing; a late event is
 * scored and answered with `late: true`.
 */
export class RequestPath {
  /** Who observes every answer (the monitor); set through `Scorer.setObserver`. */
  observer: ScoreObserver | undefined;
  private readonly deps: ScorerDependencies;
  private readonly slots: ModelSlots;
  private lastStoreFailed = false;
  /** Events answered while the store was down, to record once it is back. */
  readonly backlog: RecordBacklog<{ readonly features: OnlineFeatures; readonly event: ScoringEvent }>;

  constructor(deps: ScorerDependencies, slots: ModelSlots) {
    this.deps = deps;
    this.slots = slots;
    this.backlog = new RecordBacklog({ capacity: deps.storeBacklogCapacity, onDrop: (n) => deps.metrics.countBacklog('dropped', n) });
  }

  /** True when the feature store's last call failed (status reports `store-error` while its circuit is closed). */
  get storeFailing(): boolean {
    return this.lastStoreFailed;
  }

  /**
   * Scores one event: features from the store's state before it (the event is then recorded), the model within the
   * deadline, the decision from the thresholds; the fallback rules answer whenever that path cannot.
   * `shadowJobs`, when given, receives the challenger job to run after the response.
   *
   * Synchronous when nothing on the path is: with an in-process store that offers `computeAndRecordSync` and a
   * synchronous model, the answer is returned as it is, with no promise and no microtask turn (the request path of
   * `fraud serve`); a remote store or an asynchronous model makes it a promise.
   */
  score(tx: ScoringEvent, shadowJobs?: ShadowJob[]): ScoreResult | Promise<ScoreResult> {
    const { deps } = this;
    const start = deps.now();
    const challenger = this.slots.challenger;
    let arm: ExperimentArm = 'champion';
    if (challenger !== undefined && this.observer?.assignArm !== undefined) {
      const unit = this.fieldValue(tx, this.monitorField('unit'));
      if (unit !== null && this.observer.assignArm(unit) === 'challenger') arm = 'challenger';
    }
    const active = arm === 'challenger' ? challenger : this.slots.champion;
    if (active === undefined) return this.fallback(tx, start, 'no-model', null, undefined);
    const version = active.served.version;
    if (active.schemaIssues.length > 0) return this.fallback(tx, start, 'schema-mismatch', version, undefined);
    if (!deps.shedder.tryEnter()) {
      this.recordShed(active, tx);
      return this.fallback(tx, start, 'overload', version, undefined);
    }
    let answer: ScoreResult | Promise<ScoreResult>;
    try {
      answer = this.scoreAdmitted(tx, start, active, arm, shadowJobs);
    } catch (error) {
      deps.shedder.leave();
      throw error;
    }
    if (!isPromiseLike(answer)) {
      deps.shedder.leave();
      return answer;
    }
    return answer.finally(() => deps.shedder.leave());
  }

  /** The store, then the model, of an event the load shedder admitted. */
  private scoreAdmitted(
    tx: ScoringEvent,
    start: number,
    active: ActiveModel,
    arm: ExperimentArm,
    shadowJobs: ShadowJob[] | undefined,
  ): ScoreResult | Promise<ScoreResult> {
    const { deps } = this;
    if (!deps.storeBreaker.tryAcquire()) {
      this.hold(active, tx);
      return this.fallback(tx, start, 'store-circuit-open', active.served.version, undefined);
    }
    const features = active.features;
    // An in-process store is CPU like the model: measured by the deadline check after the model, not raced, and
    // called without a promise when it offers that.
    if (features.inProcess === true && features.computeAndRecordSync !== undefined) {
      let values: FeatureValues;
      try {
        values = features.computeAndRecordSync(tx);
      } catch (error) {
        return this.storeFailed(error, tx, start, active);
      }
      this.storeAnswered();
      return this.modelPath(tx, start, active, arm, values, shadowJobs);
    }
    return this.scoreWithStore(tx, start, active, arm, shadowJobs);
  }

  /** {@link scoreAdmitted} with a store that answers with a promise (raced against the deadline unless in process). */
  private async scoreWithStore(
    tx: ScoringEvent,
    start: number,
    active: ActiveModel,
    arm: ExperimentArm,
    shadowJobs: ShadowJob[] | undefined,
  ): Promise<ScoreResult> {
    const { deps } = this;
    let values: FeatureValues;
    try {
      const computed = active.features.computeAndRecord(tx);
      values = await (active.features.inProcess === true ? computed : withDeadline(computed, deps.deadlineMs - (deps.now() - start), 'The feature store'));
    } catch (error) {
      return this.storeFailed(error, tx, start, active);
    }
    this.storeAnswered();
    return this.modelPath(tx, start, active, arm, values, shadowJobs);
  }

  private storeAnswered(): void {
    this.deps.storeBreaker.success();
    this.lastStoreFailed = false;
    if (this.backlog.size > 0) this.replayBacklog();
  }

  /** The fallback answer when the feature path failed: the store's fault, or this event's own values. */
  private storeFailed(error: unknown, tx: ScoringEvent, start: number, active: ActiveModel): ScoreResult {
    const { deps } = this;
    const version = active.served.version;
    if (!isDependencyFailure(error)) {
      // The store answered (or was never reached): the event's own values were refused or broke the feature
      // code. That is this event's error, not the store's: no breaker counts it.
      deps.storeBreaker.success();
      deps.logger.warn({ err: error, [deps.idField]: tx.id }, 'event refused by the feature path; fallback');
      return this.fallback(tx, start, 'invalid-event', version, undefined);
    }
    deps.storeBreaker.failure();
    this.lastStoreFailed = true;
    this.hold(active, tx);
    const reason = isMlsdError(error, 'TIMEOUT') ? 'store-timeout' : 'store-error';
    deps.logger.warn({ err: error, [deps.idField]: tx.id, reason }, 'feature store failed; fallback');
    return this.fallback(tx, start, reason, version, undefined);
  }

  /** The model's score of the event's features, within the deadline; a promise only when the model answers with one. */
  private modelPath(
    tx: ScoringEvent,
    start: number,
    active: ActiveModel,
    arm: ExperimentArm,
    values: FeatureValues,
    shadowJobs: ShadowJob[] | undefined,
  ): ScoreResult | Promise<ScoreResult> {
    const { deps } = this;
    if (values.duplicate && values.answer !== undefined) return this.repeat(tx, start, values.answer);
    if (!deps.modelBreaker.tryAcquire()) return this.fallback(tx, start, 'model-circuit-open', active.served.version, active, values);
    const row: DenseMatrix = { data: values.input, rows: 1, cols: values.input.length, featureNames: active.inputNames };
    let predicted: number | Promise<number>;
    try {
      predicted = this.predictOne(active, row, start);
    } catch (error) {
      return this.modelFailed(error, tx, start, active, values);
    }
    if (typeof predicted === 'number') return this.modelAnswered(tx, start, active, arm, values, row, predicted, shadowJobs);
    return predicted.then(
      (score) => this.modelAnswered(tx, start, active, arm, values, row, score, shadowJobs),
      (error: unknown) => this.modelFailed(error, tx, start, active, values),
    );
  }

  /** The fallback answer when the model failed or timed out: its fault, or the event's non-finite features. */
  private modelFailed(error: unknown, tx: ScoringEvent, start: number, active: ActiveModel, values: FeatureValues): ScoreResult {
    const { deps } = this;
    const version = active.served.version;
    if (!isMlsdError(error, 'TIMEOUT') && isEventCausedModelFailure(values.input)) {
      deps.modelBreaker.success();
      deps.logger.warn({ err: error, [deps.idField]: tx.id, modelVersion: version }, 'model failed on the non-finite features of this event; fallback');
      return this.fallback(tx, start, 'invalid-event', version, active, values);
    }
    deps.modelBreaker.failure();
    const reason = isMlsdError(error, 'TIMEOUT') ? 'model-timeout' : 'model-error';
    deps.logger.warn({ err: error, [deps.idField]: tx.id, modelVersion: version, reason }, 'model failed; fallback');
    return this.fallback(tx, start, reason, version, active, values);
  }

  /** The answer from the model's score: the deadline check, the decision, its reasons, and the shadow job. */
  private modelAnswered(
    tx: ScoringEvent,
    start: number,
    active: ActiveModel,
    arm: ExperimentArm,
    values: FeatureValues,
    row: DenseMatrix,
    score: number,
    shadowJobs: ShadowJob[] | undefined,
  ): ScoreResult {
    const { deps } = this;
    const version = active.served.version;
    if (deps.now() - start > deps.deadlineMs) {
      deps.modelBreaker.failure();
      return this.fallback(tx, start, 'model-timeout', version, active, values);
    }
    deps.modelBreaker.success();
    const decision = decide(score, deps.thresholds);
    const reasons =
      deps.explain === 'all' || decision !== 'allow'
        ? topContributions(active.served.classifier, row, deps.topReasons, (c) => {
            const r = active.rawIndexOfInput[c]!;
            return r >= 0 ? values.raw[r]! : values.input[c]!;
          })
        : [];
    const result = this.finish(tx, start, score, decision, 'model', undefined, version, reasons, active, values);
    if (shadowJobs !== undefined && arm === 'champion' && this.slots.challenger !== undefined) {
      shadowJobs.push({
        id: tx.id,
        input: values.input,
        inputNames: active.inputNames,
        championScore: score,
        championVersion: version,
      });
    }
    return result;
  }

  /** The champion's probability for `row`: a number from a synchronous model (no promise), a promise from an async one (raced). */
  private predictOne(active: ActiveModel, row: DenseMatrix, start: number): number | Promise<number> {
    const output: unknown = active.served.classifier.predictProba(row);
    if (!isPromiseLike(output)) return probabilityOf(active, output);
    return withDeadline(Promise.resolve(output), this.deps.deadlineMs - (this.deps.now() - start), 'The model').then((probabilities) =>
      probabilityOf(active, probabilities),
    );
  }

  /**
   * Records an event shed under overload in the feature store without waiting for it: it still happened, and its
   * entities' next events must count it (left out, every count and mean after it would be too low, skewing the
   * model's inputs exactly when traffic peaks). The call starts now, so events keep their
   * order in the store; its failures only feed the store's circuit breaker, since the answer has gone already.
   */
  private recordShed(active: ActiveModel, tx: ScoringEvent): void {
    if (!this.deps.storeBreaker.tryAcquire()) {
      this.hold(active, tx);
      return;
    }
    active.features.computeAndRecord(tx).then(
      () => this.deps.storeBreaker.success(),
      (error: unknown) => {
        if (!isDependencyFailure(error)) this.deps.storeBreaker.success();
        else {
          this.deps.storeBreaker.failure();
          this.hold(active, tx);
        }
      },
    );
  }

  /** Keeps an event the store did not take, to record it once the store answers again. */
  private hold(active: ActiveModel, tx: ScoringEvent): void {
    this.backlog.push({ features: active.features, event: tx });
    this.deps.metrics.setBacklog(this.backlog.size);
  }

  /**
   * Records the backlog in the background, in arrival order, one event at a time; it stops when the store fails
   * again (the rest waits for the next success). The answers went out long ago: only the state is caught up.
   * An event the store took after all (a timeout) is a duplicate by id there and changes nothing.
   */
  private replayBacklog(): void {
    if (this.backlog.isDraining) return;
    const { metrics, logger } = this.deps;
    void this.backlog
      .drain(async ({ features, event }) => {
        try {
          await features.computeAndRecord(event);
        } catch (error) {
          if (isDependencyFailure(error)) throw error;
          logger.warn({ err: error, [this.deps.idField]: event.id }, 'a held event was refused when replayed; dropped');
        }
        metrics.countBacklog('replayed', 1);
      })
      .then(({ recorded, interrupted }) => {
        metrics.setBacklog(this.backlog.size);
        logger.info({ recorded, waiting: this.backlog.size, interrupted }, 'events held during a store outage recorded');
      });
  }

  /** The first answer of a duplicate id again, marked `duplicate: true`; nothing else is done or counted. */
  private repeat(tx: ScoringEvent, start: number, answer: string): ScoreResult {
    const first = decodeAnswer(answer);
    const latencyMs = this.deps.now() - start;
    this.deps.metrics.observeScore(first.source, latencyMs / 1000, first.fallbackReason, first.decision);
    return { id: tx.id, ...first, latencyMs: Math.round(latencyMs * 1000) / 1000, duplicate: true };
  }

  private fallback(
    tx: ScoringEvent,
    start: number,
    reason: FallbackReason,
    version: number | null,
    active: ActiveModel | undefined,
    values?: FeatureValues,
  ): ScoreResult {
    let verdict: FallbackVerdict;
    try {
      verdict = this.deps.rules(
        values !== undefined && active !== undefined ? { event: tx, features: { names: active.features.rawNames, values: values.raw } } : { event: tx },
      );
    } catch (error) {
      this.deps.logger.error({ err: error, [this.deps.idField]: tx.id }, 'fallback rules threw; answering with score 0');
      verdict = { score: 0, firedRules: [] };
    }
    const reasons = verdict.firedRules.map((rule) => ({ rule }));
    const decision = verdict.decision ?? decide(verdict.score, this.deps.thresholds);
    return this.finish(tx, start, verdict.score, decision, 'fallback', reason, version, reasons, active, values);
  }

  /** The event field the monitor reads as `unit`, `secondary` or `amount` (see the `monitorFields` option). */
  private monitorField(part: 'unit' | 'secondary' | 'amount'): string | undefined {
    const configured = this.deps.monitorFields[part];
    if (configured !== undefined || part === 'amount') return configured;
    const keys = (this.slots.champion ?? this.slots.challenger)?.request.entityKeys;
    return keys?.[part === 'unit' ? 0 : 1];
  }

  private fieldValue(tx: ScoringEvent, field: string | undefined): string | number | null {
    return field === undefined ? null : (tx.fields[field] ?? null);
  }

  private finish(
    tx: ScoringEvent,
    start: number,
    score: number,
    decision: Decision,
    source: 'model' | 'fallback',
    fallbackReason: FallbackReason | undefined,
    modelVersion: number | null,
    reasons: readonly ScoreReason[],
    active: ActiveModel | undefined,
    values: FeatureValues | undefined,
  ): ScoreResult {
    const latencyMs = this.deps.now() - start;
    // Built field by field (no spread of temporary objects: this runs for every event).
    const rounded = Math.round(latencyMs * 1000) / 1000;
    const result: { -readonly [K in keyof ScoreResult]: ScoreResult[K] } =
      fallbackReason === undefined
        ? { id: tx.id, score, decision, source, modelVersion, reasons, latencyMs: rounded }
        : { id: tx.id, score, decision, source, fallbackReason, modelVersion, reasons, latencyMs: rounded };
    if (values?.late === true) result.late = true;
    if (values?.duplicate === true) result.duplicate = true;
    this.deps.metrics.observeScore(source, latencyMs / 1000, fallbackReason, result.decision);
    if (values !== undefined && values.duplicate !== true && active !== undefined) {
      // Kept with the event in the store: a retry of this id gets this answer again (see `repeat`).
      active.features.saveAnswer(tx.id, encodeAnswer(result)).catch((error: unknown) => {
        this.deps.logger.debug({ err: error, [this.deps.idField]: tx.id }, 'could not keep the answer for duplicates');
      });
    }
    // A duplicate was observed already: the monitor counts each event once.
    if (this.observer !== undefined && values?.duplicate !== true) {
      const features = values !== undefined && active !== undefined ? { names: active.features.rawNames, values: values.raw } : undefined;
      const arm: ExperimentArm = active !== undefined && active === this.slots.challenger ? 'challenger' : 'champion';
      const amount = this.fieldValue(tx, this.monitorField('amount'));
      const transaction = {
        transactionId: tx.id,
        time: tx.time,
        customerId: this.fieldValue(tx, this.monitorField('unit')) ?? tx.id,
        terminalId: this.fieldValue(tx, this.monitorField('secondary')),
        amount: typeof amount === 'number' ? amount : Number.NaN,
      };
      try {
        this.observer.recordScore(features === undefined ? { event: tx, transaction, result, arm } : { event: tx, transaction, result, features, arm });
      } catch (error) {
        this.deps.logger.error({ err: error }, 'monitor failed to record a score');
      }
    }
    return result;
  }
}

/** The first probability of a model's output; `INTERNAL` when it is not one. */
function probabilityOf(active: ActiveModel, probabilities: unknown): number {
  const score = (probabilities as Float64Array)[0];
  if (score === undefined || !(score >= 0 && score <= 1)) {
    throw new MlsdError('INTERNAL', `Model ${active.served.name}/${active.served.version} returned ${String(score)}, not a probability.`);
  }
  return score;
}
