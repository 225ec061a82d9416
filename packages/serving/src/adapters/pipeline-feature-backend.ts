import { createHash } from 'node:crypto';
import { MlsdError } from '@mlsd/data';
import {
  FeaturePipeline,
  MemoryStateStore,
  RedisClusterStateStore,
  RedisStateStore,
  type Duration,
  type FeatureStateStore,
  type ObservedFeatures,
  type OnlineFeaturePipeline,
} from '@mlsd/features';
import { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isDependencyFailure } from '../resilience/fault-attribution.js';
import type { FeatureBackend, FeatureValues, OnlineFeatures } from '../scoring/ports.js';

/** Options shared by the feature backends. */
export interface FeatureBackendOptions {
  /**
   * How late an event may be behind its entity's latest event and still be recorded (in time order), a duration
   * such as `'5m'`; a later one is scored (`late: true`) but not recorded. Default `'5m'`.
   */
  readonly lateness?: Duration;
  /** How long a scored id is remembered, so a retry gets the first answer (`duplicate: true`). Default `'24h'`. */
  readonly idempotency?: Duration;
}

/** Options of {@link redisFeatureBackend}. */
export interface RedisFeatureBackendOptions extends FeatureBackendOptions {
  /** The Redis URL, e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** Key prefix; each set of feature definitions gets its own namespace under it. Default `mlsd:features:`. */
  readonly prefix?: string;
  /** Time to wait for the first connection at start, ms; the service starts anyway (and falls back) if it fails. Default 2000. */
  readonly connectTimeoutMs?: number;
  /** Where connection state changes are logged. Default: nowhere. */
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

/** The online executor options a backend passes on (only those given, so the executor's defaults apply). */
function executorOptions(options: FeatureBackendOptions): { lateness?: Duration; idempotency?: Duration } {
  return {
    ...(options.lateness === undefined ? {} : { lateness: options.lateness }),
    ...(options.idempotency === undefined ? {} : { idempotency: options.idempotency }),
  };
}

/** The service's view of what the online pipeline observed. */
function asFeatureValues({ vector, raw, late, recorded, duplicate, answer }: ObservedFeatures): FeatureValues {
  return answer === undefined ? { raw, input: vector, late, recorded, duplicate } : { raw, input: vector, late, recorded, duplicate, answer };
}

/** Identifies a set of feature definitions: pipelines with the same definitions share entity state. */
function definitionsKey(pipeline: FeaturePipeline): string {
  const text = JSON.stringify({ features: pipeline.features, time: pipeline.time, id: pipeline.id });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

function onlineFeatures(pipeline: FeaturePipeline, online: () => OnlineFeaturePipeline, onStoreError: () => void, inProcess: boolean): OnlineFeatures {
  /** Rethrows a store call's error, telling the backend first when the store itself failed. */
  const failed = (error: unknown): never => {
    if (isDependencyFailure(error)) onStoreError();
    throw error;
  };
  return {
    inProcess,
    rawNames: pipeline.rawFeatureNames,
    inputNames: pipeline.featureNames,
    eventSchema: pipeline.eventSchema,
    // Not async: one promise per event instead of an async frame around another (this is on every request).
    computeAndRecord(event): Promise<FeatureValues> {
      let observed: Promise<ObservedFeatures>;
      try {
        // The event's fields are named as the pipeline's columns: the request schema was built from them.
        observed = online().observe(event.fields);
      } catch (error) {
        return Promise.reject(error).catch(failed);
      }
      return observed.then(asFeatureValues, failed);
    },
    ...(inProcess
      ? {
          computeAndRecordSync(event): FeatureValues {
            try {
              return asFeatureValues(online().observeSync(event.fields));
            } catch (error) {
              return failed(error);
            }
          },
        }
      : {}),
    saveAnswer(id, answer) {
      try {
        return online().saveAnswer(id, answer).catch(failed);
      } catch (error) {
        return Promise.reject(error).catch(failed);
      }
    },
    async feedback(id, label) {
      try {
        return await online().feedback({ transactionId: id, label });
      } catch (error) {
        return failed(error);
      }
    },
  };
}

/**
 * The embedded feature backend: entity state in process memory (one `MemoryStateStore` per set of feature
 * definitions, so a retrained champion with the same definitions keeps the state). State is lost on restart and
 * not shared between replicas: use {@link redisFeatureBackend} for several replicas.
 */
export function memoryFeatureBackend(options: FeatureBackendOptions = {}): FeatureBackend {
  const stores = new Map<string, FeatureStateStore>();
  const onlineFor = (json: unknown) => {
    const pipeline = FeaturePipeline.fromJSON(json);
    const key = definitionsKey(pipeline);
    let store = stores.get(key);
    if (store === undefined) {
      store = new MemoryStateStore();
      stores.set(key, store);
    }
    return { pipeline, online: pipeline.createOnline({ store, ...executorOptions(options) }) };
  };
  return {
    importState(json, snapshot, importOptions) {
      return onlineFor(json).online.executor.importState(snapshot, importOptions);
    },
    forPipeline(json) {
      const { pipeline, online } = onlineFor(json);
      return onlineFeatures(
        pipeline,
        () => online,
        () => undefined,
        true,
      );
    },
    async ping() {},
    async close() {},
  };
}

/**
 * The Redis feature backend, for several replicas sharing state. The ioredis client fails fast instead of queueing
 * while Redis is unreachable (no offline queue, one retry per command, commands abandoned after 1 s) and
 * reconnects by itself in the background
 * (back-off up to 1 s), so the service answers through the fallback during an outage and recovers on its own.
 * Each set of feature definitions gets its own key namespace (`<prefix><hash of the definitions>:`). The online
 * executor is created once the client is connected and re-created after a store failure, so a Redis that was down
 * at start — or restarted empty — is picked up again.
 */
export async function redisFeatureBackend(options: RedisFeatureBackendOptions): Promise<FeatureBackend> {
  const prefix = options.prefix ?? 'mlsd:features:';
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    // The service gives up on a call at its deadline; this also rejects (and frees) a command stuck on a dead
    // connection that has not been noticed yet.
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
  });
  return sharedStateBackend(
    client,
    redactUrl(options.url),
    (pipeline) => new RedisStateStore({ redis: client, prefix: `${prefix}${definitionsKey(pipeline)}:` }),
    options,
  );
}

