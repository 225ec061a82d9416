import { MlsdError } from '@mlsd/data';
import { validateOptions } from '@mlsd/data';
import type { Arm } from './arm-assignment.js';
import { clusteredRatioTest, type ProportionTest } from './two-proportion-test.js';

/** Outcomes of one arm of a champion/challenger experiment, over the transactions whose label has arrived. */
export interface ArmResult {
  /** Transactions this arm answered. */
  readonly scored: number;
  /** Of those, transactions with a feedback label. */
  readonly labelled: number;
  readonly frauds: number;
  /** Frauds flagged (decision review or block). */
  readonly fraudCaught: number;
  /** Frauds allowed. */
  readonly fraudMissed: number;
  /** Genuine transactions flagged. */
  readonly falseAlarms: number;
  /** fraudCaught / frauds (null without frauds). */
  readonly recall: number | null;
  /** falseAlarms / genuine labelled transactions (null without any). */
  readonly falseAlarmRate: number | null;
  /** Amount of the caught frauds minus `falseAlarmCost` per false alarm, in the amount's currency. */
  readonly moneySaved: number;
}

/** Per-arm results and the significance of the differences (challenger minus champion). */
export interface ExperimentReport {
  readonly challengerShare: number;
  readonly seed: number;
  readonly arms: { readonly champion: ArmResult; readonly challenger: ArmResult };
  /** Cost charged per false alarm in `moneySaved` (e.g. the cost of a review call). */
  readonly falseAlarmCost: number;
  /**
   * Two-sided z-tests on recall and on the false-alarm rate at level `alpha`, with cluster-robust (delta-method)
   * variances because cards, not transactions, were randomised (see `clusteredRatioTest`).
   */
  readonly tests: { readonly recall: ProportionTest; readonly falseAlarmRate: ProportionTest };
  readonly alpha: number;
  /** A one-line reading of the tests, e.g. "challenger recall higher (p = 0.003)". */
  readonly conclusion: string;
}

/** Settings of an {@link ExperimentTracker}. */
export interface ExperimentTrackerOptions {
  readonly challengerShare: number;
  readonly seed?: number;
  /** Cost of one false alarm in `moneySaved` (default 0: money saved is the fraud amount caught). */
  readonly falseAlarmCost?: number;
  /** Significance level of the tests (default 0.05). */
  readonly alpha?: number;
}

/**
 * Counts a champion/challenger experiment's outcomes per arm as labels arrive, in total and per card (the
 * randomisation unit, for the significance tests). Framework-free and O(1) amortised per event; which arm
 * answered is decided elsewhere (`assignArm`) and passed in.
 */
export class ExperimentTracker {
  private readonly counts = {
    champion: { scored: 0, labelled: 0, frauds: 0, caught: 0, falseAlarms: 0, caughtAmount: 0 },
    challenger: { scored: 0, labelled: 0, frauds: 0, caught: 0, falseAlarms: 0, caughtAmount: 0 },
  };
  private readonly cards = { champion: new CardCounts(), challenger: new CardCounts() };

  readonly options: Required<ExperimentTrackerOptions>;

  /** Throws `INVALID_OPTION` for unknown options, a share outside [0, 1], a negative cost or alpha outside (0, 1). */
  constructor(options: ExperimentTrackerOptions) {
    this.options = validateOptions(
      'ExperimentTracker',
      options,
      { challengerShare: Number.NaN, seed: 0, falseAlarmCost: 0, alpha: 0.05 },
      {
        challengerShare: { min: 0, max: 1 },
        seed: { integer: true },
        falseAlarmCost: { min: 0 },
        alpha: { min: 0, max: 1, minExclusive: true, maxExclusive: true },
      },
    );
    if (Number.isNaN(this.options.challengerShare)) {
      throw new MlsdError(
        'INVALID_OPTION',
        'ExperimentTracker: option "challengerShare" is required: the share of cards, in [0, 1], the challenger answers for.',
        {
          location: { field: 'challengerShare' },
        },
      );
    }
  }

  /** Counts a transaction answered by `arm`. */
  recordScored(arm: Arm): void {
    this.counts[arm].scored++;
  }

