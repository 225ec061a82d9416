import type { Cluster } from 'ioredis';
import { MlsdError } from '@mlsd/data';
import { admitByTime } from './admission-rules.js';
import { checkSnapshot } from './check-snapshot.js';
import { ioredis } from './ioredis-module.js';
import { attachOnce } from './memory-state-store.js';
import { IMPORT_LUA, LABEL_LUA, parseHistory, runScript, unavailable } from './redis-state-store.js';
import { feedbackIndexEntries, snapshotKeyMembers } from './snapshot-members.js';
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

/** Members `importState` queues before it waits for the writes in flight. */
const IMPORT_BATCH = 20_000;

// One entity's slot, first round trip: its latest event time ('' when none) and its events in (ARGV[1], ARGV[2]].
const READ_LUA = `
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { last[2] or '', redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2], 'WITHSCORES') }
`;

// The id's slot, first round trip: a seen id is a duplicate ({1, saved answer}); else it is claimed as seen for
// ARGV[1] ms and the reply carries the label held for it ({0, '', label or ''}).
const CLAIM_LUA = `
local seen = redis.call('GET', KEYS[1])
if seen then return { 1, seen, '' } end
redis.call('SET', KEYS[1], '', 'PX', ARGV[1])
return { 0, '', redis.call('GET', KEYS[2]) or '' }
`;

// One entity's slot, second round trip: add member ARGV[2] at time ARGV[1], trim what is older than the key's latest
// event minus the retention ARGV[3], refresh the TTL ARGV[4] — what the single-node observe script does per key.
const APPEND_LUA = `
local t = tonumber(ARGV[1])
local top = t
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if last[2] and tonumber(last[2]) > top then top = tonumber(last[2]) end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.17g', top - tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

// The id's slot, third round trip (after the appends): index the event for label feedback and take the label held
// for it meanwhile ('' when none).
const INDEX_LUA = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local held = redis.call('GET', KEYS[2])
redis.call('DEL', KEYS[2])
return held or ''
`;

/** Options of {@link RedisClusterStateStore}. */
export interface RedisClusterStateStoreOptions {
  /**
   * An ioredis `Cluster` (the caller keeps ownership), or seed nodes as `host:port` strings (the store connects and
   * closes the cluster client).
   */
  readonly cluster: Cluster | readonly string[];
  /** Prefix of every key (inside its hash tag), e.g. `mlsd:features:`; give each deployment its own. Default `mlsd:features:`. */
  readonly prefix?: string;
}

/**
 * The online state store of `RedisStateStore` on a Redis Cluster. Members, scores, TTLs, retention and the
 * admission rules (`admission-rules.ts`) are the same; the keys are hash-tagged so that each entity key's history
 * (`{<prefix>h:<entity>:<key>}`) lives in one slot, and an id's seen/index/pending keys (`{<prefix>tx:<id>}…`) in
 * another, because a cluster refuses a script that touches keys of several slots.
 *
 * **What atomicity is lost.** `observe` is not one script but up to three rounds of per-slot scripts, sent
 * concurrently to the nodes: (1) per entity, read its latest time and history, and on the id's slot claim the id
 * (SET NX semantics: the first claim wins, a second one is a duplicate) and read a held label, plus one INCR of the
 * arrival sequence; (2) per entity, append, trim and refresh the TTL; (3) index the id for label feedback and apply
 * a label that arrived during (1)-(2). Each script is atomic on its slot, the event as a whole is not.
 *
 * **Why the result is still exact for one event at a time per entity.** When no other event of the same card or
 * terminal is observed between an event's rounds, every key's history read in (1) is the one the single-node
 * script would read, and the appends of (2) are what it would write: features are bit for bit the single-node
 * (and offline) ones. Duplicate ids stay exact under any concurrency (the claim is atomic on the id's slot).
 *
 * **What can differ under concurrent events of one entity.** Two events of the same card observed at once may both
 * read before either appends: the second is then scored without the first (as if it had arrived first), though
 * both are recorded, so every later event sees both. The lateness decision uses the latest times read in (1). A
 * crash between (1) and (2) leaves the id claimed but not recorded (a retry is answered as a duplicate without a
 * saved answer). Scores of concurrent events of one card may thus differ from a sequential replay; the state does not.
 */
export class RedisClusterStateStore implements FeatureStateStore {
  private readonly client: Cluster;
  private readonly owned: boolean;
  private readonly prefix: string;
  private layout: StateLayout | undefined;
  private layoutText = '';
  private ready: Promise<void> | undefined;

