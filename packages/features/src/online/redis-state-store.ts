import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { MlsdError } from '@mlsd/data';
import { checkSnapshot } from './check-snapshot.js';
import { ioredis } from './ioredis-module.js';
import { attachOnce } from './memory-state-store.js';
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

/** `importState` sends pipelines of about this many members (and keeps a few in flight). */
const IMPORT_BATCH = 20_000;
/** Entity keys (or index entries) per loader script call of `importState`. */
const IMPORT_KEYS_PER_CALL = 200;
/** Pipelines of `importState` in flight at once. */
const IMPORT_IN_FLIGHT = 4;

// importState's loader: KEYS are history keys, ARGV[1] the TTL (ms), ARGV[1 + i] the members of KEYS[i] packed as
// "<score> <member>\n" lines (members in the observe script's encoding, which has no spaces or newlines). Each key
// is replaced: DEL, ZADD in chunks of 1,000 members (within Lua's unpack limit), PEXPIRE.
export const IMPORT_LUA = `
local ttl = ARGV[1]
for i = 1, #KEYS do
  redis.call('DEL', KEYS[i])
  local args = {}
  local n = 0
  for score, member in string.gmatch(ARGV[i + 1], '([^ ]+) ([^\\n]+)\\n') do
    args[n + 1] = score
    args[n + 2] = member
    n = n + 2
    if n >= 2000 then
      redis.call('ZADD', KEYS[i], unpack(args, 1, n))
      n = 0
    end
  end
  if n > 0 then redis.call('ZADD', KEYS[i], unpack(args, 1, n)) end
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return #KEYS
`;

// importState's feedback index: KEYS are tx:<id> keys, ARGV[1] the TTL (ms), ARGV[1 + i] the entry of KEYS[i].
const INDEX_LUA = `
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[1]) end
return #KEYS
`;

/** Options of {@link RedisStateStore}. */
export interface RedisStateStoreOptions {
  /** An ioredis client (the caller keeps ownership), or a `redis://` URL (the store connects and closes it). */
  readonly redis: Redis | string;
  /** Prefix of every key the store writes, e.g. `mlsd:features:`; give each deployment its own. Default `mlsd:features:`. */
  readonly prefix?: string;
}

// One round trip per observed event, mirroring `admission-rules.ts`: the duplicate check (the id's `seen` key),
// the latest event time over the keys, the read, then (when recording an admitted event) append with a global
// arrival sequence and the pending label of its id, evict, refresh TTLs and index the id for feedback and
// deduplication. Members are `<16-digit seq>|<label>|<values separated by |>` scored by event time, so ties in time
// sort in arrival order. Numbers are formatted with %.17g, which reads back to the same double. The reply is
// { late, recorded, duplicate, answer, history 1, ..., history n }.
const OBSERVE_LUA = `
local n = tonumber(ARGV[5])
local t = tonumber(ARGV[1])
local lateness = tonumber(ARGV[2])
local retention = tonumber(ARGV[3])
local record = ARGV[4] == '1'
local hasId = KEYS[n + 2] ~= nil
local duplicate = 0
local answer = ''
if record and hasId then
  local seen = redis.call('GET', KEYS[n + 3])
  if seen then
    duplicate = 1
    answer = seen
    record = false
  end
end
local latest = {}
local newest = nil
for i = 1, n do
  local last = redis.call('ZREVRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if last[2] then
    latest[i] = tonumber(last[2])
    if newest == nil or latest[i] > newest then newest = latest[i] end
  end
end
local late = 0
if newest ~= nil and t < newest then
  late = 1
  if t < newest - lateness then record = false end
end
local out = { late, record and 1 or 0, duplicate, answer }
local lower = '(' .. string.format('%.17g', t - retention)
for i = 1, n do out[4 + i] = redis.call('ZRANGEBYSCORE', KEYS[i], lower, ARGV[1], 'WITHSCORES') end
if record then
  local seq = string.format('%016d', redis.call('INCR', KEYS[n + 1]))
  local ttl = ARGV[6]
  local label = '0'
  if hasId then
    local held = redis.call('GET', KEYS[n + 4])
    if held then
      label = held
      redis.call('DEL', KEYS[n + 4])
    end
  end
  local keys = {}
  for i = 1, n do
    redis.call('ZADD', KEYS[i], ARGV[1], seq .. '|' .. label .. '|' .. ARGV[7 + i])
    local top = t
    if latest[i] and latest[i] > t then top = latest[i] end
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', string.format('%.17g', top - retention))
    redis.call('PEXPIRE', KEYS[i], ttl)
    keys[i] = KEYS[i]
  end
  if hasId then
    redis.call('SET', KEYS[n + 2], cjson.encode({ seq = seq, time = ARGV[1], keys = keys }), 'PX', ttl)
  end
end
if hasId and duplicate == 0 then
  -- Scored once (recorded, or too late to record): a retry of this id is a duplicate.
  redis.call('SET', KEYS[n + 3], '', 'PX', ARGV[7])
end
return out
`;

