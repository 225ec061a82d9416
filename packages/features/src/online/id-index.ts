import { ShardedMap } from '@mlsd/data';

/** Slots per chunk of the ring (a power of two). */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
/** One chunk of the ring: the ids, their numbers and their notes, by slot. */
interface Chunk {
  readonly ids: (string | number | undefined)[];
  readonly values: Float64Array;
  readonly notes: (string | undefined)[];
}

/**
 * Transaction ids, each with a number (an expiry time, a sequence number) and an optional note (a kept answer), in
 * the order they were set, oldest first: what the memory store needs for duplicates and for feedback by id.
 *
 * Why not one `Map`: a JavaScript Map re-hashes its whole table when it fills, a pause a scoring service's clients
 * see as latency (see `ShardedMap` in `@mlsd/data`). Here the lookup is a `ShardedMap` of positions and the order is
 * a ring of fixed 4,096-slot chunks (added and released whole, never copied). Re-setting an id moves it to the
 * newest end; its old slot stays behind, stale, and is skipped.
 */
export class IdIndex {
  private readonly positions = new ShardedMap<number>();
  private chunks: Chunk[] = [];
  /** Position of the first slot of `chunks[0]`. */
  private base = 0;
  /** Position of the oldest slot still held (live or stale). */
  private head = 0;
  /** Position of the next slot to write. */
  private tail = 0;
  private live = 0;

  /** Ids held. */
  get size(): number {
    return this.live;
  }

  /** Whether `id` is held. */
  has(id: string | number): boolean {
    return this.positions.has(id);
  }

  /** The number set with `id`, or undefined when it is not held. */
  get(id: string | number): number | undefined {
    const position = this.positions.get(id);
    return position === undefined ? undefined : this.chunkAt(position).values[position & (CHUNK - 1)];
  }

  /** The note kept with `id`, or undefined (none, or `id` not held). */
  note(id: string | number): string | undefined {
    const position = this.positions.get(id);
    return position === undefined ? undefined : this.chunkAt(position).notes[position & (CHUNK - 1)];
  }

  /** Keeps `note` with `id` when it is held (returns false otherwise); its place in the order does not change. */
  setNote(id: string | number, note: string): boolean {
    const position = this.positions.get(id);
    if (position === undefined) return false;
    this.chunkAt(position).notes[position & (CHUNK - 1)] = note;
    return true;
  }

  /** Sets `id`'s number, making it the newest (a note it had is dropped). */
  set(id: string | number, value: number): void {
    if (this.positions.has(id)) this.live--;
    this.append(id, value);
  }

  /**
   * Sets `id`'s number when `id` is not held, and returns true; returns false and changes nothing when it is. One
   * lookup less than `has` then `set`, for the memory store's per-event duplicate check.
   */
  addIfAbsent(id: string | number, value: number): boolean {
    if (this.positions.get(id) !== undefined) return false;
    this.append(id, value);
    return true;
  }

  /**
   * Keeps `note` with `id` when it is held with a number above `floor` (returns false otherwise, changing nothing);
   * its place in the order does not change. One lookup, where `get` then `setNote` take two.
   */
  setNoteAbove(id: string | number, floor: number, note: string): boolean {
    const position = this.positions.get(id);
    if (position === undefined) return false;
    const chunk = this.chunkAt(position);
    const slot = position & (CHUNK - 1);
    if (!(chunk.values[slot]! > floor)) return false;
    chunk.notes[slot] = note;
    return true;
  }

  /** Writes `id` at the newest end (any earlier slot of it goes stale) and points the lookup at it. */
  private append(id: string | number, value: number): void {
    if ((this.tail - this.base) >>> CHUNK_BITS >= this.chunks.length) {
      this.chunks.push({
        ids: new Array<string | number | undefined>(CHUNK).fill(undefined),
        values: new Float64Array(CHUNK),
        notes: new Array<string | undefined>(CHUNK).fill(undefined),
      });
    }
    const chunk = this.chunkAt(this.tail);
    const slot = this.tail & (CHUNK - 1);
    chunk.ids[slot] = id;
    chunk.values[slot] = value;
    chunk.notes[slot] = undefined;
    this.positions.set(id, this.tail);
    this.tail++;
    this.live++;
  }

  /** Removes `id`; returns whether it was held. */
  delete(id: string | number): boolean {
    if (!this.positions.delete(id)) return false;
    this.live--;
    this.releaseStale();
    return true;
  }

  /** The oldest id held, or undefined when none is. */
  oldestId(): string | number | undefined {
    this.releaseStale();
    return this.head === this.tail ? undefined : this.chunkAt(this.head).ids[this.head & (CHUNK - 1)];
  }

  /** The number of the oldest id held, or undefined when none is. */
  oldestValue(): number | undefined {
    this.releaseStale();
    return this.head === this.tail ? undefined : this.chunkAt(this.head).values[this.head & (CHUNK - 1)];
  }

  /** Removes the oldest id held; returns it, or undefined when none is. */
  deleteOldest(): string | number | undefined {
    const id = this.oldestId();
    if (id !== undefined) this.delete(id);
    return id;
  }

  /** Removes every id. */
  clear(): void {
    this.positions.clear();
    this.chunks = [];
    this.base = this.head = this.tail = this.live = 0;
  }

  private chunkAt(position: number): Chunk {
    return this.chunks[(position - this.base) >>> CHUNK_BITS]!;
  }

  /** Moves the head past slots whose id was deleted or set again since, and releases the chunks it leaves. */
  private releaseStale(): void {
    while (this.head < this.tail) {
      const chunk = this.chunkAt(this.head);
      const slot = this.head & (CHUNK - 1);
      const id = chunk.ids[slot]!;
      if (this.positions.get(id) === this.head) break;
      chunk.ids[slot] = undefined;
      chunk.notes[slot] = undefined;
      this.head++;
      if ((this.head & (CHUNK - 1)) === 0) {
        this.chunks.shift();
        this.base += CHUNK;
      }
    }
    if (this.head === this.tail) {
      // Empty: no chunk, and the next write starts one (chunks start at multiples of CHUNK).
      this.chunks = [];
      this.base = this.head - (this.head & (CHUNK - 1));
    }
  }
}
