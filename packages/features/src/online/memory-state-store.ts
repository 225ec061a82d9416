import { MlsdError, ShardedMap } from '@mlsd/data';
import { admitByTime } from './admission-rules.js';
import { IdIndex } from './id-index.js';
import { checkSnapshot, retainedKeyEvents } from './check-snapshot.js';
import type {
  EntityHistory,
  FeatureStateStore,
  ImportStateOptions,
  LabelTarget,
  ObserveStatus,
  StateLayout,
  StateSnapshot,
  StoreEvent,
} from './state-store.js';

/** The settled promise of calls with nothing to wait for. */
const DONE: Promise<void> = Promise.resolve();

/**
 * Every this many recorded events, one shard of one entity map (of `ShardedMap.shardCount` per map) drops its idle
 * entities: each map is swept whole every 64 × 256 × (entity columns) events, a few hundred keys at a time.
 */
const SWEEP_SHARD_EVERY = 64;
/** Every this many recorded events, up to {@link FORGET_AT_ONCE} expired transaction ids leave the feedback index. */
const FORGET_EVERY = 16;
/** Twice the ids added meanwhile (one per event): a backlog of expired ids drains. */
const FORGET_AT_ONCE = 2 * FORGET_EVERY;

/** At most this many labels for unknown ids are held at once; the oldest is dropped first. */
const MAX_PENDING_LABELS = 100_000;

/** How many transaction ids the memory store remembers by default (for duplicates, and for feedback by id). */
const DEFAULT_MAX_REMEMBERED_IDS = 2_000_000;

/** Options of {@link MemoryStateStore}. */
export interface MemoryStateStoreOptions {
  /** The wall clock (epoch ms) that times duplicate ids and pending labels; injected so tests control it. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * At most this many recorded ids are remembered for duplicates and, apart, for feedback by id (default 2,000,000,
   * about 200 bytes each); past it the oldest are forgotten first, one per new id. A JavaScript Map holds at
   * most 2^24 entries: without a bound, a service taking 2,000 events/s with the default 24 h idempotency window
   * would have every event refused (a RangeError) after about 2.3 hours. A forgotten id is scored as new if it comes
   * again, and feedback for it by id finds nothing (feedback by entity and time still works).
   */
  readonly maxIds?: number;
}

/**
 * The default online state store: entity histories in process memory, as growable typed arrays in event order.
 * Fast (no I/O, no per-event objects besides the id indexes), but private to one process: use
 * {@link RedisStateStore} when several serving replicas must share state. Entities idle for longer than the
 * retention (in event time, against the latest event seen) are dropped a slice at a time as events are recorded
 * (sweeping everything every 16,384 events paused the service up to 26 ms when event time jumped). Duplicate
 * ids, late events and pending labels follow `admission-rules.ts`; at most 100,000 pending labels are held.
 */
export class MemoryStateStore implements FeatureStateStore {
  private layout: StateLayout | undefined;
  private layoutText = '';
  /** One map per layout entity, from entity key to its history (sharded: a million cards' map re-hashing would stall). */
  private histories: ShardedMap<History>[] = [];
  /**
   * The feedback index: transaction id → the sequence number of its event, whose time and keys sit in `recent`, in
   * sequence order (an `IdIndex`, not a Map: a big Map pauses the service whenever it re-hashes).
   */
  private readonly transactions = new IdIndex();
  private recent = new RecentEvents(0);
  /** No indexed transaction is older than this sequence number (a lower bound, refreshed as old ids are forgotten). */
  private oldestIndexed = 1;
  private seq = 0;
  /**
   * Recorded ids → wall-clock expiry, in insertion (hence expiry) order: duplicates within `idempotencyMs`; the
   * answer saved for an id is its note.
   */
  private readonly seen = new IdIndex();
  /** The expiry of the oldest entry of `seen` (+Infinity when empty): nothing expires before it. */
  private seenHorizon = Number.POSITIVE_INFINITY;
  /** Labels of ids not recorded yet, in arrival order. */
  private readonly pending = new Map<string | number, { readonly label: 0 | 1; readonly expires: number }>();
  private readonly now: () => number;
  private readonly maxIds: number;
  // Reused between calls (views and status are only valid inside `compute`): no per-event allocation.
  private found: (History | undefined)[] = [];
  private views: MutableView[] = [];
  private readonly status: ObserveStatus = { late: false, recorded: false, duplicate: false, answer: undefined };
  private watermark = -Infinity;
  /** The next shard to sweep, counted over the entity maps (map `cursor / shardCount`, shard `cursor % shardCount`). */
  private sweepCursor = 0;

