import { MlsdError, isMlsdError, type DenseMatrix } from '@mlsd/data';
import type { Arm } from '@mlsd/monitoring';
import type { Logger } from 'pino';
import type { FallbackRules } from '../fallback/rules-engine.js';
import type { ServiceMetrics } from '../observability/service-metrics.js';
import type { CircuitBreaker, CircuitState } from '../resilience/circuit-breaker.js';
import { withDeadline } from '../resilience/deadline.js';
import type { LoadShedder } from '../resilience/load-shedder.js';
import { decide, type Decision, type DecisionThresholds } from './decision.js';
import type { FeatureBackend, FeatureValues, ModelSource, OnlineFeatures, ServedModel } from './ports.js';
import { topContributions, type ScoreReason } from './reasons.js';
import type { ScoringTransaction } from './transaction.js';

/**
 * Why a transaction was answered by the fallback rules instead of the model:
 * - `no-model`: no model is loaded (none registered, or it failed to load);
 * - `overload`: too many requests in flight or the event loop is stalled: shed instead of queued;
 * - `store-circuit-open` / `model-circuit-open`: the breaker stopped calling a failing dependency for a cool-down;
 * - `store-error`: the feature store failed (e.g. Redis unreachable);
 * - `store-timeout`: the feature store did not answer within the deadline;
 * - `model-error`: the model threw;
 * - `model-timeout`: the model path (features + model) finished after the deadline.
 */
export type FallbackReason =
  | 'no-model'
  | 'overload'
  | 'store-circuit-open'
  | 'store-error'
  | 'store-timeout'
  | 'model-circuit-open'
  | 'model-error'
  | 'model-timeout';

/** The answer for one transaction, as `POST /v1/score` returns it. */
export interface ScoreResult {
  readonly transactionId: number;
  /** Fraud probability in [0, 1] (model), or the fallback rules' score. */
  readonly score: number;
  readonly decision: Decision;
  readonly source: 'model' | 'fallback';
  readonly fallbackReason?: FallbackReason;
  /** Version of the champion that answered or would have answered; null when no model is loaded. */
  readonly modelVersion: number | null;
  /** Top feature contributions (model) or the rules that fired (fallback). */
  readonly reasons: readonly ScoreReason[];
  /** Time spent scoring this transaction, in ms. */
  readonly latencyMs: number;
}

/** What the monitor is told about each scored transaction (features by the model's input names). */
export interface ScoredEvent {
  readonly transaction: ScoringTransaction;
  readonly result: ScoreResult;
  /** Raw feature values and their names, when the store answered. */
  readonly features?: { readonly names: readonly string[]; readonly values: Float64Array };
  /** Which model answered in a champion/challenger experiment. */
  readonly arm?: ExperimentArm;
}

/** The two arms of a champion/challenger experiment (the monitoring stage's `Arm`). */
export type ExperimentArm = Arm;

/**
 * Receives every scored transaction and every feedback label (the monitoring facade plugs in here). When it has
 * `assignArm`, it runs a champion/challenger experiment: transactions of cards assigned to `challenger` are
 * answered by the challenger (when one is loaded) instead of the champion.
 */
export interface ScoreObserver {
  recordScore(event: ScoredEvent): void;
  recordFeedback(transactionId: number, fraud: boolean): void;
  assignArm?(customerId: number): ExperimentArm;
}

/** A shadow scoring job: the challenger scores the same features after the response has been sent. */
export interface ShadowJob {
  readonly transactionId: number;
  readonly input: Float64Array;
  readonly inputNames: readonly string[];
  readonly championScore: number;
  readonly championVersion: number;
}

/** The service's view of its health, for readiness and `GET /v2`. */
export interface ScorerStatus {
  readonly modelLoaded: boolean;
  readonly modelVersion: number | null;
  readonly challengerVersion: number | null;
  /** True when some transactions are (or would be) answered by the fallback. */
  readonly degraded: boolean;
  /** Why the service is degraded, e.g. `no-model`, `store-circuit-open`. */
  readonly issues: readonly string[];
  readonly circuits: { readonly model: CircuitState; readonly store: CircuitState };
  readonly inFlight: number;
  readonly eventLoopDelayMs: number;
}

/** What {@link Scorer.reload} did. */
export interface ReloadResult {
  readonly model: string;
  readonly previousVersion: number | null;
  readonly version: number;
  readonly challengerVersion: number | null;
}

