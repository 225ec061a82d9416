/**
 * What an online state store keeps, fixed by the executor's definitions when it attaches: every entity key holds
 * the recent events of that entity (time, arrival sequence, label, and `valueCount` numeric values), for
 * `retentionMs` = longest window + delay + lateness of event time after the entity's latest event.
 */
export interface StateLayout {
  /** How many numeric values each event carries in each history, per entity column, in the executor's order. */
  readonly entities: readonly { readonly entity: string; readonly valueCount: number }[];
  /** Events older than the entity's latest event by at least this are dropped (ms of event time). */
  readonly retentionMs: number;
  /** An event more than this before its entity's latest event is rejected (ms). */
  readonly latenessMs: number;
}

/**
 * The recent events of one entity, in event order (time ascending, ties in arrival order): events `from` to
 * `to - 1` of the arrays, all with time <= the observed event's time. `values[c][j]` is value `c` of event `j`.
 * Views may share memory with the store: read them only inside the `compute` callback.
 */
export interface EntityHistory {
  readonly from: number;
  readonly to: number;
  readonly times: Float64Array;
  readonly labels: Uint8Array;
  readonly values: readonly Float64Array[];
}

/** One event as a store sees it: one key per layout entity, in layout order. */
export interface StoreEvent {
  /**
   * Entity keys, one per `StateLayout.entities` entry: a number when numeric (also "42" given as a string), else the
   * string, so that keys equal as `String(key)` are equal here.
   */
  readonly keys: readonly (string | number)[];
  /** Event time, epoch ms. */
  readonly time: number;
  /** For each entity, the event's values to keep (length `valueCount`). */
  readonly values: readonly (readonly number[])[];
  /**
   * The transaction id, kept so that label feedback can find the event; undefined when the event has none. A number
   * when the id is numeric (also when given as a string such as "42"), so that 42 and "42" name the same event.
   */
  readonly transactionId: string | number | undefined;
}

/** Which stored events a label applies to: one transaction, or every event of the given keys at one time. */
export type LabelTarget =
  | { readonly transactionId: string | number }
  | { readonly keys: readonly { readonly entity: number; readonly key: string | number }[]; readonly time: number };

/**
 * Where the online executor keeps entity state. Implementations must make `observe` atomic per call: the lateness
 * check, the read and the append see one consistent state, so that several serving replicas can share a store.
 */
export interface FeatureStateStore {
  /**
   * Called once by the executor that uses the store. A store holds one layout; attaching a different one throws
   * `INVALID_OPTION`.
   */
  attach(layout: StateLayout): void;
  /**
   * Checks that `event` is not later than the lateness bound for any of its keys (else rejects with
   * `INVALID_INPUT`, changing nothing), calls `compute` with each key's history of events up to the event's time,
   * then, when `record` is true, adds the event (label 0 until feedback) and evicts old events. Resolves to what
   * `compute` returned.
   */
  observe<R>(event: StoreEvent, record: boolean, compute: (histories: readonly EntityHistory[]) => R): Promise<R>;
  /** Sets the label of the targeted events; resolves to how many stored events (over all keys) it changed or confirmed. */
  label(target: LabelTarget, label: 0 | 1): Promise<number>;
  /** Releases what the store owns (connections); the store is unusable afterwards. */
  close(): Promise<void>;
}