  constructor(options: MemoryStateStoreOptions = {}) {
    for (const key of Object.keys(options)) {
      if (key !== 'now' && key !== 'maxIds') throw new MlsdError('INVALID_OPTION', `Unknown MemoryStateStore option "${key}"; valid: now, maxIds.`);
    }
    this.now = options.now ?? Date.now;
    const maxIds = options.maxIds ?? DEFAULT_MAX_REMEMBERED_IDS;
    if (!Number.isInteger(maxIds) || maxIds < 1 || maxIds > 2 ** 24) {
      throw new MlsdError('INVALID_OPTION', `MemoryStateStore option "maxIds" must be a whole number from 1 to 2^24, got ${String(options.maxIds)}.`, {
        location: { field: 'maxIds' },
      });
    }
    this.maxIds = maxIds;
  }

  /** Number of entity keys currently held (all entity columns together). */
  get entityCount(): number {
    let count = 0;
    for (const map of this.histories) count += map.size;
    return count;
  }

  /** Number of events currently held over all entity keys (each event counts once per entity column). */
  get eventCount(): number {
    let count = 0;
    for (const map of this.histories) for (const history of map.values()) count += history.tail - history.head;
    return count;
  }

  /** Transaction ids the feedback index holds, each findable by `label({ transactionId })`. */
  get transactionCount(): number {
    return this.transactions.size;
  }

  attach(layout: StateLayout): void {
    this.layout = attachOnce(this.layoutText, layout);
    this.layoutText = JSON.stringify(layout);
    if (this.histories.length === 0) {
      this.histories = layout.entities.map(() => new ShardedMap<History>());
      this.found = layout.entities.map(() => undefined);
      this.views = layout.entities.map(() => ({ from: 0, to: 0, times: EMPTY.times, labels: EMPTY.labels, values: EMPTY.values }));
      this.recent = new RecentEvents(layout.entities.length);
    }
  }