/** Dependencies and settings of a {@link Scorer}; the service builds them from its validated options. */
export interface ScorerDependencies {
  readonly modelName: string;
  readonly models: ModelSource;
  readonly features: FeatureBackend;
  readonly rules: FallbackRules;
  readonly thresholds: DecisionThresholds;
  /** Budget of the model path (features + model) per transaction, in ms. */
  readonly deadlineMs: number;
  readonly modelBreaker: CircuitBreaker;
  readonly storeBreaker: CircuitBreaker;
  readonly shedder: LoadShedder;
  readonly topReasons: number;
  /** Which model answers get `reasons`: review/block decisions only (`flagged`) or every one (`all`). */
  readonly explain: 'flagged' | 'all';
  /** Raw feature holding the customer's mean amount, for the `amount-far-above-customer-mean` rule. */
  readonly customerMeanFeature: string;
  /** Shadow jobs allowed to wait at once; more are skipped (counted) so shadowing never builds a backlog. */
  readonly maxPendingShadow: number;
  /** How many registry versions `/v2/models/{name}/versions/{v}` keeps loaded. */
  readonly versionCacheSize: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly now: () => number;
}

interface ActiveModel {
  readonly served: ServedModel;
  readonly features: OnlineFeatures;
  readonly inputNames: readonly string[];
  /** For each model input column, its index in the raw features (-1 when it is a derived column). */
  readonly rawIndexOfInput: Int32Array;
  readonly customerMeanIndex: number;
}

/**
 * The scoring core, free of HTTP: owns the champion (and challenger) loaded from the registry, computes online
 * features, scores within the deadline, and answers with the fallback rules whenever the model path cannot —
 * never throwing for a valid transaction. Model swaps are atomic: each request captures the champion it started
 * with, and {@link reload} replaces the reference only once the new model and pipeline are fully loaded.
 *
 * Deadline: the feature store call is raced against the remaining budget (a slow or hung store times out); the
 * model is synchronous and cannot be interrupted, so its elapsed time is measured afterwards and a late answer
 * is replaced by the fallback and counted as a model failure — repeated overruns open the model's circuit so a
 * slow model stops being called. A model whose `predictProba` returns a promise is raced like the store.
 */
export class Scorer {
  private readonly deps: ScorerDependencies;
  private champion: ActiveModel | undefined;
  private challenger: ActiveModel | undefined;
  private readonly versions = new Map<number, ServedModel>();
  private reloadChain: Promise<unknown> = Promise.resolve();
  private pendingShadow = 0;
  private lastStoreFailed = false;
  private warnedShadowMismatch = false;
  private observer: ScoreObserver | undefined;

  constructor(deps: ScorerDependencies) {
    this.deps = deps;
  }

  /** Sets who observes every score and label (the monitor); `undefined` to stop. */
  setObserver(observer: ScoreObserver | undefined): void {
    this.observer = observer;
  }

  /** The champion being served, if any. */
  get model(): ServedModel | undefined {
    return this.champion?.served;
  }

  /**
   * Loads the registry's current champion (and challenger, when that alias exists) and swaps them in atomically.
   * Concurrent calls run one after another. On failure the current models stay and the error is rethrown.
   */
  reload(): Promise<ReloadResult> {
    const run = this.reloadChain.then(() => this.loadAndSwap());
    this.reloadChain = run.catch(() => undefined);
    return run;
  }

  private async loadAndSwap(): Promise<ReloadResult> {
    const { modelName, models, logger } = this.deps;
    const next = this.activate(await models.load(`${modelName}@champion`));
    let challenger: ActiveModel | undefined;
    try {
      challenger = this.activate(await models.load(`${modelName}@challenger`));
    } catch (error) {
      if (!isMlsdError(error, 'NOT_FOUND')) logger.warn({ err: error }, 'challenger failed to load; shadow scoring off');
    }
    const previousVersion = this.champion?.served.version ?? null;
    this.champion = next;
    this.challenger = challenger;
    this.deps.metrics.setModel(next.served);
    const result: ReloadResult = {
      model: next.served.name,
      previousVersion,
      version: next.served.version,
      challengerVersion: challenger?.served.version ?? null,
    };
    logger.info(result, 'model loaded');
    return result;
  }

