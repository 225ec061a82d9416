import { MlsdError, isMlsdError, type DenseMatrix } from '@mlsd/data';
import { EventRequestSchema } from '../http/event-request-schema.js';
import type { OnlineFeatures, ServedModel } from './ports.js';
import type { ScorerDependencies } from './scorer-dependencies.js';

/** What {@link ModelSlots.reload} did (and `POST /admin/reload` answers). */
export interface ReloadResult {
  readonly model: string;
  readonly previousVersion: number | null;
  readonly version: number;
  readonly challengerVersion: number | null;
}

/** A loaded model ready for the request path: the model, its online features and the column maps scoring needs. */
export interface ActiveModel {
  readonly served: ServedModel;
  readonly features: OnlineFeatures;
  readonly inputNames: readonly string[];
  /** For each model input column, its index in the raw features (-1 when it is a derived column). */
  readonly rawIndexOfInput: Int32Array;
  /** The request schema events for this model are parsed with: the service's own, else the pipeline's. */
  readonly request: EventRequestSchema;
  /**
   * Why the service's own request schema cannot feed this model's pipeline (e.g. `missing field "price"`); empty
   * when it can, or when the request schema is the pipeline's. Non-empty: readiness fails and events fall back.
   */
  readonly schemaIssues: readonly string[];
}

/** The part of the scorer's dependencies the model slots use. */
export type ModelSlotDependencies = Pick<
  ScorerDependencies,
  'modelName' | 'models' | 'features' | 'requestSchema' | 'versionCacheSize' | 'logger' | 'metrics' | 'shedder'
>;

/**
 * The models a scorer holds: the champion and challenger slots loaded from the registry (each checked against its
 * feature pipeline and warmed up on a zero row), and a small cache of other registry versions for `/v2`. Swaps are
 * atomic: {@link reload} replaces the slot references only once the new models and pipelines are fully loaded, so
 * a request that captured a slot keeps the model it started with. The loading runs step by step (each step a
 * macrotask of its own, so requests are served between them) with its own event-loop stalls excused from load
 * shedding: a swap sheds no request. A challenger that fails to load (other than not existing) is logged as an
 * error, counted (`mlsd_model_load_failures_total{alias="challenger"}`) and reported in readiness until a reload
 * loads one.
 */
export class ModelSlots {
  private readonly deps: ModelSlotDependencies;
  private championSlot: ActiveModel | undefined;
  private challengerSlot: ActiveModel | undefined;
  private readonly versions = new Map<number, ServedModel>();
  private reloadChain: Promise<unknown> = Promise.resolve();
  private challengerFailure: string | undefined;

  constructor(deps: ModelSlotDependencies) {
    this.deps = deps;
  }

  /** The champion being served; undefined until a load succeeds. */
  get champion(): ActiveModel | undefined {
    return this.championSlot;
  }

  /** The challenger (registry alias `challenger`), when one is loaded. */
  get challenger(): ActiveModel | undefined {
    return this.challengerSlot;
  }

  /** Why the registry's challenger failed to load at the last reload (e.g. a corrupt artifact); undefined otherwise. */
  get challengerError(): string | undefined {
    return this.challengerFailure;
  }

  /**
   * Loads the registry's current champion (and challenger, when that alias exists) and swaps them in atomically.
   * Concurrent calls run one after another. On failure the current models stay and the error is rethrown.
   */
  reload(): Promise<ReloadResult> {
    const run = this.reloadChain.then(() => this.deps.shedder.excuseStalls(() => this.loadAndSwap()));
    this.reloadChain = run.catch(() => undefined);
    return run;
  }

  private async loadAndSwap(): Promise<ReloadResult> {
    const { modelName, models, logger } = this.deps;
    const champion = await models.load(`${modelName}@champion`);
    await yieldToRequests();
    const next = this.activate(champion);
    let challenger: ActiveModel | undefined;
    let challengerFailure: string | undefined;
    try {
      await yieldToRequests();
      const loaded = await models.load(`${modelName}@challenger`);
      await yieldToRequests();
      challenger = this.activate(loaded);
    } catch (error) {
      if (!isMlsdError(error, 'NOT_FOUND')) {
        challengerFailure = error instanceof Error ? error.message : String(error);
        this.deps.metrics.countModelLoadFailure('challenger');
        logger.error({ err: error }, 'challenger failed to load; shadow scoring and the experiment are off until a reload loads one');
      }
    }
    this.challengerFailure = challengerFailure;
    const previousVersion = this.championSlot?.served.version ?? null;
    this.championSlot = next;
    this.challengerSlot = challenger;
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
    const own = this.deps.requestSchema;
    const request = own ?? new EventRequestSchema(features.eventSchema);
    const schemaIssues = own === undefined ? [] : own.uncovered(features.eventSchema);
    if (schemaIssues.length > 0) {
      this.deps.logger.error(
        { model: served.name, version: served.version, issues: schemaIssues },
        "the service's request schema lacks fields the model's pipeline needs: readiness fails and events fall back (schema-mismatch)",
      );
    }
    return { served, features, inputNames, rawIndexOfInput, request, schemaIssues };
  }

  /** The champion, or registry version `version` (loaded and cached); NOT_FOUND/UNAVAILABLE otherwise. */
  async resolveVersion(version?: number): Promise<ServedModel> {
    const champion = this.championSlot?.served;
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
}

/** True when two feature-name lists are equal, name by name in order. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True for a promise or any thenable (a model whose `predictProba` is asynchronous returns one). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Lets requests queued behind a loading step run before the next one (a macrotask, not a microtask). */
function yieldToRequests(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