/** Options of {@link redisClusterFeatureBackend}. */
export interface RedisClusterFeatureBackendOptions extends Omit<RedisFeatureBackendOptions, 'url'> {
  /** Seed nodes of the cluster as `host:port`, e.g. `['10.0.0.1:7000', '10.0.0.2:7000']`; the rest are discovered. */
  readonly nodes: readonly string[];
}

/**
 * The Redis Cluster feature backend: {@link redisFeatureBackend}'s behaviour (fail fast, reconnect in the
 * background, a namespace per set of feature definitions) on a Redis Cluster, with a `RedisClusterStateStore` (see
 * its doc for the atomicity per slot). While a master is down, events of the entities in its slots are answered
 * through the fallback; the others are scored as usual.
 */
export async function redisClusterFeatureBackend(options: RedisClusterFeatureBackendOptions): Promise<FeatureBackend> {
  const prefix = options.prefix ?? 'mlsd:features:';
  const nodes = options.nodes.map((node) => {
    const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(node);
    if (match === null)
      throw new MlsdError('INVALID_OPTION', `Redis Cluster node "${node}" is not host:port; give nodes such as 127.0.0.1:7000.`, {
        location: { field: 'store' },
      });
    return { host: match[1]!, port: Number(match[2]) };
  });
  const client = new Cluster(nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    redisOptions: {
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 2000,
      commandTimeout: 1000,
    },
  });
  return sharedStateBackend(
    client,
    `redis-cluster://${options.nodes.join(',')}`,
    (pipeline) => new RedisClusterStateStore({ cluster: client, prefix: `${prefix}${definitionsKey(pipeline)}:` }),
    options,
  );
}

/** The backend over a shared store (Redis or Redis Cluster) behind `client`, named `where` in logs and errors. */
async function sharedStateBackend(
  client: Redis | Cluster,
  where: string,
  storeFor: (pipeline: FeaturePipeline) => FeatureStateStore,
  options: FeatureBackendOptions & { readonly logger?: Pick<Logger, 'info' | 'warn'> },
): Promise<FeatureBackend> {
  let connected = false;
  client.on('ready', () => {
    if (!connected) options.logger?.info({ redis: where }, 'feature store connected');
    connected = true;
  });
  client.on('error', (error: Error) => {
    if (connected) options.logger?.warn({ redis: where, err: error.message }, 'feature store connection lost; reconnecting');
    connected = false;
  });
  try {
    await client.connect();
  } catch (error) {
    options.logger?.warn(
      { redis: where, err: (error as Error).message },
      'feature store unreachable at start; answering through the fallback while reconnecting',
    );
  }
  const notConnected = (): MlsdError => new MlsdError('UNAVAILABLE', `The Redis feature store at ${where} is not connected (${client.status}); reconnecting.`);
  return {
    async importState(json, snapshot, importOptions) {
      if (client.status !== 'ready') throw notConnected();
      const pipeline = FeaturePipeline.fromJSON(json);
      return pipeline.createOnline({ store: storeFor(pipeline), ...executorOptions(options) }).executor.importState(snapshot, importOptions);
    },
    forPipeline(json) {
      const pipeline = FeaturePipeline.fromJSON(json);
      let online: OnlineFeaturePipeline | undefined;
      const current = (): OnlineFeaturePipeline => {
        if (client.status !== 'ready') throw notConnected();
        online ??= pipeline.createOnline({
          store: storeFor(pipeline),
          ...executorOptions(options),
        });
        return online;
      };
      // A failed call may leave the executor's one-time layout check rejected: start afresh on the next call.
      return onlineFeatures(pipeline, current, () => (online = undefined), false);
    },
    async ping() {
      if (client.status !== 'ready') throw notConnected();
      await client.ping();
    },
    async close() {
      try {
        if (client.status === 'ready') await client.quit();
      } finally {
        client.disconnect();
      }
    },
  };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
