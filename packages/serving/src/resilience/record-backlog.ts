/** Options of {@link RecordBacklog}. */
export interface RecordBacklogOptions {
  /** Most items held; when full, the oldest is dropped (and counted) to make room. Default 100 000. */
  readonly capacity?: number;
  /** Called with the number of items dropped each time the backlog overflows (a metric). */
  readonly onDrop?: (count: number) => void;
}

/** What one {@link RecordBacklog.drain} did. */
export interface DrainResult {
  /** Items the record function took. */
  readonly recorded: number;
  /** True when it stopped at an item the record function rejected (that item and the rest stay). */
  readonly interrupted: boolean;
}

/**
 * Writes that could not reach a dependency, kept in arrival order to be replayed once it is back: the events the
 * scoring service answered by the fallback while its feature store was down, so that the store's counts after an
 * outage equal those without one. Bounded: when full, the oldest item is dropped first (an outage longer than the
 * buffer loses its oldest events, never the newest, and never memory). Replays run one at a time, in order, and
 * stop at the first failure (the dependency is down again), keeping that item for the next drain.
 */
export class RecordBacklog<T> {
  private readonly capacity: number;
  private readonly onDrop: (count: number) => void;
  private items: T[] = [];
  private head = 0;
  private draining: Promise<DrainResult> | undefined;

  constructor(options: RecordBacklogOptions = {}) {
    this.capacity = options.capacity ?? 100_000;
    this.onDrop = options.onDrop ?? (() => undefined);
  }

  /** Items waiting to be replayed. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** True while a drain runs. */
  get isDraining(): boolean {
    return this.draining !== undefined;
  }

  /** Adds an item at the end, dropping the oldest when the backlog is full. */
  push(item: T): void {
    if (this.size >= this.capacity) {
      this.head += 1;
      this.onDrop(1);
    }
    this.items.push(item);
    // Compact now and then, so the array does not grow with everything ever replayed.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Replays the items in order with `record`, one at a time, until the backlog is empty or `record` rejects (that
   * item stays first). Items pushed meanwhile are replayed too. A drain already running is returned, not doubled.
   */
  drain(record: (item: T) => Promise<void>): Promise<DrainResult> {
    this.draining ??= this.run(record).finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async run(record: (item: T) => Promise<void>): Promise<DrainResult> {
    let recorded = 0;
    while (this.size > 0) {
      const item = this.items[this.head]!;
      try {
        await record(item);
      } catch {
        return { recorded, interrupted: true };
      }
      // The item may have been dropped by an overflow while it was being recorded: only shift what is still first.
      if (this.items[this.head] === item) this.head += 1;
      recorded += 1;
    }
    this.items = [];
    this.head = 0;
    return { recorded, interrupted: false };
  }
}