  private activate(served: ServedModel): ActiveModel {
    const features = this.deps.features.forPipeline(served.featurePipeline);
    const modelNames = served.classifier.featureNames;
    const inputNames = features.inputNames;
    if (modelNames.length > 0 && !sameNames(modelNames, inputNames)) {
      throw new MlsdError(
        'SCHEMA_MISMATCH',
        `Model ${served.name}/${served.version} expects features [${modelNames.join(', ')}] but its feature pipeline ` +
          `produces [${inputNames.join(', ')}]; register the model with the pipeline it was trained on.`,
      );
    }
    // Run the model once on a zero row so the first request does not pay for compiling the prediction code. A
    // failure here is only logged: requests will meet it as `model-error` and the circuit breaker will act.
    const warmRow: DenseMatrix = { data: new Float64Array(inputNames.length), rows: 1, cols: inputNames.length, featureNames: inputNames };
    try {
      const warm: unknown = served.classifier.predictProba(warmRow);
      if (isPromiseLike(warm)) Promise.resolve(warm).catch(() => undefined);
      else served.classifier.contributions?.(warmRow);
    } catch (error) {
      this.deps.logger.warn({ err: error, model: served.name, version: served.version }, 'model failed on its warm-up row');
    }
    const rawIndexOfInput = new Int32Array(inputNames.length);
    for (let c = 0; c < inputNames.length; c++) rawIndexOfInput[c] = features.rawNames.indexOf(inputNames[c]!);
    return {
      served,
      features,
      inputNames,
      rawIndexOfInput,
      customerMeanIndex: features.rawNames.indexOf(this.deps.customerMeanFeature),
    };
  }

  /**
   * Scores one transaction: features from the store's state before it (the event is then recorded), the model
   * within the deadline, the decision from the thresholds; the fallback rules answer whenever that path cannot.
   * `shadowJobs`, when given, receives the challenger job to run after the response (see {@link runShadow}).
   */
  async score(tx: ScoringTransaction, shadowJobs?: ShadowJob[]): Promise<ScoreResult> {
    const { deps } = this;
    const start = deps.now();
    const arm: ExperimentArm = this.challenger !== undefined && this.observer?.assignArm?.(tx.customerId) === 'challenger' ? 'challenger' : 'champion';
    const active = arm === 'challenger' ? this.challenger : this.champion;
    if (active === undefined) return this.fallback(tx, start, 'no-model', null, undefined);
    const version = active.served.version;
    if (!deps.shedder.tryEnter()) {
      this.recordShed(active, tx);
      return this.fallback(tx, start, 'overload', version, undefined);
    }
    try {
      if (!deps.storeBreaker.tryAcquire()) return this.fallback(tx, start, 'store-circuit-open', version, undefined);
      let values: FeatureValues;
      try {
        values = await withDeadline(active.features.computeAndRecord(tx), deps.deadlineMs - (deps.now() - start), 'The feature store');
        deps.storeBreaker.success();
        this.lastStoreFailed = false;
      } catch (error) {
        if (isMlsdError(error, 'INVALID_INPUT')) {
          // The store answered: the transaction itself was refused (e.g. too late). That is the caller's error.
          deps.storeBreaker.success();
          throw error;
        }
        deps.storeBreaker.failure();
        this.lastStoreFailed = true;
        const reason = isMlsdError(error, 'TIMEOUT') ? 'store-timeout' : 'store-error';
        deps.logger.warn({ err: error, transactionId: tx.transactionId, reason }, 'feature store failed; fallback');
        return this.fallback(tx, start, reason, version, undefined);
      }
      if (!deps.modelBreaker.tryAcquire()) return this.fallback(tx, start, 'model-circuit-open', version, active, values);
      const row: DenseMatrix = { data: values.input, rows: 1, cols: values.input.length, featureNames: active.inputNames };
      let score: number;
      try {
        score = await this.predictOne(active, row, start);
      } catch (error) {
        deps.modelBreaker.failure();
        const reason = isMlsdError(error, 'TIMEOUT') ? 'model-timeout' : 'model-error';
        deps.logger.warn({ err: error, transactionId: tx.transactionId, modelVersion: version, reason }, 'model failed; fallback');
        return this.fallback(tx, start, reason, version, active, values);
      }
      if (deps.now() - start > deps.deadlineMs) {
        deps.modelBreaker.failure();
        return this.fallback(tx, start, 'model-timeout', version, active, values);
      }
      deps.modelBreaker.success();
      const explained = deps.explain === 'all' || decide(score, deps.thresholds) !== 'allow';
      const reasons = explained
        ? topContributions(active.served.classifier, row, deps.topReasons, (c) => {
            const r = active.rawIndexOfInput[c]!;
            return r >= 0 ? values.raw[r]! : values.input[c]!;
          })
        : [];
      const result = this.finish(tx, start, score, 'model', undefined, version, reasons, active, values);
      if (shadowJobs !== undefined && arm === 'champion' && this.challenger !== undefined) {
        shadowJobs.push({
          transactionId: tx.transactionId,
          input: values.input,
          inputNames: active.inputNames,
          championScore: score,
          championVersion: version,
        });
      }
      return result;
    } finally {
      deps.shedder.leave();
    }
  }