// Sets the label of the events at time ARGV[1] in every key, only the one with sequence ARGV[2] unless it is ''.
export const LABEL_LUA = `
local changed = 0
for i = 1, #KEYS do
  local members = redis.call('ZRANGEBYSCORE', KEYS[i], ARGV[1], ARGV[1])
  for _, m in ipairs(members) do
    if ARGV[2] == '' or string.sub(m, 1, 16) == ARGV[2] then
      local relabelled = string.sub(m, 1, 17) .. ARGV[3] .. string.sub(m, 19)
      if relabelled ~= m then
        redis.call('ZREM', KEYS[i], m)
        redis.call('ZADD', KEYS[i], ARGV[1], relabelled)
      end
      changed = changed + 1
    end
  end
end
return changed
`;

/**
 * An online state store in Redis (ioredis), shared by every serving replica that uses the same key prefix. Each
 * entity key is a sorted set of its recent events scored by event time; `observe` is one Lua script (one round
 * trip), atomic like every Redis script. Keys expire `retention` ms (longest window + delay + lateness) after
 * their last write, and old events are trimmed on every write. Recorded ids are remembered (`seen:<id>`, with the
 * saved answer) for `idempotencyMs`, labels of unknown ids (`pending:<id>`) for `pendingLabelMs`, both by Redis TTL.
 * Not for Redis Cluster (scripts touch several keys): use `RedisClusterStateStore` there.
 */
export class RedisStateStore implements FeatureStateStore {
  private readonly client: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private layout: StateLayout | undefined;
  private layoutText = '';
  private ready: Promise<void> | undefined;

  constructor(options: RedisStateStoreOptions) {
    const valid = ['redis', 'prefix'];
    for (const key of Object.keys(options)) {
      if (!valid.includes(key)) throw new MlsdError('INVALID_OPTION', `Unknown RedisStateStore option "${key}"; valid: ${valid.join(', ')}.`);
    }
    this.owned = typeof options.redis === 'string';
    this.client = typeof options.redis === 'string' ? new (ioredis().Redis)(options.redis, { lazyConnect: false, maxRetriesPerRequest: 2 }) : options.redis;
    this.prefix = options.prefix ?? 'mlsd:features:';
  }

  attach(layout: StateLayout): void {
    this.layout = attachOnce(this.layoutText, layout);
    this.layoutText = JSON.stringify(layout);
    // Replicas with other definitions under the same prefix would corrupt each other's members: refuse.
    const key = `${this.prefix}layout`;
    const text = this.layoutText;
    this.ready = (async () => {
      await this.client.set(key, text, 'NX');
      const stored = await this.client.get(key);
      if (stored !== text) {
        throw new MlsdError(
          'INVALID_OPTION',
          `Redis key prefix "${this.prefix}" already holds state of other feature definitions; use another prefix or delete its keys.`,
        );
      }
    })();
    this.ready.catch(() => undefined);
  }

  async observe<R>(event: StoreEvent, record: boolean, compute: (histories: readonly EntityHistory[], status: ObserveStatus) => R): Promise<R> {
    const layout = await this.requireReady();
    const n = layout.entities.length;
    const keys: string[] = [];
    for (let e = 0; e < n; e++) keys.push(this.historyKey(layout, e, event.keys[e]!));
    keys.push(`${this.prefix}seq`);
    const id = event.transactionId;
    if (record && id !== undefined) keys.push(this.transactionKey(id), this.seenKey(id), this.pendingKey(id));
    const args: string[] = [
      String(event.time),
      String(layout.latenessMs),
      String(layout.retentionMs),
      record ? '1' : '0',
      String(n),
      String(Math.ceil(layout.retentionMs)),
      String(Math.ceil(layout.idempotencyMs)),
    ];
    for (let e = 0; e < n; e++) args.push(event.values[e]!.map(String).join('|'));
    let reply: unknown[];
    try {
      reply = (await this.script(OBSERVE_LUA, keys, args)) as unknown[];
    } catch (error) {
      throw unavailable(error);
    }
    const duplicate = reply[2] === 1;
    const status: ObserveStatus = {
      late: reply[0] === 1,
      recorded: reply[1] === 1,
      duplicate,
      answer: duplicate && reply[3] !== '' ? String(reply[3]) : undefined,
    };
    const histories: EntityHistory[] = [];
    for (let e = 0; e < n; e++) histories.push(parseHistory(reply[4 + e] as string[], layout.entities[e]!.valueCount));
    return compute(histories, status);
  }