  constructor(options: RedisClusterStateStoreOptions) {
    const valid = ['cluster', 'prefix'];
    for (const key of Object.keys(options)) {
      if (!valid.includes(key)) throw new MlsdError('INVALID_OPTION', `Unknown RedisClusterStateStore option "${key}"; valid: ${valid.join(', ')}.`);
    }
    this.owned = Array.isArray(options.cluster);
    this.client = Array.isArray(options.cluster)
      ? new (ioredis().Cluster)(options.cluster.map(clusterNode), { redisOptions: { maxRetriesPerRequest: 2 } })
      : (options.cluster as Cluster);
    this.prefix = options.prefix ?? 'mlsd:features:';
  }

  attach(layout: StateLayout): void {
    this.layout = attachOnce(this.layoutText, layout);
    this.layoutText = JSON.stringify(layout);
    const key = `{${this.prefix}}layout`;
    const text = this.layoutText;
    this.ready = (async () => {
      await this.client.set(key, text, 'NX');
      const stored = await this.client.get(key);
      if (stored !== text) {
        throw new MlsdError(
          'INVALID_OPTION',
          `Redis Cluster key prefix "${this.prefix}" already holds state of other feature definitions; use another prefix or delete its keys.`,
        );
      }
    })();
    this.ready.catch(() => undefined);
  }

