/**
 * One event to score, as the request schema parsed it (see `EventRequestSchema`): whatever the problem — a card
 * payment, an ad impression — the service only knows its id, its time and its fields by column name.
 */
export interface ScoringEvent {
  /** The value of the schema's `id` column: a non-negative safe integer or a non-empty string, as sent. */
  readonly id: string | number;
  /** The value of the schema's `event-time` column, epoch ms UTC. */
  readonly time: number;
  /**
   * Every column of the request schema by name (the id and the time, as epoch ms, included): numbers, strings, 0/1
   * for labels, `null` for a missing optional value. Only the schema's columns: other keys of the body are dropped.
   * This is the event the online feature pipeline reads.
   */
  readonly fields: Readonly<Record<string, string | number | null>>;
}