  observe<R>(event: StoreEvent, record: boolean, compute: (histories: readonly EntityHistory[], status: ObserveStatus) => R): Promise<R> {
    // A settled promise without an async frame; errors still reject.
    try {
      return Promise.resolve(this.observeSync(event, record, compute));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The synchronous form of {@link observe}, for callers that batch many events in one tick (replays, benchmarks). */
  observeSync<R>(event: StoreEvent, record: boolean, compute: (histories: readonly EntityHistory[], status: ObserveStatus) => R): R {
    const layout = this.requireLayout();
    const count = layout.entities.length;
    const found = this.found;
    let latest = -Infinity;
    for (let e = 0; e < count; e++) {
      const history = this.histories[e]!.get(event.keys[e]!);
      if (history !== undefined && history.tail > history.head && history.times[history.tail - 1]! > latest) latest = history.times[history.tail - 1]!;
      found[e] = history;
    }
    const status = this.status;
    const id = event.transactionId;
    status.duplicate = false;
    status.answer = undefined;
    let now = 0;
    if (record && id !== undefined) {
      now = this.now();
      this.expireSeen(now);
      // Scored once (recorded, or too late to record): a retry of this id is a duplicate.
      const expires = now + layout.idempotencyMs;
      const wasEmpty = this.seen.size === 0;
      if (!this.seen.addIfAbsent(id, expires)) {
        status.duplicate = true;
        status.answer = this.seen.note(id);
        record = false;
      } else {
        if (wasEmpty) this.seenHorizon = expires;
        if (this.seen.size > this.maxIds) {
          this.seen.deleteOldest();
          this.seenHorizon = this.seen.oldestValue() ?? Number.POSITIVE_INFINITY;
        }
      }
    }
    const admission = admitByTime(event.time, latest, layout.latenessMs);
    status.late = admission !== 'on-time';
    if (admission === 'too-late') record = false;
    status.recorded = record;
    const views = this.views;
    for (let e = 0; e < count; e++) (found[e] ?? EMPTY).view(event.time, layout.retentionMs, views[e]!);
    const result = compute(views, status);
    if (!record) return result;

    const seq = ++this.seq;
    const label = id === undefined ? 0 : this.takePending(id, now);
    for (let e = 0; e < count; e++) {
      let history = found[e];
      if (history === undefined) {
        history = new History(layout.entities[e]!.valueCount);
        this.histories[e]!.set(event.keys[e]!, history);
      }
      history.insert(event.time, seq, label, event.values[e]!);
      history.evict(layout.retentionMs);
    }
    if (id !== undefined) {
      // Set again, an id moves to the newest end: the index stays in sequence order (the sweep stops at the first live one).
      this.transactions.set(id, seq);
      if (this.transactions.size > this.maxIds) this.forgetOldestTransaction(seq);
      this.recent.add(seq, event.time, event.keys, this.oldestIndexed);
    }
    if (event.time > this.watermark) this.watermark = event.time;
    // Counted by the recorded events' sequence numbers.
    if (seq % FORGET_EVERY === 0) this.forgetExpired(layout);
    if (seq % SWEEP_SHARD_EVERY === 0) this.sweepShard(layout);
    return result;
  }

  async label(target: LabelTarget, label: 0 | 1): Promise<number> {
    this.requireLayout();
    let changed = 0;
    if ('transactionId' in target) {
      const seq = this.transactions.get(target.transactionId);
      if (seq === undefined) {
        this.holdPending(target.transactionId, label);
        return 0;
      }
      const time = this.recent.time(seq);
      for (let e = 0; e < this.histories.length; e++) changed += this.histories[e]!.get(this.recent.key(seq, e))?.setLabel(time, seq, label) ?? 0;
      return changed;
    }
    for (const { entity, key } of target.keys) changed += this.histories[entity]?.get(key)?.setLabel(target.time, -1, label) ?? 0;
    return changed;
  }

  importState(snapshot: StateSnapshot, options: ImportStateOptions = {}): Promise<number> {
    try {
      const written = this.importStateSync(snapshot);
      options.onProgress?.(written, written);
      return Promise.resolve(written);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The synchronous form of {@link importState}: one typed-array pass per entity (a counting sort by key, then each
   * key's events copied into its history), no per-event objects.
   */
  importStateSync(snapshot: StateSnapshot): number {
    const layout = this.requireLayout();
    checkSnapshot(snapshot, layout);
    const { times, labels } = snapshot;
    const n = times.length;
    // Snapshot event i arrives (base + i + 1)-th: after everything recorded so far, ties in snapshot order.
    const base = this.seq;
    let written = 0;
    snapshot.entities.forEach((entity, e) => {
      const map = this.histories[e]!;
      // What `evict` keeps after each key's latest event: events within the retention.
      for (const { key: k, order, from, to } of retainedKeyEvents(times, entity.codes, entity.keys.length, layout.retentionMs)) {
        const count = to - from;
        const history = new History(entity.values.length, Math.max(8, count * 2));
        for (let j = 0; j < count; j++) {
          const i = order[from + j]!;
          history.times[j] = times[i]!;
          history.seqs[j] = base + i + 1;
          history.labels[j] = labels[i]!;
        }
        for (let c = 0; c < entity.values.length; c++) {
          const source = entity.values[c]!;
          const target = history.values[c]!;
          for (let j = 0; j < count; j++) target[j] = source[order[from + j]!]!;
        }
        history.tail = count;
        map.set(entity.keys[k]!, history);
        written += count;
      }
    });
    this.seq = base + n;
    if (n > 0 && times[n - 1]! > this.watermark) this.watermark = times[n - 1]!;
    const ids = snapshot.ids;
    if (ids !== undefined && snapshot.feedbackFrom < n) {
      if (this.transactions.size === 0) this.oldestIndexed = base + snapshot.feedbackFrom + 1;
      const keys: (string | number)[] = snapshot.entities.map(() => 0);
      for (let i = snapshot.feedbackFrom; i < n; i++) {
        const seq = base + i + 1;
        for (let e = 0; e < keys.length; e++) {
          const entity = snapshot.entities[e]!;
          keys[e] = entity.keys[entity.codes[i]!]!;
        }
        this.transactions.set(ids[i]!, seq);
        if (this.transactions.size > this.maxIds) this.forgetOldestTransaction(seq);
        this.recent.add(seq, times[i]!, keys, this.oldestIndexed);
      }
    }
    return written;
  }

  saveAnswer(transactionId: string | number, answer: string): Promise<void> {
    this.seen.setNoteAbove(transactionId, this.now(), answer);
    // Not async: called for every scored event, and nothing here waits.
    return DONE;
  }

  async close(): Promise<void> {
    for (const map of this.histories) map.clear();
    this.transactions.clear();
    this.seen.clear();
    this.seenHorizon = Number.POSITIVE_INFINITY;
    this.pending.clear();
  }

  /** Forgets ids recorded more than `idempotencyMs` ago (they sit at the front: expiries grow with insertion). */
  private expireSeen(now: number): void {
    // Called for every event: looks at the index only once something expired.
    if (now < this.seenHorizon) return;
    let oldest = this.seen.oldestValue();
    while (oldest !== undefined && oldest <= now) {
      this.seen.deleteOldest();
      oldest = this.seen.oldestValue();
    }
    this.seenHorizon = oldest ?? Number.POSITIVE_INFINITY;
  }

  /** Forgets the oldest id of the feedback index (past `maxIds`); `seq` is the newest event's sequence number. */
  private forgetOldestTransaction(seq: number): void {
    this.transactions.deleteOldest();
    this.oldestIndexed = this.transactions.oldestValue() ?? seq;
  }

  private holdPending(id: string | number, label: 0 | 1): void {
    const layout = this.requireLayout();
    const now = this.now();
    for (const [held, entry] of this.pending) {
      if (entry.expires > now && this.pending.size < MAX_PENDING_LABELS) break;
      this.pending.delete(held);
    }
    this.pending.delete(id);
    this.pending.set(id, { label, expires: now + layout.pendingLabelMs });
  }

  /** The held label of `id` (removed), or 0 when none is held or it expired. */
  private takePending(id: string | number, now: number): 0 | 1 {
    if (this.pending.size === 0) return 0;
    const entry = this.pending.get(id);
    if (entry === undefined) return 0;
    this.pending.delete(id);
    return entry.expires > now ? entry.label : 0;
  }

  /**
   * Forgets up to {@link FORGET_AT_ONCE} of the oldest transaction ids whose events fell out of the retention (plus
   * the lateness bound): transactions are indexed in arrival order, which follows event time up to that bound.
   */
  private forgetExpired(layout: StateLayout): void {
    const forgetUpTo = this.watermark - layout.retentionMs - layout.latenessMs;
    let oldest = this.transactions.oldestValue();
    for (let n = 0; n < FORGET_AT_ONCE && oldest !== undefined && this.recent.time(oldest) <= forgetUpTo; n++) {
      this.transactions.deleteOldest();
      oldest = this.transactions.oldestValue();
    }
    this.oldestIndexed = oldest ?? this.seq + 1;
  }

  /** Drops the entities of the next shard (see {@link SWEEP_SHARD_EVERY}) whose last event is older than the retention. */
  private sweepShard(layout: StateLayout): void {
    if (this.histories.length === 0) return;
    const shards = ShardedMap.shardCount;
    const map = this.histories[Math.floor(this.sweepCursor / shards)]!;
    const cutoff = this.watermark - layout.retentionMs;
    for (const [key, history] of map.entriesOfShard(this.sweepCursor % shards)) {
      if (history.tail === history.head || history.times[history.tail - 1]! <= cutoff) map.delete(key);
    }
    this.sweepCursor = (this.sweepCursor + 1) % (shards * this.histories.length);
  }

  private requireLayout(): StateLayout {
    if (this.layout === undefined) {
      throw new MlsdError('NOT_FITTED', 'This state store is not attached to an online executor; pass it as the `store` option of one.');
    }
    return this.layout;
  }
}

/** Checks a store is attached to at most one layout; returns the layout to keep. */
export function attachOnce(previous: string, layout: StateLayout): StateLayout {
  if (previous !== '' && previous !== JSON.stringify(layout)) {
    throw new MlsdError(
      'INVALID_OPTION',
      'This state store already serves executors with other feature definitions; give each set of definitions its own store (or key prefix).',
    );
  }
  return layout;
}

/** An {@link EntityHistory} the store rewrites for every call. */
type MutableView = { -readonly [K in keyof EntityHistory]: EntityHistory[K] };

/** One entity's events in [head, tail) of growable typed arrays, in event order. */
class History {
  head = 0;
  tail = 0;
  times: Float64Array;
  seqs: Float64Array;
  labels: Uint8Array;
  values: Float64Array[];

  constructor(valueCount: number, capacity = 8) {
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.labels = new Uint8Array(capacity);
    this.values = Array.from({ length: valueCount }, () => new Float64Array(capacity));
  }

  view(time: number, retentionMs: number, into: MutableView): void {
    // Events after `time` exist only when this event is late: they are not part of its past.
    let to = this.tail;
    while (to > this.head && this.times[to - 1]! > time) to--;
    let from = this.head;
    const oldest = time - retentionMs;
    while (from < to && this.times[from]! <= oldest) from++;
    into.from = from;
    into.to = to;
    into.times = this.times;
    into.labels = this.labels;
    into.values = this.values;
  }

  insert(time: number, seq: number, label: 0 | 1, values: readonly number[]): void {
    if (this.tail === this.times.length) this.makeRoom();
    let at = this.tail;
    if (at > this.head && this.times[at - 1]! > time) {
      while (at > this.head && this.times[at - 1]! > time) at--;
      this.shiftRight(at);
    }
    this.times[at] = time;
    this.seqs[at] = seq;
    this.labels[at] = label;
    for (let c = 0; c < this.values.length; c++) this.values[c]![at] = values[c]!;
    this.tail++;
  }

  evict(retentionMs: number): void {
    const cutoff = this.times[this.tail - 1]! - retentionMs;
    while (this.head < this.tail && this.times[this.head]! <= cutoff) this.head++;
  }

  setLabel(time: number, seq: number, label: 0 | 1): number {
    let changed = 0;
    let lo = this.head;
    let hi = this.tail;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    for (let j = lo; j < this.tail && this.times[j] === time; j++) {
      if (seq === -1 || this.seqs[j] === seq) {
        this.labels[j] = label;
        changed++;
      }
    }
    return changed;
  }

  private shiftRight(at: number): void {
    this.times.copyWithin(at + 1, at, this.tail);
    this.seqs.copyWithin(at + 1, at, this.tail);
    this.labels.copyWithin(at + 1, at, this.tail);
    for (const column of this.values) column.copyWithin(at + 1, at, this.tail);
  }

  private makeRoom(): void {
    const size = this.tail - this.head;
    if (size * 2 <= this.times.length) {
      // Enough evicted space at the front: compact in place, no new arrays.
      this.times.copyWithin(0, this.head, this.tail);
      this.seqs.copyWithin(0, this.head, this.tail);
      this.labels.copyWithin(0, this.head, this.tail);
      for (const column of this.values) column.copyWithin(0, this.head, this.tail);
    } else {
      const capacity = this.times.length * 2;
      const move = <T extends Float64Array | Uint8Array>(source: T, target: T): T => {
        target.set(source.subarray(this.head, this.tail));
        return target;
      };
      this.times = move(this.times, new Float64Array(capacity));
      this.seqs = move(this.seqs, new Float64Array(capacity));
      this.labels = move(this.labels, new Uint8Array(capacity));
      this.values = this.values.map((column) => move(column, new Float64Array(capacity)));
    }
    this.head = 0;
    this.tail = size;
  }
}

const EMPTY = new History(0, 0);

/**
 * Time and entity keys of recent events by sequence number, in a ring of typed arrays (keys in plain arrays: they
 * may be strings) that grows when the oldest indexed event would be overwritten. No object per event.
 */
class RecentEvents {
  private mask = 1_023;
  private times = new Float64Array(1_024);
  private seqs = new Float64Array(1_024);
  private keys: (string | number)[][];

  constructor(entityCount: number) {
    this.keys = Array.from({ length: entityCount }, () => new Array<string | number>(1_024).fill(0));
  }

  /** Stores event `seq`; events from sequence number `oldest` on must stay readable. */
  add(seq: number, time: number, keys: readonly (string | number)[], oldest: number): void {
    if (seq - oldest > this.mask) this.grow(seq - oldest + 1, oldest);
    const slot = seq & this.mask;
    this.times[slot] = time;
    this.seqs[slot] = seq;
    for (let e = 0; e < keys.length; e++) this.keys[e]![slot] = keys[e]!;
  }

  time(seq: number): number {
    return this.times[seq & this.mask]!;
  }

  key(seq: number, entity: number): string | number {
    return this.keys[entity]![seq & this.mask]!;
  }

  private grow(needed: number, oldest: number): void {
    let capacity = this.mask + 1;
    while (capacity < needed) capacity *= 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const keys = this.keys.map(() => new Array<string | number>(capacity).fill(0));
    for (let slot = 0; slot <= this.mask; slot++) {
      const seq = this.seqs[slot]!;
      if (seq < oldest) continue;
      const to = seq & (capacity - 1);
      times[to] = this.times[slot]!;
      seqs[to] = seq;
      for (let e = 0; e < keys.length; e++) keys[e]![to] = this.keys[e]![slot]!;
    }
    this.mask = capacity - 1;
    this.times = times;
    this.seqs = seqs;
    this.keys = keys;
  }
}
