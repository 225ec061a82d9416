/**
 * What an online state store keeps, fixed by the executor's definitions when it attaches: every entity key holds
 * the recent events of that entity (time, arrival sequence, label, and `valueCount` numeric values), for
 * `retentionMs` = longest window + delay + lateness of event time after the entity's latest event; recorded event
 * ids for `idempotencyMs`; labels of ids not (yet) recorded for `pendingLabelMs`. The rules that use these bounds
 * are in `admission-rules.ts`, shared by every store.
 */
export interface StateLayout {
  /** How many numeric values each event carries in each history, per entity column, in the executor's order. */
  readonly entities: readonly { readonly entity: string; readonly valueCount: number }[];
  /** Events older than the entity's latest event by at least this are dropped (ms of event time). */
  readonly retentionMs: number;
  /** An event more than this before its entity's latest event is scored but not recorded (ms of event time). */
  readonly latenessMs: number;
  /** A recorded event id is remembered this long (ms of wall-clock time): the same id again is a duplicate. */
  readonly idempotencyMs: number;
  /** A label for an id the store does not know is held this long (ms of wall-clock time) in case the event is late. */
  readonly pendingLabelMs: number;
}

/**
 * What a store did with an observed event, given to `compute` with the histories. A store may reuse one object for
 * every call: read it only inside `compute`.
 */
export interface ObserveStatus {
  /** The event is older than the latest event of at least one of its keys. */
  late: boolean;
  /** The event is added to the state (false for a peek, a duplicate, or an event later than the lateness bound). */
  recorded: boolean;
  /** The event's id was recorded within `idempotencyMs`: nothing is recorded, the histories are the current ones. */
  duplicate: boolean;
  /** For a duplicate, the answer saved with `saveAnswer` for the first event with that id, when there is one. */
  answer: string | undefined;
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
 * Where the values of a snapshot come from, per layout entity: the event columns stored as its values (in layout
 * order) and the label column its delayed-label features read. Checked by `OnlineFeatureExecutor.importState`, so
 * that a snapshot computed for other feature definitions is refused rather than read as these.
 */
export interface StateSource {
  /** The event-time column. */
  readonly time: string;
  /** The event-id column. */
  readonly id: string;
  readonly entities: readonly {
    readonly entity: string;
    /** The columns of the entity's stored values, in layout order (length `valueCount`). */
    readonly values: readonly string[];
    /** The label column of the entity's delayed-label features, undefined when it has none. */
    readonly label: string | undefined;
    /** The shortest delay of those features (ms): a label is known this long after its event. 0 without labels. */
    readonly labelDelayMs: number;
  }[];
}

/** The events of one layout entity in a {@link StateSnapshot}: keys by dictionary code, values by event. */
export interface EntitySnapshot {
  /** The distinct keys (numbers for numeric keys, as `StoreEvent.keys`). */
  readonly keys: ArrayLike<string | number>;
  /** For each event, the index of its key in `keys`. */
  readonly codes: Int32Array;
  /** `valueCount` columns, each with one value per event. */
  readonly values: readonly Float64Array[];
}

/**
 * Entity state in bulk, as columns (one entry per event, no per-event objects), for
 * {@link FeatureStateStore.importState}: what a store would hold had it recorded these events in this order.
 * Events are in arrival order: times ascending, ties in the order the offline executor sorts them (row order).
 */
export interface StateSnapshot {
  /** The layout the state was computed for; a store refuses a snapshot of another layout. */
  readonly layout: StateLayout;
  /** The columns behind the values (checked by the executor, not by stores). */
  readonly source: StateSource;
  /** The state is as known just before this time (epoch ms): events before it, labels known by then. */
  readonly until: number;
  /** Event times, epoch ms, ascending. */
  readonly times: Float64Array;
  /** Each event's label as known at `until` (0 when not known yet). */
  readonly labels: Uint8Array;
  /** Each event's transaction id (numbers for numeric ids), or undefined when the events have none. */
  readonly ids: ArrayLike<string | number> | undefined;
  /**
   * Events from this index on are indexed by id, so that label feedback finds them (their labels were not known
   * at `until`); earlier ones are not. `times.length` when none are.
   */
  readonly feedbackFrom: number;
  /** One per layout entity, in layout order. */
  readonly entities: readonly EntitySnapshot[];
}

/** Options of {@link FeatureStateStore.importState}. */
export interface ImportStateOptions {
  /** Called as the import goes, at least once at the end, with the events written so far and the total (an upper bound until the end). */
  readonly onProgress?: (written: number, total: number) => void;
}

/**
 * Where the online executor keeps entity state. Implementations must make `observe` atomic per call: the duplicate
 * and lateness checks, the read and the append see one consistent state, so that several serving replicas can
 * share a store.
 */
export interface FeatureStateStore {
  /**
   * Called once by the executor that uses the store. A store holds one layout; attaching a different one throws
   * `INVALID_OPTION`.
   */
  attach(layout: StateLayout): void;
  /**
   * Calls `compute` with each key's history of events up to the event's time and what the store does with the
   * event (see `admission-rules.ts`), then, when `record` is true and the event is admitted (not a duplicate id,
   * not later than the lateness bound), adds it in time order (label 0, or a pending label for its id) and evicts
   * old events. Resolves to what `compute` returned. Rejects with `UNAVAILABLE` when the store cannot answer.
   */
  observe<R>(event: StoreEvent, record: boolean, compute: (histories: readonly EntityHistory[], status: ObserveStatus) => R): Promise<R>;
  /**
   * {@link observe} returning `compute`'s result instead of a promise (and throwing instead of rejecting): present on
   * a store that lives in this process, so a caller handling one event per request pays no promise for it.
   */
  observeSync?<R>(event: StoreEvent, record: boolean, compute: (histories: readonly EntityHistory[], status: ObserveStatus) => R): R;
  /**
   * Sets the label of the targeted events; resolves to how many stored events (over all keys) it changed or
   * confirmed. A label for a transaction id the store does not know is held for `pendingLabelMs` and applied when
   * the event is recorded (a label that arrives before a late event); it resolves to 0.
   */
  label(target: LabelTarget, label: 0 | 1): Promise<number>;
  /**
   * Keeps `answer` (opaque text, e.g. the scoring service's JSON answer) with a recorded transaction id, for
   * duplicates of it to return within `idempotencyMs`. Does nothing when the id is not recorded.
   */
  saveAnswer(transactionId: string | number, answer: string): Promise<void>;
  /**
   * Writes a snapshot's state in bulk: each entity key of the snapshot gets the snapshot's events (replacing what
   * the store held for it; other keys are left as they are), after every event recorded before, with the
   * retention, TTLs and arrival order `observe` would have given them; ids from `feedbackFrom` on are indexed for
   * label feedback (not as seen: a later event with such an id is recorded). Resolves to the number of events
   * written per entity, summed. Rejects with `INVALID_INPUT` for a snapshot of another layout and `UNAVAILABLE`
   * when the store cannot answer.
   */
  importState(snapshot: StateSnapshot, options?: ImportStateOptions): Promise<number>;
  /** Releases what the store owns (connections); the store is unusable afterwards. */
  close(): Promise<void>;
}