  async observe<R>(event: StoreEvent, record: boolean, compute: (histories: readonly EntityHistory[], status: ObserveStatus) => R): Promise<R> {
    const layout = await this.requireReady();
    const keys = layout.entities.map((_, e) => this.historyKey(layout, e, event.keys[e]!));
    const time = String(event.time);
    const id = record ? event.transactionId : undefined;
    const lower = `(${String(event.time - layout.retentionMs)}`;
    try {
      // Round 1: reads of every entity's slot, the id's claim and the arrival sequence, concurrently.
      const [reads, claim, seq] = await Promise.all([
        Promise.all(keys.map((key) => this.script(READ_LUA, [key], [lower, time]) as Promise<[string, string[]]>)),
        id === undefined
          ? undefined
          : (this.script(CLAIM_LUA, [this.seenKey(id), this.pendingKey(id)], [String(Math.ceil(layout.idempotencyMs))]) as Promise<[number, string, string]>),
        record ? this.client.incr(`{${this.prefix}}seq`) : 0,
      ]);
      const duplicate = claim?.[0] === 1;
      let latest = Number.NEGATIVE_INFINITY;
      for (const [last] of reads) if (last !== '' && Number(last) > latest) latest = Number(last);
      const admission = admitByTime(event.time, latest, layout.latenessMs);
      const recorded = record && !duplicate && admission !== 'too-late';
      const status: ObserveStatus = {
        late: admission !== 'on-time',
        recorded,
        duplicate,
        answer: duplicate && claim![1] !== '' ? claim![1] : undefined,
      };
      const histories = reads.map(([, entries], e) => parseHistory(entries, layout.entities[e]!.valueCount));
      if (recorded) {
        // Round 2: append to every entity's slot; round 3: index the id once its events exist.
        const sequence = String(seq).padStart(16, '0');
        const label = claim !== undefined && claim[2] !== '' ? claim[2] : '0';
        const ttl = String(Math.ceil(layout.retentionMs));
        await Promise.all(
          keys.map((key, e) =>
            this.script(APPEND_LUA, [key], [time, `${sequence}|${label}|${event.values[e]!.map(String).join('|')}`, String(layout.retentionMs), ttl]),
          ),
        );
        if (id !== undefined) {
          const entry = JSON.stringify({ seq: sequence, time, keys });
          const held = String(await this.script(INDEX_LUA, [this.transactionKey(id), this.pendingKey(id)], [entry, ttl]));
          if (held !== '' && held !== label) await this.relabel(keys, time, sequence, held);
        }
      }
      return compute(histories, status);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async label(target: LabelTarget, label: 0 | 1): Promise<number> {
    const layout = await this.requireReady();
    try {
      if ('transactionId' in target) {
        const text = await this.client.get(this.transactionKey(target.transactionId));
        if (text === null) {
          await this.client.set(this.pendingKey(target.transactionId), String(label), 'PX', Math.ceil(layout.pendingLabelMs));
          return 0;
        }
        const entry = JSON.parse(text) as { seq: string; time: string; keys: string[] | Record<string, never> };
        return await this.relabel(Array.isArray(entry.keys) ? entry.keys : [], entry.time, entry.seq, String(label));
      }
      const keys = target.keys.map(({ entity, key }) => this.historyKey(layout, entity, key));
      return await this.relabel(keys, String(target.time), '', String(label));
    } catch (error) {
      throw unavailable(error);
    }
  }

  async saveAnswer(transactionId: string | number, answer: string): Promise<void> {
    try {
      // XX: only for a recorded (claimed) id; KEEPTTL: the idempotency window runs from the first event.
      await this.client.set(this.seenKey(transactionId), answer, 'KEEPTTL', 'XX');
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * Writes a snapshot with the single-node store's loader script, one call per entity key (each key is its own
   * slot), about 20,000 members in flight at once, spread over the nodes by the cluster client; then one
   * `SET … PX` per feedback index entry. Sequence numbers come from one INCRBY of the arrival counter. Not atomic
   * as a whole: import before the service takes traffic.
   */
  async importState(snapshot: StateSnapshot, options: ImportStateOptions = {}): Promise<number> {
    const layout = await this.requireReady();
    checkSnapshot(snapshot, layout);
    const n = snapshot.times.length;
    const ttl = String(Math.ceil(layout.retentionMs));
    let total = 0;
    for (const entity of snapshot.entities) total += entity.codes.length;
    let pending: Promise<unknown>[] = [];
    let queued = 0;
    const drain = async (): Promise<void> => {
      const batch = pending;
      pending = [];
      queued = 0;
      await Promise.all(batch);
    };
    let written = 0;
    try {
      const base = n === 0 ? 0 : (await this.client.incrby(`{${this.prefix}}seq`, n)) - n;
      const historyKeys = snapshot.entities.map((entity, e) =>
        Array.from({ length: entity.keys.length }, (_, k) => this.historyKey(layout, e, entity.keys[k]!)),
      );
      for (const { entity, key, members, count } of snapshotKeyMembers(snapshot, layout, base)) {
        pending.push(this.script(IMPORT_LUA, [historyKeys[entity]![key]!], [ttl, members]));
        written += count;
        queued += count;
        if (queued >= IMPORT_BATCH) {
          await drain();
          options.onProgress?.(written, total);
        }
      }
      const ids = snapshot.ids;
      if (ids !== undefined) {
        const entryOf = feedbackIndexEntries(snapshot, base, historyKeys);
        for (let i = snapshot.feedbackFrom; i < n; i++) {
          pending.push(this.client.set(this.transactionKey(ids[i]!), entryOf(i), 'PX', Number(ttl)));
          if (++queued >= IMPORT_BATCH) await drain();
        }
      }
      await drain();
      options.onProgress?.(written, written);
    } catch (error) {
      await Promise.allSettled(pending);
      throw unavailable(error);
    }
    return written;
  }

  /** Deletes every key under this store's prefix on every master (for tests and resets); resolves to how many. */
  async clear(): Promise<number> {
    let deleted = 0;
    for (const node of this.client.nodes('master')) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', `{${this.prefix}*`, 'COUNT', 1000);
        cursor = next;
        // One key per DEL: the keys of one scan page lie in different slots.
        for (const key of found) deleted += await node.del(key);
      } while (cursor !== '0');
    }
    return deleted;
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.quit();
  }

  /** Relabels the event with sequence `seq` ('' = every event) at `time` in each key, one script per key's slot. */
  private async relabel(keys: readonly string[], time: string, seq: string, label: string): Promise<number> {
    const changed = await Promise.all(keys.map((key) => this.script(LABEL_LUA, [key], [time, seq, label])));
    return changed.reduce<number>((sum, count) => sum + Number(count), 0);
  }

  private async requireReady(): Promise<StateLayout> {
    if (this.layout === undefined || this.ready === undefined) {
      throw new MlsdError('NOT_FITTED', 'This state store is not attached to an online executor; pass it as the `store` option of one.');
    }
    await this.ready;
    return this.layout;
  }

  private historyKey(layout: StateLayout, entity: number, key: string | number): string {
    return `{${this.prefix}h:${layout.entities[entity]!.entity}:${key}}`;
  }

  private transactionKey(id: string | number): string {
    return `{${this.prefix}tx:${id}}index`;
  }

  private seenKey(id: string | number): string {
    return `{${this.prefix}tx:${id}}seen`;
  }

  private pendingKey(id: string | number): string {
    return `{${this.prefix}tx:${id}}pending`;
  }

  private async script(lua: string, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown> {
    return runScript(this.client, lua, keys, args);
  }
}

/** `host:port` as ioredis's cluster node; throws `INVALID_OPTION` naming the node otherwise. */
function clusterNode(node: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(node);
  if (match === null) throw new MlsdError('INVALID_OPTION', `Redis Cluster node "${node}" is not host:port; give nodes such as 127.0.0.1:7000.`);
  return { host: match[1]!, port: Number(match[2]) };
}
