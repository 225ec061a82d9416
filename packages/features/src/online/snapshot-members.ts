import { retainedKeyEvents } from './check-snapshot.js';
import type { StateLayout, StateSnapshot } from './state-store.js';

/** One history key of a snapshot, with its members packed for the loader script. */
export interface SnapshotKeyMembers {
  /** The entity's index in the snapshot (and layout). */
  readonly entity: number;
  /** The key's index in the entity's key dictionary. */
  readonly key: number;
  /** The members, as `PackedMembers` writes them (bytes never written again: a pipeline may hold them). */
  readonly members: Buffer;
  /** How many members. */
  readonly count: number;
}

/**
 * The history keys of a snapshot, entity by entity and key by key, each with the events the observe script's trim
 * keeps after the key's latest event (those within the retention), packed as members; keys without events are
 * skipped. Snapshot event `i` gets sequence number `base + i + 1`: after everything recorded before, ties in
 * snapshot order. Both Redis stores write what this yields, each in its own batches.
 */
export function* snapshotKeyMembers(snapshot: StateSnapshot, layout: StateLayout, base: number): Generator<SnapshotKeyMembers> {
  const { times, labels } = snapshot;
  const n = times.length;
  // An event is a member of one key per entity: its score text is made once.
  const scores = new Array<string>(n);
  for (let i = 0; i < n; i++) scores[i] = String(times[i]!);
  const pack = new PackedMembers();
  for (let e = 0; e < snapshot.entities.length; e++) {
    const entity = snapshot.entities[e]!;
    const columns = entity.values;
    for (const { key, order, from, to } of retainedKeyEvents(times, entity.codes, entity.keys.length, layout.retentionMs)) {
      for (let q = from; q < to; q++) {
        const i = order[q]!;
        pack.member(scores[i]!, base + i + 1, labels[i]!, columns, i);
      }
      yield { entity: e, key, members: pack.take(), count: to - from };
    }
  }
}

/**
 * Builds the feedback index entry (`tx:<id>`) of a snapshot event `i` as the observe script writes it: JSON of its
 * sequence number (`base + i + 1`, 16 digits), its time and its history keys, one per entity
 * (`historyKeys[entity][code]`), made as text without an object per event.
 */
export function feedbackIndexEntries(snapshot: StateSnapshot, base: number, historyKeys: readonly (readonly string[])[]): (i: number) => string {
  const quoted = historyKeys.map((list) => list.map((key) => JSON.stringify(key)));
  return (i) => {
    let entry = `{"seq":"${String(base + i + 1).padStart(16, '0')}","time":"${snapshot.times[i]!}","keys":[`;
    for (let e = 0; e < quoted.length; e++) entry += (e === 0 ? '' : ',') + quoted[e]![snapshot.entities[e]!.codes[i]!]!;
    return `${entry}]}`;
  };
}

/**
 * The loader script's argument for one key, written as bytes: `<score> <16-digit seq>|<label>|<values by |>\n`
 * per member (the observe script's encoding), without building a string per member. Regions handed out by
 * `take` are never written again (a full buffer is replaced, not reused), so pipelines may still hold them.
 */
export class PackedMembers {
  private bytes = Buffer.allocUnsafe(1 << 20);
  private start = 0;
  private used = 0;

  member(score: string, seq: number, label: number, columns: readonly Float64Array[], i: number): void {
    this.room(64 + 26 * columns.length);
    const bytes = this.bytes;
    let at = this.used;
    at += bytes.write(score, at, 'latin1');
    bytes[at++] = 32; // ' '
    for (let d = 15; d >= 0; d--) {
      bytes[at + d] = 48 + (seq % 10);
      seq = Math.floor(seq / 10);
    }
    at += 16;
    bytes[at++] = 124; // '|'
    bytes[at++] = 48 + label;
    bytes[at++] = 124;
    for (let c = 0; c < columns.length; c++) {
      if (c > 0) bytes[at++] = 124;
      // String(), as the observe script receives values: the shortest text that reads back to the same double.
      at += bytes.write(String(columns[c]![i]!), at, 'latin1');
    }
    bytes[at++] = 10; // '\n'
    this.used = at;
  }

  /** The members written since the last call. */
  take(): Buffer {
    const out = this.bytes.subarray(this.start, this.used);
    this.start = this.used;
    return out;
  }

  private room(bytes: number): void {
    if (this.used + bytes <= this.bytes.length) return;
    const next = Buffer.allocUnsafe(Math.max(1 << 20, (this.used - this.start + bytes) * 2));
    this.bytes.copy(next, 0, this.start, this.used);
    this.used -= this.start;
    this.start = 0;
    this.bytes = next;
  }
}
