import { MlsdError } from '../errors/mlsd-error.js';
import { SeededRandom } from '../random/seeded-random.js';
import { ColumnTable } from '../table/column-table.js';
import { terminalsWithinRadius } from './terminal-grid.js';

/**
 * A distribution shift applied from `fromDay` on, so monitoring can be tested on data whose drift is known.
 * Every factor defaults to "no shift" (the Handbook generator).
 */
export interface SimulationShift {
  /** First day (0-based, counted from `start`) the shift applies to. Default 0: the whole period. */
  fromDay?: number;
  /**
   * Multiplies every customer's mean and standard deviation of amount (default 1). Above 1 the amount
   * distribution moves right and more transactions pass 220, so scenario-1 frauds rise.
   */
  amountFactor?: number;
  /** Multiplies every customer's mean number of transactions per day (default 1): volume drift. */
  transactionsPerDayFactor?: number;
  /** Terminals newly compromised each day, scenario 2 (default 2, the Handbook's). 0 turns scenario 2 off. */
  compromisedTerminalsPerDay?: number;
  /** Customers newly compromised each day, scenario 3 (default 3, the Handbook's). 0 turns scenario 3 off. */
  compromisedCustomersPerDay?: number;
}

/** Options of {@link simulateTransactions}; every field is optional and defaults to the Handbook's set-up. */
export interface SimulationOptions {
  /** Number of customers (default 5000). */
  customers?: number;
  /** Number of terminals (default 10000). */
  terminals?: number;
  /** Number of simulated days (default 183). */
  days?: number;
  /** First day, `YYYY-MM-DD`, midnight UTC (default `2018-04-01`). */
  start?: string;
  /** Seed of the one random generator every draw comes from (default 0). Same seed, same table. */
  seed?: number;
  /** A customer uses the terminals strictly closer than this, in grid units (default 5). */
  radius?: number;
  /** Optional distribution shift (default: none). */
  shift?: SimulationShift;
}

const OPTION_KEYS = ['customers', 'terminals', 'days', 'start', 'seed', 'radius', 'shift'];
const SHIFT_KEYS = ['fromDay', 'amountFactor', 'transactionsPerDayFactor', 'compromisedTerminalsPerDay', 'compromisedCustomersPerDay'];

/** The side of the square map customers and terminals live on (Handbook: 100 x 100). */
const MAP_SIDE = 100;
const SECONDS_PER_DAY = 86_400;
/** Scenario 1: every amount above this is a fraud. */
const SCENARIO_1_AMOUNT = 220;
/** Scenario 2: a compromised terminal's transactions are fraud for this many days. */
const SCENARIO_2_DAYS = 28;
/** Scenario 3: a compromised customer's card is used by fraudsters for this many days. */
const SCENARIO_3_DAYS = 14;
/** Scenario 3: amount multiplier of the fraudulent transactions. */
const SCENARIO_3_FACTOR = 5;

/**
 * Simulates card transactions with the generator of the Fraud Detection Handbook, chapter 3.2
 * (https://fraud-detection-handbook.github.io/fraud-detection-handbook/Chapter_3_GettingStarted/SimulatedDataset.html):
 *
 * - customers at U(0,100)^2 with mean amount U(5,100), std = mean/2, mean transactions per day U(0,4);
 *   terminals at U(0,100)^2; a customer uses the terminals closer than `radius`;
 * - each day Poisson(mean) transactions per customer at second `trunc(N(43200, 20000))`, dropped unless
 *   0 < s < 86400; amount N(mean, std), redrawn U(0, 2·mean) if negative, rounded to cents; terminal uniform
 *   among the customer's (a customer with none has no transactions);
 * - frauds, in this order (a later scenario overrides an earlier one): (1) amount > 220; (2) each day `d` 2
 *   random terminals are compromised and all their transactions on days d..d+27 are fraud; (3) each day 3 random
 *   customers are compromised and a third (rounded down) of their transactions on days d..d+13, drawn at random,
 *   get amount x5 (rounded to cents) and are fraud. As in the Handbook, compromise days run over 0..maxDay-1,
 *   where maxDay is the last day that has a transaction.
 *
 * Differences from the Handbook: one seeded generator (xoshiro128**) for every draw instead of numpy/`random`
 * reseeded per customer and day, so numbers match in distribution, not draw for draw.
 *
 * Returns columns TRANSACTION_ID, TX_DATETIME (epoch ms, UTC), CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, TX_FRAUD
 * (label), TX_FRAUD_SCENARIO (0–3), sorted by time then generation order (customer, day, draw), with
 * TRANSACTION_ID = 0..n-1 in that order. Full scale (the defaults) gives about 1.75 million rows.
 */
