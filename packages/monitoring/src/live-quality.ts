import { averagePrecision } from '@mlsd/eval';
import { validateOptions } from '@mlsd/data';

/** Live model quality from feedback labels and from the decisions served. */
export interface LiveQualityReport {
  /** Transactions scored so far (all sources). */
  readonly scored: number;
  /** Labels received so far for transactions this process scored. */
  readonly labelled: number;
  /** Labelled transactions in the rolling quality window. */
  readonly windowLabelled: number;
  /** Frauds among them. */
  readonly windowFrauds: number;
  /**
   * Average precision of the served scores over the quality window (the eval package's `averagePrecision`);
   * null until the window holds both a fraud and a genuine transaction.
   */
  readonly averagePrecision: number | null;
  /** Share of the window's frauds whose decision was review or block (score >= the review threshold); null without frauds. */
  readonly recallAtReview: number | null;
  /** Share of the window's flagged (review/block) transactions that were fraud; null when nothing was flagged. */
  readonly precisionAtReview: number | null;
  /** Share of the last `rateWindow` scored transactions answered by the fallback rules. */
  readonly fallbackRate: number | null;
  /** Share of the last `rateWindow` scored transactions with decision review or block. */
  readonly alertRate: number | null;
}

/** Window sizes of a {@link LiveQuality}. */
export interface LiveQualityOptions {
  /** Most recent labelled transactions the quality metrics use (default 5000). */
  readonly window?: number;
  /** Most recent scored transactions the fallback and alert rates use (default 1000). */
  readonly rateWindow?: number;
}

/**
 * Rolling live-quality metrics: ring buffers of the latest labelled scores and of the latest served decisions,
 * O(1) per event; average precision is computed when {@link report} is called (O(w log w)).
 */
export class LiveQuality {
  private readonly scores: Float64Array;
  private readonly labels: Uint8Array;
  private readonly flagged: Uint8Array;
  private labelledHead = 0;
  private labelledFilled = 0;
  private labelledTotal = 0;
  private readonly fallbackRing: Uint8Array;
  private readonly alertRing: Uint8Array;
  private rateHead = 0;
  private rateFilled = 0;
  private fallbackSum = 0;
  private alertSum = 0;
  private scoredTotal = 0;

  /** Throws `INVALID_OPTION` for unknown options or windows that are not whole numbers >= 1. */
  constructor(options: LiveQualityOptions = {}) {
    const { window, rateWindow } = validateOptions(
      'LiveQuality',
      options,
      { window: 5000, rateWindow: 1000 },
      {
        window: { min: 1, integer: true },
        rateWindow: { min: 1, integer: true },
      },
    );
    this.scores = new Float64Array(window);
    this.labels = new Uint8Array(window);
    this.flagged = new Uint8Array(window);
    this.fallbackRing = new Uint8Array(rateWindow);
    this.alertRing = new Uint8Array(rateWindow);
  }

  /** Counts a served answer: whether the fallback answered and whether it was flagged (review or block). */
  recordScored(fallback: boolean, flagged: boolean): void {
    this.scoredTotal++;
    const i = this.rateHead;
    if (this.rateFilled === this.fallbackRing.length) {
      this.fallbackSum -= this.fallbackRing[i]!;
      this.alertSum -= this.alertRing[i]!;
    } else this.rateFilled++;
    this.fallbackRing[i] = fallback ? 1 : 0;
    this.alertRing[i] = flagged ? 1 : 0;
    this.fallbackSum += this.fallbackRing[i]!;
    this.alertSum += this.alertRing[i]!;
    this.rateHead = (i + 1) % this.fallbackRing.length;
  }

  /** Adds the label of a served transaction with its served `score` and whether it was flagged. */
  recordLabelled(score: number, flagged: boolean, fraud: boolean): void {
    this.labelledTotal++;
    const i = this.labelledHead;
    this.scores[i] = score;
    this.labels[i] = fraud ? 1 : 0;
    this.flagged[i] = flagged ? 1 : 0;
    this.labelledHead = (i + 1) % this.scores.length;
    if (this.labelledFilled < this.scores.length) this.labelledFilled++;
  }

  /** The metrics now. */
  report(): LiveQualityReport {
    const n = this.labelledFilled;
    let frauds = 0;
    let caught = 0;
    let flaggedCount = 0;
    for (let i = 0; i < n; i++) {
      frauds += this.labels[i]!;
      flaggedCount += this.flagged[i]!;
      if (this.labels[i] === 1 && this.flagged[i] === 1) caught++;
    }
    const labels = this.labels.subarray(0, n);
    return {
      scored: this.scoredTotal,
      labelled: this.labelledTotal,
      windowLabelled: n,
      windowFrauds: frauds,
      averagePrecision: frauds > 0 && frauds < n ? averagePrecision(labels, this.scores.subarray(0, n)) : null,
      recallAtReview: frauds > 0 ? caught / frauds : null,
      precisionAtReview: flaggedCount > 0 ? caught / flaggedCount : null,
      fallbackRate: this.rateFilled > 0 ? this.fallbackSum / this.rateFilled : null,
      alertRate: this.rateFilled > 0 ? this.alertSum / this.rateFilled : null,
    };
  }
}
