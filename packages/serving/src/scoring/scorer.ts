import { checkEventTime, MlsdError, isMlsdError, type DenseMatrix } from '@mlsd/data';
import type { CircuitState } from '../resilience/circuit-breaker.js';
import { withDeadline } from '../resilience/deadline.js';
import { ModelSlots, type ReloadResult } from './model-slots.js';
import type { ServedModel } from './ports.js';
import { RequestPath } from './request-path.js';
import type { ScoreObserver, ScoreResult } from './score-result.js';
import type { ScorerDependencies } from './scorer-dependencies.js';
import { ShadowRunner, type ShadowJob } from './shadow-runner.js';
import type { EventRequestSchema } from '../http/event-request-schema.js';
import type { ScoringEvent } from './scoring-event.js';

/** The service's view of its health, for readiness and `GET /v2`. */
export interface ScorerStatus {
  readonly modelLoaded: boolean;
  readonly modelVersion: number | null;
  readonly challengerVersion: number | null;
  /** False when the champion cannot be served at all: its pipeline needs fields the request schema lacks. */
  readonly ready: boolean;
  /** True when some events are (or would be) answered by the fallback. */
  readonly degraded: boolean;
  /**
   * Why the service is degraded, e.g. `no-model`, `store-circuit-open`, or `request-schema: missing field "price"`
   * (the model's pipeline needs a field the service's request schema lacks; then `ready` is false).
   */
  readonly issues: readonly string[];
  readonly circuits: { readonly model: CircuitState; readonly store: CircuitState };
  readonly inFlight: number;
  readonly eventLoopDelayMs: number;
}

/**
 * The scoring core, free of HTTP: owns the champion (and challenger) loaded from the registry, computes online
 * features, scores within the deadline, and answers with the fallback rules whenever the model path cannot —
 * never throwing for a valid transaction. It composes its jobs, one file each: the model slots (`model-slots.ts`:
 * reload, warm-up, version cache), the request path (`request-path.ts`: shedding, breakers, deadline, fallback),
 * shadow scoring (`shadow-runner.ts`); feedback and status live here.
 */
export class Scorer {
  private readonly deps: ScorerDependencies;
  private readonly slots: ModelSlots;
  private readonly requests: RequestPath;
  private readonly shadow: ShadowRunner;
  /** The latest event time admitted (the reference of the time horizon). */
  private latestEventTime = -Infinity;

  constructor(deps: ScorerDependencies) {
    this.deps = deps;
    this.slots = new ModelSlots(deps);
    this.requests = new RequestPath(deps, this.slots);
    this.shadow = new ShadowRunner(deps, this.slots);
  }

  /** Sets who observes every score and label (the monitor); `undefined` to stop. */
  setObserver(observer: ScoreObserver | undefined): void {
    this.requests.observer = observer;
  }

  /** The champion being served, if any. */
  get model(): ServedModel | undefined {
    return this.slots.champion?.served;
  }

  /**
   * Loads the registry's current champion (and challenger, when that alias exists) and swaps them in atomically.
   * Concurrent calls run one after another. On failure the current models stay and the error is rethrown.
   */
  reload(): Promise<ReloadResult> {
    return this.slots.reload();
  }

  /**
   * The request schema `POST /v1/score` bodies are parsed with: the service's own when it has one, else the
   * champion's pipeline's. Throws `UNAVAILABLE` when there is neither (no model loaded and none configured).
   */
  requestSchema(): EventRequestSchema {
    const schema = this.deps.requestSchema ?? this.slots.champion?.request;
    if (schema === undefined) {
      throw new MlsdError(
        'UNAVAILABLE',
        `No ${this.deps.modelName} model is loaded, and the request schema comes from the model; register a champion and POST /admin/reload, ` +
          'or give the service a requestSchema so the fallback can answer without a model.',
      );
    }
    return schema;
  }