export function simulateTransactions(options: SimulationOptions = {}): ColumnTable {
  const config = resolveOptions(options);
  const random = new SeededRandom(config.seed);
  const { customers, terminals, days, shift } = config;

  // Step 1–2: customer and terminal profiles (draw order as in the Handbook: x, y, mean amount, mean tx/day).
  const customerX = new Float64Array(customers);
  const customerY = new Float64Array(customers);
  const meanAmount = new Float64Array(customers);
  const meanPerDay = new Float64Array(customers);
  for (let c = 0; c < customers; c++) {
    customerX[c] = random.uniform(0, MAP_SIDE);
    customerY[c] = random.uniform(0, MAP_SIDE);
    meanAmount[c] = random.uniform(5, 100);
    meanPerDay[c] = random.uniform(0, 4);
  }
  const terminalX = new Float64Array(terminals);
  const terminalY = new Float64Array(terminals);
  for (let t = 0; t < terminals; t++) {
    terminalX[t] = random.uniform(0, MAP_SIDE);
    terminalY[t] = random.uniform(0, MAP_SIDE);
  }

  // Step 3: terminals within the radius.
  const lists = terminalsWithinRadius(customerX, customerY, terminalX, terminalY, config.radius, MAP_SIDE);

  // Step 4: transactions, in generation order (customer, day, draw).
  const generated = generateTransactions(config, random, meanAmount, meanPerDay, lists.offsets, lists.terminals);

  // Sort by time, ties in generation order (the key packs both into one exact float).
  const n = generated.count;
  const order = sortByTimeThenIndex(generated.seconds, n);
  const seconds = new Float64Array(n);
  const dayOf = new Int32Array(n);
  const customerId = new Float64Array(n);
  const terminalId = new Float64Array(n);
  const amount = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = order[i]!;
    seconds[i] = generated.seconds[g]!;
    dayOf[i] = generated.day[g]!;
    customerId[i] = generated.customer[g]!;
    terminalId[i] = generated.terminal[g]!;
    amount[i] = generated.amount[g]!;
  }

  // Step 5: frauds.
  const fraud = new Uint8Array(n);
  const scenario = new Float64Array(n);
  addFrauds({ days, customers, terminals, shift, random, dayOf, customerId, terminalId, amount, fraud, scenario });

  const transactionId = new Float64Array(n);
  const datetime = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    transactionId[i] = i;
    datetime[i] = config.startMs + seconds[i]! * 1000;
  }
  return new ColumnTable({
    TRANSACTION_ID: { type: 'integer', values: transactionId },
    TX_DATETIME: { type: 'timestamp', values: datetime },
    CUSTOMER_ID: { type: 'integer', values: customerId },
    TERMINAL_ID: { type: 'integer', values: terminalId },
    TX_AMOUNT: { type: 'float', values: amount },
    TX_FRAUD: { type: 'label', values: fraud },
    TX_FRAUD_SCENARIO: { type: 'integer', values: scenario },
  });
}

interface ResolvedShift {
  readonly fromDay: number;
  readonly amountFactor: number;
  readonly transactionsPerDayFactor: number;
  readonly compromisedTerminalsPerDay: number;
  readonly compromisedCustomersPerDay: number;
}

interface ResolvedOptions {
  readonly customers: number;
  readonly terminals: number;
  readonly days: number;
  readonly startMs: number;
  readonly seed: number;
  readonly radius: number;
  readonly shift: ResolvedShift;
}

interface GeneratedTransactions {
  readonly count: number;
  readonly seconds: Float64Array;
  readonly day: Int32Array;
  readonly customer: Int32Array;
  readonly terminal: Int32Array;
  readonly amount: Float64Array;
}

