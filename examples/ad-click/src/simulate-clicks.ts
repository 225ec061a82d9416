import { ColumnTable, SeededRandom, defineSchema, type Schema } from '@mlsd/data';

/** One ad impression: string ids, a category, a device, a price, and whether it was clicked (0/1). */
export const CLICK_SCHEMA: Schema = defineSchema('ad-impressions', [
  { name: 'impression_id', type: 'category', role: 'id', unique: true },
  { name: 'shown_at', type: 'timestamp', role: 'event-time' },
  { name: 'user_id', type: 'category', role: 'entity-key' },
  { name: 'ad_id', type: 'category', role: 'entity-key' },
  { name: 'category', type: 'category', role: 'entity-key' },
  { name: 'device', type: 'category', role: 'feature' },
  { name: 'price', type: 'float', role: 'feature', min: 0 },
  { name: 'clicked', type: 'label', role: 'label' },
]);

/** Options of {@link simulateClicks}. */
export interface ClickSimulationOptions {
  readonly users: number;
  readonly ads: number;
  readonly days: number;
  /** Impressions per user per day, on average. */
  readonly impressionsPerUserDay: number;
  readonly seed: number;
}

/** One impression as a client sends it to the scoring service (time as epoch ms). */
export interface Impression {
  readonly impression_id: string;
  readonly shown_at: number;
  readonly user_id: string;
  readonly ad_id: string;
  readonly category: string;
  readonly device: string;
  readonly price: number;
}

const CATEGORIES = ['sports', 'tech', 'fashion', 'food', 'travel'];
const DEVICES = ['phone', 'desktop', 'tablet'];
const DEVICE_FACTOR: Record<string, number> = { phone: 1.3, desktop: 1, tablet: 0.7 };
/** First day of the simulation, 2024-03-04 (a Monday), UTC. */
export const SIMULATION_START = Date.UTC(2024, 2, 4);

/**
 * A seeded ad-impression log, in time order: each user has a taste for one category and an appetite for clicks,
 * each ad a category, a price and a base click-through rate; the click probability multiplies the ad's rate by the
 * user's appetite, twice that for the user's favourite category, a device factor and a discount for cheap ads.
 */
export function simulateClicks(options: ClickSimulationOptions): { impressions: Impression[]; clicked: Uint8Array } {
  const rng = new SeededRandom(options.seed);
  const users = Array.from({ length: options.users }, () => ({
    appetite: 0.3 + 1.4 * rng.nextFloat(),
    favourite: CATEGORIES[rng.nextInt(CATEGORIES.length)]!,
  }));
  const ads = Array.from({ length: options.ads }, () => ({
    category: CATEGORIES[rng.nextInt(CATEGORIES.length)]!,
    price: Math.round(rng.uniform(5, 200) * 100) / 100,
    ctr: 0.01 + 0.08 * rng.nextFloat(),
  }));
  const count = Math.round(options.users * options.days * options.impressionsPerUserDay);
  const times = Array.from({ length: count }, () => SIMULATION_START + Math.floor(rng.nextFloat() * options.days * 86_400) * 1000).sort((a, b) => a - b);
  const impressions: Impression[] = [];
  const clicked = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const u = rng.nextInt(options.users);
    const a = rng.nextInt(options.ads);
    const user = users[u]!;
    const ad = ads[a]!;
    const device = DEVICES[rng.nextInt(DEVICES.length)]!;
    const p = Math.min(0.95, ad.ctr * user.appetite * (user.favourite === ad.category ? 2 : 1) * DEVICE_FACTOR[device]! * (ad.price < 50 ? 1.5 : 1));
    clicked[i] = rng.nextFloat() < p ? 1 : 0;
    impressions.push({
      impression_id: `imp-${options.seed}-${i}`,
      shown_at: times[i]!,
      user_id: `user-${u}`,
      ad_id: `ad-${a}`,
      category: ad.category,
      device,
      price: ad.price,
    });
  }
  return { impressions, clicked };
}

/** The impressions (and their clicks) as a table of {@link CLICK_SCHEMA}. */
export function impressionTable(impressions: readonly Impression[], clicked: Uint8Array): ColumnTable {
  const category = (values: readonly string[]) => {
    const dictionary = [...new Set(values)];
    const index = new Map(dictionary.map((v, i) => [v, i]));
    return { type: 'category' as const, codes: Int32Array.from(values, (v) => index.get(v)!), dictionary };
  };
  return new ColumnTable({
    impression_id: category(impressions.map((x) => x.impression_id)),
    shown_at: { type: 'timestamp', values: Float64Array.from(impressions, (x) => x.shown_at) },
    user_id: category(impressions.map((x) => x.user_id)),
    ad_id: category(impressions.map((x) => x.ad_id)),
    category: category(impressions.map((x) => x.category)),
    device: category(impressions.map((x) => x.device)),
    price: { type: 'float', values: Float64Array.from(impressions, (x) => x.price) },
    clicked: { type: 'label', values: clicked },
  });
}