  /**
   * Scores one event (see `RequestPath.score`): never throws for a valid event; the fallback rules answer whenever
   * the model path cannot. `shadowJobs`, when given, receives the challenger job to pass to {@link runShadow}
   * after the response.
   */
  score(event: ScoringEvent, shadowJobs?: ShadowJob[]): Promise<ScoreResult> {
    try {
      return Promise.resolve(this.requests.score(event, shadowJobs));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * {@link score} without a promise when the whole path is synchronous (an in-process store with
   * `computeAndRecordSync` and a synchronous model: the default `fraud serve`); a promise otherwise. What the request
   * route calls, so a synchronous answer is sent in the same turn.
   */
  scoreNow(event: ScoringEvent, shadowJobs?: ShadowJob[]): ScoreResult | Promise<ScoreResult> {
    return this.requests.score(event, shadowJobs);
  }

  /**
   * Admits the times of `events` (one request, or a batch in order) before any is scored, so that a refused time
   * never leaves a batch half-recorded: each must pass `checkEventTime` (finite, in the `Date` range, not epoch
   * seconds, at most `timeHorizonMs` ahead of the latest event time admitted so far — earlier items of the batch
   * included — or of the wall clock). Throws `INVALID_INPUT` naming the field, the bound and the batch item;
   * otherwise the latest event time advances.
   */
  admitEventTimes(events: readonly ScoringEvent[], timeField: string, batch: boolean): void {
    let latest = this.latestEventTime;
    const now = this.deps.wallClock();
    for (let i = 0; i < events.length; i++) {
      const time = events[i]!.time;
      const problem = checkEventTime(time, { latest, now, horizonMs: this.deps.timeHorizonMs });
      if (problem !== undefined) {
        throw new MlsdError('INVALID_INPUT', `Invalid score request: field '${timeField}'${batch ? ` of item ${i}` : ''} ${problem}; nothing was scored.`, {
          location: { field: timeField, ...(batch ? { row: i } : {}) },
        });
      }
      if (time > latest) latest = time;
    }
    this.latestEventTime = latest;
  }

  /**
   * Runs shadow jobs with the current challenger, one per macrotask so they never hold the event loop long; both
   * scores are logged. Call it after the response has been sent. Jobs beyond `maxPendingShadow` are skipped.
   */
  runShadow(jobs: readonly ShadowJob[]): void {
    this.shadow.run(jobs);
  }

  /**
   * Records a late label (true = positive) of the event `id` in the feature store (delayed label-rate features) and
   * the monitor; resolves to how many stored events the store labelled (0 when it does not know the id).
   */
  async feedback(id: string | number, label: boolean): Promise<number> {
    const active = this.slots.champion;
    if (active === undefined) {
      throw new MlsdError('UNAVAILABLE', 'No model is loaded, so no feature pipeline can take feedback; register a champion and POST /admin/reload.');
    }
    let labelled: number;
    try {
      labelled = await withDeadline(active.features.feedback(id, label), Math.max(this.deps.deadlineMs, 1000), 'The feature store');
    } catch (error) {
      if (isMlsdError(error, 'INVALID_INPUT')) throw error;
      throw new MlsdError('UNAVAILABLE', `The feature store could not record feedback for event ${id}; retry later.`, { cause: error });
    }
    this.requests.observer?.recordFeedback(id, label);
    return labelled;
  }

  /**
   * P(positive) for each row of `X` (model input features, in the model's order) with the champion, or with registry
   * version `version` when given (loaded on first use, a few kept in memory). No fallback: this is the raw model.
   */
  async predictRows(X: DenseMatrix, version?: number): Promise<{ probabilities: Float64Array; model: ServedModel }> {
    const model = await this.slots.resolveVersion(version);
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
  resolveVersion(version?: number): Promise<ServedModel> {
    return this.slots.resolveVersion(version);
  }

  /** The current health: loaded models, circuits, and why the service is degraded if it is. */
  status(): ScorerStatus {
    const { modelBreaker, storeBreaker, shedder } = this.deps;
    const circuits = { model: modelBreaker.state, store: storeBreaker.state };
    const champion = this.slots.champion;
    const issues: string[] = [];
    if (champion === undefined) issues.push('no-model');
    for (const issue of champion?.schemaIssues ?? []) issues.push(`request-schema: ${issue}`);
    if (circuits.model !== 'closed') issues.push(`model-circuit-${circuits.model}`);
    if (circuits.store !== 'closed') issues.push(`store-circuit-${circuits.store}`);
    else if (this.requests.storeFailing) issues.push('store-error');
    if (this.requests.backlog.size > 0) issues.push(`store-backlog: ${this.requests.backlog.size} events waiting to be recorded`);
    const challengerError = this.slots.challengerError;
    if (challengerError !== undefined) issues.push(`challenger-load-failed: ${challengerError}`);
    this.deps.metrics.setCircuit('model', circuits.model);
    this.deps.metrics.setCircuit('store', circuits.store);
    return {
      modelLoaded: champion !== undefined,
      ready: champion === undefined || champion.schemaIssues.length === 0,
      modelVersion: champion?.served.version ?? null,
      challengerVersion: this.slots.challenger?.served.version ?? null,
      degraded: issues.length > 0,
      issues,
      circuits,
      inFlight: shedder.inFlight,
      eventLoopDelayMs: shedder.eventLoopDelayMs,
    };
  }
}
