import { MlsdError, type DenseMatrix } from '@mlsd/data';
import { isPromiseLike, sameNames, type ModelSlots } from './model-slots.js';
import type { ScorerDependencies } from './scorer-dependencies.js';

/** A shadow scoring job: the challenger scores the same features after the response has been sent. */
export interface ShadowJob {
  readonly id: string | number;
  readonly input: Float64Array;
  readonly inputNames: readonly string[];
  readonly championScore: number;
  readonly championVersion: number;
}

/** The part of the scorer's dependencies shadow scoring uses. */
export type ShadowDependencies = Pick<ScorerDependencies, 'maxPendingShadow' | 'logger' | 'metrics' | 'idField'>;

/** Shadow jobs one event-loop turn runs at most, so a long queue never holds the loop for long. */
const JOBS_PER_TURN = 32;

/**
 * Shadow scoring off the request path: the current challenger scores the champion's input vectors after the
 * responses have gone. Jobs wait in one bounded queue, drained in batches of at most 32 per macrotask
 * (`setImmediate`), so a burst costs one scheduled callback rather than one per job and never holds the event loop
 * long. The outcome is counted and both scores are logged at debug level (info keeps one line per decision); a
 * challenger can never change or delay an answer, and at most `maxPendingShadow` jobs wait (more are skipped and
 * counted as `skipped`).
 */
export class ShadowRunner {
  private readonly deps: ShadowDependencies;
  private readonly slots: ModelSlots;
  private readonly queue: ShadowJob[] = [];
  private head = 0;
  private scheduled = false;
  private warnedMismatch = false;

  constructor(deps: ShadowDependencies, slots: ModelSlots) {
    this.deps = deps;
    this.slots = slots;
  }

  /** Jobs waiting to be scored. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Queues `jobs` (call it after the response has been sent). Jobs beyond `maxPendingShadow` are skipped. */
  run(jobs: readonly ShadowJob[]): void {
    for (const job of jobs) {
      if (this.pending >= this.deps.maxPendingShadow) {
        this.deps.metrics.countShadow('skipped');
        continue;
      }
      this.queue.push(job);
    }
    if (!this.scheduled && this.pending > 0) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    const end = Math.min(this.queue.length, this.head + JOBS_PER_TURN);
    try {
      while (this.head < end) {
        const job = this.queue[this.head]!;
        this.head += 1;
        this.scoreOne(job);
      }
    } finally {
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head > 1024) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.scheduled = this.pending > 0;
      if (this.scheduled) setImmediate(this.drain);
    }
  };

  private scoreOne(job: ShadowJob): void {
    const { logger, metrics } = this.deps;
    const challenger = this.slots.challenger;
    if (challenger === undefined) return;
    const classifier = challenger.served.classifier;
    if (!sameNames(classifier.featureNames, job.inputNames)) {
      metrics.countShadow('skipped');
      if (!this.warnedMismatch) {
        this.warnedMismatch = true;
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
      // One line per decision at info: the shadow comparison is a debug line (the counter above is always kept).
      logger.debug(
        {
          [this.deps.idField]: job.id,
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
}
