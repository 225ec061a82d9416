import type { Arm } from './arm-assignment.js';
import { twoProportionZTest, type ProportionTest } from './two-proportion-test.js';

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
  /** Two-sided two-proportion z-tests (pooled) on recall and on the false-alarm rate, at level `alpha`. */
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
 * Counts a champion/challenger experiment's outcomes per arm as labels arrive. Framework-free and O(1) per event;
 * which arm answered is decided elsewhere ({@link assignArm}) and passed in.
 */
export class ExperimentTracker {
  private readonly counts = {
    champion: { scored: 0, labelled: 0, frauds: 0, caught: 0, falseAlarms: 0, caughtAmount: 0 },
    challenger: { scored: 0, labelled: 0, frauds: 0, caught: 0, falseAlarms: 0, caughtAmount: 0 },
  };

  constructor(readonly options: ExperimentTrackerOptions) {}

  /** Counts a transaction answered by `arm`. */
  recordScored(arm: Arm): void {
    this.counts[arm].scored++;
  }

  /** Counts the label of a transaction `arm` answered: `flagged` when it was reviewed or blocked. */
  recordLabelled(arm: Arm, flagged: boolean, fraud: boolean, amount: number): void {
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
    const cost = this.options.falseAlarmCost ?? 0;
    const alpha = this.options.alpha ?? 0.05;
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
    const a = this.counts.champion;
    const b = this.counts.challenger;
    const recall = twoProportionZTest(a.caught, a.frauds, b.caught, b.frauds);
    const falseAlarmRate = twoProportionZTest(a.falseAlarms, a.labelled - a.frauds, b.falseAlarms, b.labelled - b.frauds);
    return {
      challengerShare: this.options.challengerShare,
      seed: this.options.seed ?? 0,
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
  for (const [name, test] of [['recall', recall], ['false-alarm rate', falseAlarms]] as const) {
    if (Number.isNaN(test.pValue)) parts.push(`${name}: not enough labels`);
    else if (test.pValue < alpha) parts.push(`challenger ${name} ${test.difference > 0 ? 'higher' : 'lower'} (p = ${test.pValue.toPrecision(2)})`);
    else parts.push(`${name}: no significant difference (p = ${test.pValue.toPrecision(2)})`);
  }
  return parts.join('; ');
}
