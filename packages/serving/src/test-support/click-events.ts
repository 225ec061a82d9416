import { ColumnTable, SeededRandom, defineSchema, type Schema } from '@mlsd/data';
import { FeaturePipeline, type FeatureDefinition } from '@mlsd/features';
import { buildReferenceProfile } from '@mlsd/eval';
import { FileModelRegistry, LogisticRegression } from '@mlsd/models';

/** A problem that is not card fraud: ad clicks with string event and user ids, a device category, a price. */
export const CLICK_SCHEMA: Schema = defineSchema('clicks', [
  { name: 'event_id', type: 'category', role: 'id', unique: true },
  { name: 'ts', type: 'timestamp', role: 'event-time' },
  { name: 'user', type: 'category', role: 'entity-key' },
  { name: 'price', type: 'float', role: 'feature', min: 0 },
  { name: 'device', type: 'category', role: 'feature', required: false },
  { name: 'clicked', type: 'label', role: 'label' },
]);

/** Per-user activity, price and a delayed click rate, the price itself and the device one-hot. */
export const CLICK_FEATURES: FeatureDefinition[] = [
  { kind: 'window', entity: 'user', agg: 'count', window: '1d', name: 'USER_EVENTS_1D' },
  { kind: 'window', entity: 'user', column: 'price', agg: 'mean', window: '1d', name: 'USER_MEAN_PRICE_1D' },
  { kind: 'delayed-label', entity: 'user', label: 'clicked', window: '7d', delay: '1d', output: 'rate', name: 'USER_CLICK_RATE_7D' },
  { kind: 'column', column: 'price', name: 'PRICE' },
];

/** One click event as a client sends it (the time as epoch ms). */
export interface ClickEvent {
  readonly event_id: string;
  readonly ts: number;
  readonly user: string;
  readonly price: number;
  readonly device: string | null;
}

const DEVICES = ['phone', 'desktop', 'tablet'];

/**
 * `rows` synthetic click events over `days` days from 2024-03-01 UTC: string ids `e<seed>-<i>`, users `u<k>`,
 * clicks more likely for cheap ads, on phones and for users who clicked before. Rows in time order.
 */
export function clickEvents(rows: number, seed: number, days = 10): { events: ClickEvent[]; clicked: Uint8Array } {
  const rng = new SeededRandom(seed);
  const start = Date.UTC(2024, 2, 1) / 1000;
  const times = Array.from({ length: rows }, () => start + Math.floor(rng.nextFloat() * days * 86_400)).sort((a, b) => a - b);
  const affinity = Array.from({ length: 40 }, () => rng.nextFloat());
  const events: ClickEvent[] = [];
  const clicked = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const user = rng.nextInt(40);
    const price = Math.round(rng.uniform(1, 200) * 100) / 100;
    const device = rng.nextFloat() < 0.1 ? null : DEVICES[rng.nextInt(3)]!;
    const p = 0.05 + 0.5 * affinity[user]! * (price < 60 ? 1 : 0.3) + (device === 'phone' ? 0.1 : 0);
    clicked[i] = rng.nextFloat() < p ? 1 : 0;
    events.push({ event_id: `e${seed}-${i}`, ts: times[i]! * 1000, user: `u${user}`, price, device });
  }
  return { events, clicked };
}

/** The events (and labels, when given) as a table of {@link CLICK_SCHEMA}. */
export function clickTable(events: readonly ClickEvent[], clicked?: Uint8Array): ColumnTable {
  const dictionary = (values: readonly (string | null)[]) => {
    const names = [...new Set(values.filter((v): v is string => v !== null))];
    return { type: 'category' as const, codes: Int32Array.from(values, (v) => (v === null ? -1 : names.indexOf(v))), dictionary: names };
  };
  return new ColumnTable({
    event_id: dictionary(events.map((e) => e.event_id)),
    ts: { type: 'timestamp', values: Float64Array.from(events, (e) => e.ts) },
    user: dictionary(events.map((e) => e.user)),
    price: { type: 'float', values: Float64Array.from(events, (e) => e.price) },
    device: dictionary(events.map((e) => e.device)),
    clicked: { type: 'label', values: clicked ?? new Uint8Array(events.length) },
  });
}

/**
 * Trains the click model with the library on `rows` synthetic events — the pipeline from {@link CLICK_SCHEMA}'s
 * roles, standard scaling, a device one-hot, a logistic regression — and registers it as `clicks` (champion) in
 * `dir`, with the monitoring reference profile of its raw features and scores. Resolves to the fitted pipeline and model.
 */
export async function registerClickModel(dir: string, rows = 3000): Promise<{ pipeline: FeaturePipeline; model: LogisticRegression }> {
  const { events, clicked } = clickEvents(rows, 1);
  const table = clickTable(events, clicked);
  const names = CLICK_FEATURES.map((f) => f.name!);
  const pipeline = new FeaturePipeline({
    features: CLICK_FEATURES,
    transforms: [
      { kind: 'standard-scale', columns: names },
      { kind: 'one-hot', column: 'device' },
    ],
    schema: CLICK_SCHEMA,
  }).fit(table);
  const model = await new LogisticRegression({ C: 1 }).fit(pipeline.transform(table), clicked);
  const registry = new FileModelRegistry(dir);
  const profile = buildReferenceProfile({ features: pipeline.rawFeatures(table), scores: model.predictProba(pipeline.transform(table)) });
  const entry = await registry.register('clicks', model, { featurePipeline: pipeline.toJSON(), profile });
  await registry.setAlias('clicks', 'champion', entry.version);
  return { pipeline, model };
}
