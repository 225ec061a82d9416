import { MlsdError } from '@mlsd/data';

/** The size of a demo run: how much data the simulator makes, and how much validation runs on it. */
export interface DemoScale {
  readonly customers: number;
  readonly terminals: number;
  readonly days: number;
  /** First simulated day, `YYYY-MM-DD`. Both scales end after the Handbook's test week (2018-08-08 to 08-14). */
  readonly start: string;
  /** Prequential folds besides the holdout. */
  readonly prequentialFolds: number;
}

/**
 * The demo scales. `full` is the Handbook's data set (5000 customers, 10000 terminals, 183 days, about 1.75
 * million transactions); `small` keeps the same split dates on a fifth of the customers and only the 57 days the
 * split and the 30-day feature windows need, so the whole demo runs in seconds.
 */
export const DEMO_SCALES: Readonly<Record<'full' | 'small', DemoScale>> = {
  full: { customers: 5000, terminals: 10_000, days: 183, start: '2018-04-01', prequentialFolds: 3 },
  small: { customers: 1000, terminals: 2000, days: 57, start: '2018-06-20', prequentialFolds: 1 },
};

/** The scale named `name`; throws `INVALID_OPTION` naming the valid ones. */
export function demoScale(name: string): DemoScale {
  if (name === 'full' || name === 'small') return DEMO_SCALES[name];
  throw new MlsdError('INVALID_OPTION', `Unknown --scale "${name}"; valid: full, small.`, { location: { field: 'scale' } });
}
