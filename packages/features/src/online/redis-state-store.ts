import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { MlsdError } from '@mlsd/data';
import { attachOnce, late } from './memory-state-store.js';
import type { EntityHistory, FeatureStateStore, LabelTarget, StateLayout, StoreEvent } from './state-store.js';

/** Options of {@link RedisStateStore}. */
export interface RedisStateStoreOptions {
  /** An ioredis client (the caller keeps ownership), or a `redis://` URL (the store connects and closes it). */
  readonly redis: Redis | string;
  /** Prefix of every key the store writes, e.g. `mlsd:features:`; give each deployment its own. Default `mlsd:features:`. */
  readonly prefix?: string;
}

// One round trip per observed event: lateness check for every key, read, then (when recording) append with a
// global arrival sequence, evict, refresh TTLs and index the transaction id for feedback. Members are
// `<16-digit seq>|<label>|<values separated by |>` scored by event time, so ties in time sort in arrival order.
// Numbers are formatted with %.17g, which reads back to the same double.
const OBSERVE_LUA = `
local n = tonumber(ARGV[5])
local t = tonumber(ARGV[1])
local lateness = tonumber(ARGV[2])
local retention = tonumber(ARGV[3])
local latest = {}
for i = 1, n do
  local last = redis.call('ZREVRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if last[2] then
    latest[i] = tonumber(last[2])
    if t < latest[i] - lateness then return redis.error_reply('MLSD_LATE ' .. i .. ' ' .. last[2]) end
  end
end
local out = {}
local lower = '(' .. string.format('%.17g', t - retention)
for i = 1, n do out[i] = redis.call('ZRANGEBYSCORE', KEYS[i], lower, ARGV[1], 'WITHSCORES') end
if ARGV[4] == '1' then
  local seq = string.format('%016d', redis.call('INCR', KEYS[n + 1]))
  local ttl = ARGV[6]
  local keys = {}
  for i = 1, n do
    redis.call('ZADD', KEYS[i], ARGV[1], seq .. '|0|' .. ARGV[6 + i])
    local newest = t
    if latest[i] and latest[i] > t then newest = latest[i] end
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', string.format('%.17g', newest - retention))
    redis.call('PEXPIRE', KEYS[i], ttl)
    keys[i] = KEYS[i]
  end
  if KEYS[n + 2] then
    redis.call('SET', KEYS[n + 2], cjson.encode({ seq = seq, time = ARGV[1], keys = keys }), 'PX', ttl)
  end
end
return out
`;

// Sets the label of the events at time ARGV[1] in every key, only the one with sequence ARGV[2] unless it is ''.
const LABEL_LUA = `
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
 * their last write, and old events are trimmed on every write. Not for Redis Cluster (scripts touch several keys).
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
    this.client = typeof options.redis === 'string' ? new Redis(options.redis, { lazyConnect: false, maxRetriesPerRequest: 2 }) : options.redis;
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

  async observe<R>(event: StoreEvent, record: boolean, compute: (histories: readonly EntityHistory[]) => R): Promise<R> {
    const layout = await this.requireReady();
    const n = layout.entities.length;
    const keys: string[] = [];
    for (let e = 0; e < n; e++) keys.push(this.historyKey(layout, e, event.keys[e]!));
    keys.push(`${this.prefix}seq`);
    if (record && event.transactionId !== undefined) keys.push(this.transactionKey(event.transactionId));
    const args: string[] = [
      String(event.time),
      String(layout.latenessMs),
      String(layout.retentionMs),
      record ? '1' : '0',
      String(n),
      String(Math.ceil(layout.retentionMs)),
    ];
    for (let e = 0; e < n; e++) args.push(event.values[e]!.map(String).join('|'));
    let reply: unknown;
    try {
      reply = await this.script(OBSERVE_LUA, keys, args);
    } catch (error) {
      const match = /MLSD_LATE (\d+) (\S+)/.exec(error instanceof Error ? error.message : '');
      if (match !== null) throw late(layout, Number(match[1]) - 1, event, Number(match[2]));
      throw unavailable(error);
    }
    const histories = (reply as string[][]).map((entries, e) => parseHistory(entries, layout.entities[e]!.valueCount));
    return compute(histories);
  }

  async label(target: LabelTarget, label: 0 | 1): Promise<number> {
    const layout = await this.requireReady();
    try {
      if ('transactionId' in target) {
        const text = await this.client.get(this.transactionKey(target.transactionId));
        if (text === null) return 0;
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

  private async script(lua: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const sha = scriptSha(lua);
    try {
      return await this.client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await this.client.eval(lua, keys.length, ...keys, ...args);
    }
  }
}

const shas = new Map<string, string>();
function scriptSha(lua: string): string {
  let sha = shas.get(lua);
  if (sha === undefined) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
  return sha;
}

function parseHistory(entries: readonly string[], valueCount: number): EntityHistory {
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

function unavailable(error: unknown): MlsdError {
  if (error instanceof MlsdError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new MlsdError('UNAVAILABLE', `The Redis feature state store failed: ${detail}. Check that Redis is reachable, then retry.`, {
    cause: error,
  });
}
