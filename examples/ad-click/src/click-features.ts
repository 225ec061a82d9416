import type { FeatureDefinition, TransformSpec } from '@mlsd/features';

/** Clicks become known this long after the impression (the time a click takes to reach the log). */
export const CLICK_DELAY = '1h';

/**
 * The click features, all point-in-time: the user's activity and usual price over a day and a week, the delayed
 * click-through rates of the user, the ad and the category over a week (clicks count only once they are known),
 * and the price itself. The device and the category enter as one-hot columns (see {@link CLICK_TRANSFORMS}).
 */
export const CLICK_FEATURES: FeatureDefinition[] = [
  { kind: 'window', name: 'USER_IMPRESSIONS_1D', entity: 'user_id', agg: 'count', window: '1d' },
  { kind: 'window', name: 'USER_MEAN_PRICE_7D', entity: 'user_id', column: 'price', agg: 'mean', window: '7d' },
  { kind: 'delayed-label', name: 'USER_CTR_7D', entity: 'user_id', label: 'clicked', window: '7d', delay: CLICK_DELAY, output: 'rate' },
  { kind: 'delayed-label', name: 'USER_CLICKS_7D', entity: 'user_id', label: 'clicked', window: '7d', delay: CLICK_DELAY, output: 'count' },
  { kind: 'delayed-label', name: 'AD_CTR_7D', entity: 'ad_id', label: 'clicked', window: '7d', delay: CLICK_DELAY, output: 'rate' },
  { kind: 'delayed-label', name: 'CATEGORY_CTR_7D', entity: 'category', label: 'clicked', window: '7d', delay: CLICK_DELAY, output: 'rate' },
  { kind: 'log1p', name: 'LOG_PRICE', column: 'price' },
];

/** Standard scaling of every computed feature, then one-hot device and category. */
export const CLICK_TRANSFORMS: TransformSpec[] = [
  { kind: 'standard-scale', columns: CLICK_FEATURES.map((feature) => feature.name!) },
  { kind: 'one-hot', column: 'device' },
  { kind: 'one-hot', column: 'category' },
];