  private async predictOne(active: ActiveModel, row: DenseMatrix, start: number): Promise<number> {
    const output: unknown = active.served.classifier.predictProba(row);
    const probabilities = isPromiseLike(output)
      ? await withDeadline(Promise.resolve(output), this.deps.deadlineMs - (this.deps.now() - start), 'The model')
      : output;
    const score = (probabilities as Float64Array)[0];
    if (score === undefined || !(score >= 0 && score <= 1)) {
      throw new MlsdError('INTERNAL', `Model ${active.served.name}/${active.served.version} returned ${String(score)}, not a probability.`);
    }
    return score;
  }

  /**
   * Records a transaction shed under overload in the feature store without waiting for it: it still happened, and
   * the card's and terminal's next transactions must count it (left out, every count and mean after it would be
   * too low, skewing the model's inputs exactly when traffic peaks). The call starts now, so events keep their
   * order in the store; its failures only feed the store's circuit breaker, since the answer has gone already.
   */
  private recordShed(active: ActiveModel, tx: ScoringTransaction): void {
    if (!this.deps.storeBreaker.tryAcquire()) return;
    active.features.computeAndRecord(tx).then(
      () => this.deps.storeBreaker.success(),
      (error: unknown) => {
        if (isMlsdError(error, 'INVALID_INPUT')) this.deps.storeBreaker.success();
        else this.deps.storeBreaker.failure();
      },
    );
  }

  private fallback(
    tx: ScoringTransaction,
    start: number,
    reason: FallbackReason,
    version: number | null,
    active: ActiveModel | undefined,
    values?: FeatureValues,
  ): ScoreResult {
    const meanIndex = active?.customerMeanIndex ?? -1;
    const customerMeanAmount = values !== undefined && meanIndex >= 0 ? values.raw[meanIndex] : undefined;
    const verdict = this.deps.rules.evaluate({ amount: tx.amount, terminalId: tx.terminalId, customerMeanAmount });
    const reasons = verdict.firedRules.map((rule) => ({ rule }));
    return this.finish(tx, start, verdict.score, 'fallback', reason, version, reasons, active, values);
  }

  private finish(
    tx: ScoringTransaction,
    start: number,
    score: number,
    source: 'model' | 'fallback',
    fallbackReason: FallbackReason | undefined,
    modelVersion: number | null,
    reasons: readonly ScoreReason[],
    active: ActiveModel | undefined,
    values: FeatureValues | undefined,
  ): ScoreResult {
    const latencyMs = this.deps.now() - start;
    const result: ScoreResult = {
      transactionId: tx.transactionId,
      score,
      decision: decide(score, this.deps.thresholds),
      source,
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
      modelVersion,
      reasons,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
    };
    this.deps.metrics.observeScore(source, latencyMs / 1000, fallbackReason);
    if (this.observer !== undefined) {
      const features = values !== undefined && active !== undefined ? { names: active.features.rawNames, values: values.raw } : undefined;
      const arm: ExperimentArm = active !== undefined && active === this.challenger ? 'challenger' : 'champion';
      try {
        this.observer.recordScore(features === undefined ? { transaction: tx, result, arm } : { transaction: tx, result, features, arm });
      } catch (error) {
        this.deps.logger.error({ err: error }, 'monitor failed to record a score');
      }
    }
    return result;
  }

  /**
   * Runs shadow jobs with the current challenger, one per macrotask so they never hold the event loop long; both
   * scores are logged. Call it after the response has been sent. Jobs beyond `maxPendingShadow` are skipped.
   */
  runShadow(jobs: readonly ShadowJob[]): void {
    for (const job of jobs) {
      if (this.pendingShadow >= this.deps.maxPendingShadow) {
        this.deps.metrics.countShadow('skipped');
        continue;
      }
      this.pendingShadow += 1;
      setImmediate(() => {
        try {
          this.shadowOne(job);
        } finally {
          this.pendingShadow -= 1;
        }
      });
    }
  }