  async label(target: LabelTarget, label: 0 | 1): Promise<number> {
    const layout = await this.requireReady();
    try {
      if ('transactionId' in target) {
        const text = await this.client.get(this.transactionKey(target.transactionId));
        if (text === null) {
          // Held in case the event is late; the observe script applies it when the event is recorded.
          await this.client.set(this.pendingKey(target.transactionId), String(label), 'PX', Math.ceil(layout.pendingLabelMs));
          return 0;
        }
        const entry = JSON.parse(text) as { seq: string; time: string; keys: string[] | Record<string, never> };
        const keys = Array.isArray(entry.keys) ? entry.keys : [];
        return Number(await this.script(LABEL_LUA, keys, [entry.time, entry.seq, String(label)]));
      }
      const keys = target.keys.map(({ entity, key }) => this.historyKey(layout, entity, key));
      return Number(await this.script(LABEL_LUA, keys, [String(target.time), '', String(label)]));
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * Writes a snapshot in pipelines of about 20,000 members (4 in flight). Members are encoded as the observe
   * script encodes them (sequence numbers reserved with one INCRBY of the arrival counter, so imported events sort
   * after everything recorded before) and written as bytes, one argument per entity key: a loader script splits
   * them and, per key, DELs, ZADDs in chunks of 1,000 and sets the TTL. (A plain ZADD pipeline costs the client
   * 2-3x more: ioredis's work per command argument, not Redis, bounds it.) A feedback index entry (`tx:<id>`) is
   * set per event from `feedbackFrom` on. Not atomic as a whole: import before the service takes traffic.
   */
  async importState(snapshot: StateSnapshot, options: ImportStateOptions = {}): Promise<number> {
    const layout = await this.requireReady();
    checkSnapshot(snapshot, layout);
    const n = snapshot.times.length;
    const ttl = String(Math.ceil(layout.retentionMs));
    let total = 0;
    for (const entity of snapshot.entities) total += entity.codes.length;
    // Each settles to its error (or undefined), so that none rejects unobserved while others are awaited.
    const inFlight: Promise<unknown>[] = [];
    const settle = async (done: Promise<unknown> | undefined): Promise<void> => {
      const error = await done;
      if (error !== undefined) throw error;
    };
    let pipeline = this.client.pipeline();
    let queued = 0;
    const send = async (): Promise<void> => {
      if (pipeline.length === 0) return;
      inFlight.push(
        pipeline
          .exec()
          .then(failedCommand)
          .then(
            () => undefined,
            (error: unknown) => error ?? new Error('pipeline failed'),
          ),
      );
      pipeline = this.client.pipeline();
      queued = 0;
      if (inFlight.length >= IMPORT_IN_FLIGHT) await settle(inFlight.shift());
    };
    let written = 0;
    try {
      const [loadSha, indexSha] = await Promise.all([this.client.script('LOAD', IMPORT_LUA), this.client.script('LOAD', INDEX_LUA)]);
      // Snapshot event i gets sequence number base + i + 1: after every event recorded so far, ties in snapshot order.
      const base = n === 0 ? 0 : (await this.client.incrby(`${this.prefix}seq`, n)) - n;
      const historyKeys = snapshot.entities.map((entity, e) =>
        Array.from({ length: entity.keys.length }, (_, k) => this.historyKey(layout, e, entity.keys[k]!)),
      );
      let keys: string[] = [];
      let packs: (string | Buffer)[] = [];
      const flushKeys = (sha: string): void => {
        if (keys.length === 0) return;
        pipeline.evalsha(sha, keys.length, ...keys, ttl, ...packs);
        keys = [];
        packs = [];
      };
      for (const { entity, key, members, count } of snapshotKeyMembers(snapshot, layout, base)) {
        keys.push(historyKeys[entity]![key]!);
        packs.push(members);
        written += count;
        queued += count;
        if (keys.length >= IMPORT_KEYS_PER_CALL) flushKeys(loadSha as string);
        if (queued >= IMPORT_BATCH) {
          flushKeys(loadSha as string);
          await send();
          options.onProgress?.(written, total);
        }
      }
      flushKeys(loadSha as string);
      const ids = snapshot.ids;
      if (ids !== undefined) {
        const entryOf = feedbackIndexEntries(snapshot, base, historyKeys);
        for (let i = snapshot.feedbackFrom; i < n; i++) {
          keys.push(this.transactionKey(ids[i]!));
          packs.push(entryOf(i));
          queued++;
          if (keys.length >= IMPORT_KEYS_PER_CALL) flushKeys(indexSha as string);
          if (queued >= IMPORT_BATCH) await send();
        }
        flushKeys(indexSha as string);
      }
      await send();
      while (inFlight.length > 0) await settle(inFlight.shift());
      options.onProgress?.(written, written);
    } catch (error) {
      await Promise.all(inFlight);
      throw unavailable(error);
    }
    return written;
  }

  async saveAnswer(transactionId: string | number, answer: string): Promise<void> {
    try {
      // XX: only for a recorded id; KEEPTTL: the idempotency window runs from the first event.
      await this.client.set(this.seenKey(transactionId), answer, 'KEEPTTL', 'XX');
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** Deletes every key under this store's prefix (for tests and resets); resolves to how many it deleted. */
  async clear(): Promise<number> {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, found] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) deleted += await this.client.del(...found);
    } while (cursor !== '0');
    return deleted;
  }

  async close(): Promise<void> {
    if (this.owned) await this.client.quit();
  }

  private async requireReady(): Promise<StateLayout> {
    if (this.layout === undefined || this.ready === undefined) {
      throw new MlsdError('NOT_FITTED', 'This state store is not attached to an online executor; pass it as the `store` option of one.');
    }
    await this.ready;
    return this.layout;
  }

  private historyKey(layout: StateLayout, entity: number, key: string | number): string {
    return `${this.prefix}h:${layout.entities[entity]!.entity}:${key}`;
  }

  private transactionKey(id: string | number): string {
    return `${this.prefix}tx:${id}`;
  }

  private seenKey(id: string | number): string {
    return `${this.prefix}seen:${id}`;
  }

  private pendingKey(id: string | number): string {
    return `${this.prefix}pending:${id}`;
  }

  private async script(lua: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return runScript(this.client, lua, keys, args);
  }
}

/** EVALSHA, then EVAL when the server (or cluster node) does not have the script yet. */
export async function runScript(client: Redis | Cluster, lua: string, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown> {
  try {
    return await client.evalsha(scriptSha(lua), keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return await client.eval(lua, keys.length, ...keys, ...args);
  }
}

const shas = new Map<string, string>();
/** The SHA-1 of a script, as EVALSHA names it (cached). */
export function scriptSha(lua: string): string {
  let sha = shas.get(lua);
  if (sha === undefined) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
  return sha;
}

/** One history from a `ZRANGEBYSCORE … WITHSCORES` reply of members in the observe script's encoding. */
export function parseHistory(entries: readonly string[], valueCount: number): EntityHistory {
  const count = entries.length / 2;
  const times = new Float64Array(count);
  const labels = new Uint8Array(count);
  const values = Array.from({ length: valueCount }, () => new Float64Array(count));
  for (let j = 0; j < count; j++) {
    const member = entries[2 * j]!;
    times[j] = Number(entries[2 * j + 1]);
    labels[j] = member.charCodeAt(17) === 49 ? 1 : 0; // '1'
    const parts = member.split('|');
    for (let c = 0; c < valueCount; c++) values[c]![j] = Number(parts[2 + c]);
  }
  return { from: 0, to: count, times, labels, values };
}

/** Throws the first error of a pipeline's replies (ioredis resolves `exec` with one `[error, reply]` per command). */
function failedCommand(replies: [Error | null, unknown][] | null): void {
  if (replies === null) throw new Error('the pipeline was discarded');
  for (const [error] of replies) if (error !== null) throw error;
}

/** A store failure as `UNAVAILABLE` naming the cause (an `MlsdError` is passed through). */
export function unavailable(error: unknown): MlsdError {
  if (error instanceof MlsdError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new MlsdError('UNAVAILABLE', `The Redis feature state store failed: ${detail}. Check that Redis is reachable, then retry.`, {
    cause: error,
  });
}