  /** Counts the label of a transaction `arm` answered for card `cardId`: `flagged` when it was reviewed or blocked. */
  recordLabelled(arm: Arm, cardId: string | number, flagged: boolean, fraud: boolean, amount: number): void {
    this.cards[arm].add(cardId, flagged, fraud);
    const c = this.counts[arm];
    c.labelled++;
    if (fraud) {
      c.frauds++;
      if (flagged) {
        c.caught++;
        c.caughtAmount += Number.isFinite(amount) ? amount : 0;
      }
    } else if (flagged) c.falseAlarms++;
  }

  /** The per-arm results and tests so far. */
  report(): ExperimentReport {
    const cost = this.options.falseAlarmCost;
    const alpha = this.options.alpha;
    const arm = (name: Arm): ArmResult => {
      const c = this.counts[name];
      const genuine = c.labelled - c.frauds;
      return {
        scored: c.scored,
        labelled: c.labelled,
        frauds: c.frauds,
        fraudCaught: c.caught,
        fraudMissed: c.frauds - c.caught,
        falseAlarms: c.falseAlarms,
        recall: c.frauds > 0 ? c.caught / c.frauds : null,
        falseAlarmRate: genuine > 0 ? c.falseAlarms / genuine : null,
        moneySaved: c.caughtAmount - cost * c.falseAlarms,
      };
    };
    const a = this.cards.champion.view();
    const b = this.cards.challenger.view();
    const recall = clusteredRatioTest(a.caught, a.frauds, b.caught, b.frauds);
    const falseAlarmRate = clusteredRatioTest(a.falseAlarms, a.genuine, b.falseAlarms, b.genuine);
    return {
      challengerShare: this.options.challengerShare,
      seed: this.options.seed,
      arms: { champion: arm('champion'), challenger: arm('challenger') },
      falseAlarmCost: cost,
      tests: { recall, falseAlarmRate },
      alpha,
      conclusion: conclude(recall, falseAlarmRate, alpha),
    };
  }
}

function conclude(recall: ProportionTest, falseAlarms: ProportionTest, alpha: number): string {
  const parts: string[] = [];
  for (const [name, test] of [
    ['recall', recall],
    ['false-alarm rate', falseAlarms],
  ] as const) {
    if (Number.isNaN(test.pValue)) parts.push(`${name}: not enough labels`);
    else if (test.pValue < alpha) parts.push(`challenger ${name} ${test.difference > 0 ? 'higher' : 'lower'} (p = ${test.pValue.toPrecision(2)})`);
    else parts.push(`${name}: no significant difference (p = ${test.pValue.toPrecision(2)})`);
  }
  return parts.join('; ');
}

/** Per-card label counts of one arm, in growable typed arrays indexed through one map. */
class CardCounts {
  private readonly index = new Map<string | number, number>();
  private frauds: Float64Array = new Float64Array(256);
  private caught: Float64Array = new Float64Array(256);
  private genuine: Float64Array = new Float64Array(256);
  private falseAlarms: Float64Array = new Float64Array(256);

  add(cardId: string | number, flagged: boolean, fraud: boolean): void {
    let i = this.index.get(cardId);
    if (i === undefined) {
      i = this.index.size;
      if (i === this.frauds.length) this.grow();
      this.index.set(cardId, i);
    }
    if (fraud) {
      this.frauds[i]!++;
      if (flagged) this.caught[i]!++;
    } else {
      this.genuine[i]!++;
      if (flagged) this.falseAlarms[i]!++;
    }
  }

  view(): { frauds: Float64Array; caught: Float64Array; genuine: Float64Array; falseAlarms: Float64Array } {
    const n = this.index.size;
    return {
      frauds: this.frauds.subarray(0, n),
      caught: this.caught.subarray(0, n),
      genuine: this.genuine.subarray(0, n),
      falseAlarms: this.falseAlarms.subarray(0, n),
    };
  }

  private grow(): void {
    const size = this.frauds.length * 2;
    const grown = (old: Float64Array): Float64Array => {
      const next = new Float64Array(size);
      next.set(old);
      return next;
    };
    this.frauds = grown(this.frauds);
    this.caught = grown(this.caught);
    this.genuine = grown(this.genuine);
    this.falseAlarms = grown(this.falseAlarms);
  }
}