  private shadowOne(job: ShadowJob): void {
    const { logger, metrics } = this.deps;
    const challenger = this.challenger;
    if (challenger === undefined) return;
    const classifier = challenger.served.classifier;
    if (!sameNames(classifier.featureNames, job.inputNames)) {
      metrics.countShadow('skipped');
      if (!this.warnedShadowMismatch) {
        this.warnedShadowMismatch = true;
        logger.warn({ challengerVersion: challenger.served.version }, 'challenger uses other input features than the champion; shadow scoring skipped');
      }
      return;
    }
    try {
      const row: DenseMatrix = { data: job.input, rows: 1, cols: job.input.length, featureNames: job.inputNames };
      const output: unknown = classifier.predictProba(row);
      if (isPromiseLike(output)) throw new MlsdError('INVALID_INPUT', 'Shadow scoring needs a synchronous challenger.');
      const challengerScore = (output as Float64Array)[0]!;
      metrics.countShadow('scored');
      logger.info(
        {
          transactionId: job.transactionId,
          championVersion: job.championVersion,
          championScore: job.championScore,
          challengerVersion: challenger.served.version,
          challengerScore,
        },
        'shadow score',
      );
    } catch (error) {
      metrics.countShadow('failed');
      logger.warn({ err: error, challengerVersion: challenger.served.version }, 'challenger failed in shadow scoring');
    }
  }

  /**
   * Records a late fraud label in the feature store (delayed label-rate features) and the monitor; resolves to how
   * many stored events the store labelled (0 when it does not know the transaction).
   */
  async feedback(transactionId: number, fraud: boolean): Promise<number> {
    const active = this.champion;
    if (active === undefined) {
      throw new MlsdError('UNAVAILABLE', 'No model is loaded, so no feature pipeline can take feedback; register a champion and POST /admin/reload.');
    }
    let labelled: number;
    try {
      labelled = await withDeadline(active.features.feedback(transactionId, fraud), Math.max(this.deps.deadlineMs, 1000), 'The feature store');
    } catch (error) {
      if (isMlsdError(error, 'INVALID_INPUT')) throw error;
      throw new MlsdError('UNAVAILABLE', `The feature store could not record feedback for transaction ${transactionId}; retry later.`, { cause: error });
    }
    this.observer?.recordFeedback(transactionId, fraud);
    return labelled;
  }

  /**
   * P(fraud) for each row of `X` (model input features, in the model's order) with the champion, or with registry
   * version `version` when given (loaded on first use, a few kept in memory). No fallback: this is the raw model.
   */
  async predictRows(X: DenseMatrix, version?: number): Promise<{ probabilities: Float64Array; model: ServedModel }> {
    const model = await this.resolveVersion(version);
    const expected = model.classifier.featureNames.length;
    if (expected > 0 && X.cols !== expected) {
      throw new MlsdError(
        'INVALID_INPUT',
        `Model ${model.name}/${model.version} takes ${expected} features per row (${model.classifier.featureNames.join(', ')}), got ${X.cols}.`,
        { location: { field: 'inputs[0].shape' } },
      );
    }
    const named: DenseMatrix = { ...X, featureNames: expected > 0 ? model.classifier.featureNames : X.featureNames };
    return { probabilities: model.classifier.predictProba(named), model };
  }

  /** The champion, or registry version `version` (loaded and cached); NOT_FOUND/UNAVAILABLE otherwise. */
  async resolveVersion(version?: number): Promise<ServedModel> {
    const champion = this.champion?.served;
    if (version === undefined || champion?.version === version) {
      if (champion === undefined) {
        throw new MlsdError('UNAVAILABLE', `No ${this.deps.modelName} model is loaded; register a champion and POST /admin/reload.`);
      }
      return champion;
    }
    const cached = this.versions.get(version);
    if (cached !== undefined) return cached;
    const loaded = await this.deps.models.load(`${this.deps.modelName}/${version}`);
    if (this.versions.size >= this.deps.versionCacheSize) {
      const oldest = this.versions.keys().next().value;
      if (oldest !== undefined) this.versions.delete(oldest);
    }
    this.versions.set(version, loaded);
    return loaded;
  }

  /** The current health: loaded models, circuits, and why the service is degraded if it is. */
  status(): ScorerStatus {
    const { modelBreaker, storeBreaker, shedder } = this.deps;
    const circuits = { model: modelBreaker.state, store: storeBreaker.state };
    const issues: string[] = [];
    if (this.champion === undefined) issues.push('no-model');
    if (circuits.model !== 'closed') issues.push(`model-circuit-${circuits.model}`);
    if (circuits.store !== 'closed') issues.push(`store-circuit-${circuits.store}`);
    else if (this.lastStoreFailed) issues.push('store-error');
    this.deps.metrics.setCircuit('model', circuits.model);
    this.deps.metrics.setCircuit('store', circuits.store);
    return {
      modelLoaded: this.champion !== undefined,
      modelVersion: this.champion?.served.version ?? null,
      challengerVersion: this.challenger?.served.version ?? null,
      degraded: issues.length > 0,
      issues,
      circuits,
      inFlight: shedder.inFlight,
      eventLoopDelayMs: shedder.eventLoopDelayMs,
    };
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