function generateTransactions(
  config: ResolvedOptions,
  random: SeededRandom,
  meanAmount: Float64Array,
  meanPerDay: Float64Array,
  offsets: Int32Array,
  terminalList: Int32Array,
): GeneratedTransactions {
  const { customers, days, shift } = config;
  let expected = 0;
  for (let c = 0; c < customers; c++) expected += meanPerDay[c]!;
  let capacity = Math.max(1024, Math.ceil(expected * days * Math.max(1, shift.transactionsPerDayFactor) * 1.05));
  let seconds = new Float64Array(capacity);
  let day = new Int32Array(capacity);
  let customer = new Int32Array(capacity);
  let terminal = new Int32Array(capacity);
  let amount = new Float64Array(capacity);
  let count = 0;

  for (let c = 0; c < customers; c++) {
    const first = offsets[c]!;
    const available = offsets[c + 1]! - first;
    for (let d = 0; d < days; d++) {
      const shifted = d >= shift.fromDay;
      const mean = shifted ? meanAmount[c]! * shift.amountFactor : meanAmount[c]!;
      const std = mean / 2;
      const perDay = shifted ? meanPerDay[c]! * shift.transactionsPerDayFactor : meanPerDay[c]!;
      const nb = random.poisson(perDay);
      for (let k = 0; k < nb; k++) {
        const time = Math.trunc(random.normal(SECONDS_PER_DAY / 2, 20_000));
        if (time <= 0 || time >= SECONDS_PER_DAY) continue;
        let value = random.normal(mean, std);
        if (value < 0) value = random.uniform(0, mean * 2);
        value = Math.round(value * 100) / 100;
        if (available === 0) continue;
        const t = terminalList[first + random.nextInt(available)]!;
        if (count === capacity) {
          capacity *= 2;
          seconds = grow(seconds, capacity);
          day = grow(day, capacity);
          customer = grow(customer, capacity);
          terminal = grow(terminal, capacity);
          amount = grow(amount, capacity);
        }
        seconds[count] = d * SECONDS_PER_DAY + time;
        day[count] = d;
        customer[count] = c;
        terminal[count] = t;
        amount[count] = value;
        count++;
      }
    }
  }
  return { count, seconds, day, customer, terminal, amount };
}

function grow<T extends Float64Array | Int32Array>(array: T, capacity: number): T {
  const grown = new (array.constructor as new (length: number) => T)(capacity);
  grown.set(array);
  return grown;
}

/** Row order sorting by `seconds`, ties by index: key = seconds * n + index is exact while below 2^53. */
function sortByTimeThenIndex(seconds: Float64Array, n: number): Int32Array {
  const order = new Int32Array(n);
  let maxSeconds = 0;
  for (let i = 0; i < n; i++) if (seconds[i]! > maxSeconds) maxSeconds = seconds[i]!;
  if ((maxSeconds + 1) * n < Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = seconds[i]! * n + i;
    keys.sort();
    for (let i = 0; i < n; i++) order[i] = keys[i]! % n;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => seconds[a]! - seconds[b]! || a - b);
}

interface FraudInput {
  readonly days: number;
  readonly customers: number;
  readonly terminals: number;
  readonly shift: ResolvedShift;
  readonly random: SeededRandom;
  readonly dayOf: Int32Array;
  readonly customerId: Float64Array;
  readonly terminalId: Float64Array;
  readonly amount: Float64Array;
  readonly fraud: Uint8Array;
  readonly scenario: Float64Array;
}

function addFrauds(input: FraudInput): void {
  const { days, customers, terminals, shift, random, dayOf, customerId, terminalId, amount, fraud, scenario } = input;
  const n = amount.length;

  // Scenario 1: large amounts.
  for (let i = 0; i < n; i++) {
    if (amount[i]! > SCENARIO_1_AMOUNT) {
      fraud[i] = 1;
      scenario[i] = 1;
    }
  }

  let maxDay = 0;
  for (let i = 0; i < n; i++) if (dayOf[i]! > maxDay) maxDay = dayOf[i]!;

  // Scenario 2: compromised terminals. compromised[t * days + day] marks (terminal, day) pairs under attack.
  const compromised = new Uint8Array(terminals * days);
  for (let d = 0; d < maxDay; d++) {
    const k = d >= shift.fromDay ? shift.compromisedTerminalsPerDay : 2;
    const picked = random.sampleWithoutReplacement(terminals, k);
    for (let j = 0; j < picked.length; j++) {
      const base = picked[j]! * days;
      for (let day = d; day < Math.min(days, d + SCENARIO_2_DAYS); day++) compromised[base + day] = 1;
    }
  }
  for (let i = 0; i < n; i++) {
    if (compromised[terminalId[i]! * days + dayOf[i]!] === 1) {
      fraud[i] = 1;
      scenario[i] = 2;
    }
  }

  // Scenario 3: compromised customers. Rows of each customer, ascending (= time order): CSR by customer.
  const start = new Int32Array(customers + 1);
  for (let i = 0; i < n; i++) start[customerId[i]! + 1]!++;
  for (let c = 0; c < customers; c++) start[c + 1]! += start[c]!;
  const cursor = start.slice(0, customers);
  const rowsOf = new Int32Array(n);
  for (let i = 0; i < n; i++) rowsOf[cursor[customerId[i]!]!++] = i;

  let candidates = new Int32Array(256);
  for (let d = 0; d < maxDay; d++) {
    const k = d >= shift.fromDay ? shift.compromisedCustomersPerDay : 3;
    const picked = random.sampleWithoutReplacement(customers, k);
    let size = 0;
    for (let j = 0; j < picked.length; j++) {
      const c = picked[j]!;
      for (let r = start[c]!; r < start[c + 1]!; r++) {
        const row = rowsOf[r]!;
        const day = dayOf[row]!;
        if (day >= d + SCENARIO_3_DAYS) break;
        if (day < d) continue;
        if (size === candidates.length) candidates = grow(candidates, size * 2);
        candidates[size++] = row;
      }
    }
    // The Handbook samples from the rows in table order; a third (rounded down) become frauds.
    const pool = candidates.subarray(0, size).sort();
    const take = Math.floor(size / 3);
    for (let j = 0; j < take; j++) {
      const pick = j + random.nextInt(size - j);
      const row = pool[pick]!;
      pool[pick] = pool[j]!;
      pool[j] = row;
      amount[row] = Math.round(amount[row]! * SCENARIO_3_FACTOR * 100) / 100;
      fraud[row] = 1;
      scenario[row] = 3;
    }
  }
}

