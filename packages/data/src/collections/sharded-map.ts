/** Maps the keys are spread over (a power of two). */
const SHARDS = 256;

/**
 * A map from string or number keys (transaction ids, card ids) to values, spread over 256 JavaScript Maps by the
 * key: what a service keeps per event or per entity for a long time (ids for duplicates, scores waiting for their
 * label, a million cards' histories) without stalling.
 *
 * Why not one `Map`: a JavaScript Map re-hashes its whole table when it fills or has deleted enough — on the
 * project's 2-core box three maps crossing 2^18 entries paused 139 ms, 2^19 257 ms, and a full map dropping its oldest
 * entry per insert re-hashed every ~320k operations for 42–71 ms, which a scoring service's clients see as latency.
 * Here each shard holds a 256th of the keys, so each re-hash is a 256th of the pause. Integers go to the shard of
 * their low bits, strings to one picked by a hash of three characters and the length.
 */
export class ShardedMap<V> {
  /** How many shards the keys are spread over: {@link entriesOfShard} takes 0 to this minus one. */
  static readonly shardCount = SHARDS;

  private readonly shards: Map<string | number, V>[] = Array.from({ length: SHARDS }, () => new Map());

  /** Keys held (counted over the shards: not for a hot path). */
  get size(): number {
    let size = 0;
    for (const shard of this.shards) size += shard.size;
    return size;
  }

  /** The value of `key`, or undefined when it is not held. */
  get(key: string | number): V | undefined {
    return this.shardOf(key).get(key);
  }

  /** Whether `key` is held. */
  has(key: string | number): boolean {
    return this.shardOf(key).has(key);
  }

  /** Sets `key`'s value. */
  set(key: string | number, value: V): this {
    this.shardOf(key).set(key, value);
    return this;
  }

  /** Removes `key`; returns whether it was held. */
  delete(key: string | number): boolean {
    return this.shardOf(key).delete(key);
  }

  /** Every key and value, shard by shard (not in insertion order); deleting the current key meanwhile is safe. */
  *entries(): IterableIterator<[string | number, V]> {
    for (const shard of this.shards) yield* shard.entries();
  }

  /**
   * The keys and values of shard `shard` alone, for work spread over many calls (an incremental sweep); deleting the
   * current key meanwhile is safe.
   */
  entriesOfShard(shard: number): IterableIterator<[string | number, V]> {
    const map = this.shards[shard];
    if (map === undefined) throw new RangeError(`ShardedMap has shards 0 to ${SHARDS - 1}; got ${shard}.`);
    return map.entries();
  }

  /** Every value, shard by shard. */
  *values(): IterableIterator<V> {
    for (const shard of this.shards) yield* shard.values();
  }

  /** Removes every key. */
  clear(): void {
    for (const shard of this.shards) shard.clear();
  }

  /** The shard that holds `key`. */
  private shardOf(key: string | number): Map<string | number, V> {
    if (typeof key === 'number') return this.shards[Number.isInteger(key) ? key & (SHARDS - 1) : 0]!;
    const n = key.length;
    const h = (key.charCodeAt(n - 1) * 31 + key.charCodeAt(n >> 1)) * 31 + key.charCodeAt(0) + n;
    return this.shards[h & (SHARDS - 1)]!;
  }
}