function resolveOptions(options: SimulationOptions): ResolvedOptions {
  rejectUnknownKeys(options, OPTION_KEYS, 'simulateTransactions options');
  const customers = positiveInteger(options.customers ?? 5000, 'customers');
  const terminals = positiveInteger(options.terminals ?? 10_000, 'terminals');
  const days = positiveInteger(options.days ?? 183, 'days');
  const start = options.start ?? '2018-04-01';
  const startMs = /^\d{4}-\d{2}-\d{2}$/.test(start) ? Date.parse(`${start}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(startMs) || new Date(startMs).toISOString().slice(0, 10) !== start) {
    throw new MlsdError('INVALID_OPTION', `Option "start" must be a calendar date YYYY-MM-DD, got "${start}".`, {
      location: { field: 'start' },
    });
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) {
    throw new MlsdError('INVALID_OPTION', `Option "seed" must be an integer, got ${seed}.`, { location: { field: 'seed' } });
  }
  const radius = options.radius ?? 5;
  if (!(radius > 0) || !Number.isFinite(radius)) {
    throw new MlsdError('INVALID_OPTION', `Option "radius" must be a finite number > 0, got ${radius}.`, {
      location: { field: 'radius' },
    });
  }
  const shift = options.shift ?? {};
  rejectUnknownKeys(shift, SHIFT_KEYS, 'simulateTransactions shift');
  return {
    customers,
    terminals,
    days,
    startMs,
    seed,
    radius,
    shift: {
      fromDay: nonNegativeInteger(shift.fromDay ?? 0, 'shift.fromDay'),
      amountFactor: positiveNumber(shift.amountFactor ?? 1, 'shift.amountFactor'),
      transactionsPerDayFactor: positiveNumber(shift.transactionsPerDayFactor ?? 1, 'shift.transactionsPerDayFactor'),
      compromisedTerminalsPerDay: Math.min(terminals, nonNegativeInteger(shift.compromisedTerminalsPerDay ?? 2, 'shift.compromisedTerminalsPerDay')),
      compromisedCustomersPerDay: Math.min(customers, nonNegativeInteger(shift.compromisedCustomersPerDay ?? 3, 'shift.compromisedCustomersPerDay')),
    },
  };
}

function rejectUnknownKeys(object: object, valid: readonly string[], what: string): void {
  for (const key of Object.keys(object)) {
    if (!valid.includes(key)) {
      throw new MlsdError('INVALID_OPTION', `Unknown ${what} key "${key}"; valid keys are ${valid.join(', ')}.`, {
        location: { field: key },
      });
    }
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new MlsdError('INVALID_OPTION', `Option "${name}" must be a whole number >= 1, got ${value}.`, { location: { field: name } });
  }
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new MlsdError('INVALID_OPTION', `Option "${name}" must be a whole number >= 0, got ${value}.`, { location: { field: name } });
  }
  return value;
}

function positiveNumber(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new MlsdError('INVALID_OPTION', `Option "${name}" must be a finite number > 0, got ${value}.`, { location: { field: name } });
  }
  return value;
}
