/** Options of the heuristic fallback rules: each rule fires on its own and carries a score in [0, 1]. */
export interface FallbackRulesOptions {
  /** `amount-above-limit` fires when TX_AMOUNT > this (the Handbook's scenario 1 uses 220). Default 220. */
  readonly amountLimit?: number;
  /** Score of `amount-above-limit`. Default 0.9. */
  readonly amountLimitScore?: number;
  /**
   * `amount-far-above-customer-mean` fires when TX_AMOUNT > this multiple of the customer's mean amount (only
   * when the mean is known, i.e. the feature store answered). Default 5.
   */
  readonly customerMeanMultiple?: number;
  /** Score of `amount-far-above-customer-mean`. Default 0.6. */
  readonly customerMeanScore?: number;
  /** TERMINAL_IDs known to be compromised; `risky-terminal` fires on them. Default none. */
  readonly riskyTerminals?: readonly number[];
  /** Score of `risky-terminal`. Default 0.7. */
  readonly riskyTerminalScore?: number;
  /** Score when no rule fires. Default 0. */
  readonly baseScore?: number;
}

/** What the rules see: the transaction, and the customer's mean amount when the feature store gave it. */
export interface FallbackInput {
  readonly amount: number;
  readonly terminalId: number;
  /** Mean TX_AMOUNT of the customer over the configured window; NaN or undefined when unknown. */
  readonly customerMeanAmount?: number;
}

/** The rules' answer: the highest score among the fired rules (or the base score) and the rules that fired. */
export interface FallbackVerdict {
  readonly score: number;
  readonly firedRules: readonly string[];
}

/**
 * The heuristic rules engine that answers when the model path cannot: a few transparent rules (amount above a
 * limit, amount far above the customer's mean, a known risky terminal); the score is the maximum score of the
 * rules that fired, so a decision can always be made from the same thresholds as the model's. Pure and cheap.
 */
export class FallbackRules {
  private readonly amountLimit: number;
  private readonly amountLimitScore: number;
  private readonly customerMeanMultiple: number;
  private readonly customerMeanScore: number;
  private readonly riskyTerminals: ReadonlySet<number>;
  private readonly riskyTerminalScore: number;
  private readonly baseScore: number;

  constructor(options: FallbackRulesOptions = {}) {
    this.amountLimit = options.amountLimit ?? 220;
    this.amountLimitScore = options.amountLimitScore ?? 0.9;
    this.customerMeanMultiple = options.customerMeanMultiple ?? 5;
    this.customerMeanScore = options.customerMeanScore ?? 0.6;
    this.riskyTerminals = new Set(options.riskyTerminals ?? []);
    this.riskyTerminalScore = options.riskyTerminalScore ?? 0.7;
    this.baseScore = options.baseScore ?? 0;
  }

  /** Applies every rule to `input`. */
  evaluate(input: FallbackInput): FallbackVerdict {
    let score = this.baseScore;
    const firedRules: string[] = [];
    if (input.amount > this.amountLimit) {
      firedRules.push('amount-above-limit');
      score = Math.max(score, this.amountLimitScore);
    }
    const mean = input.customerMeanAmount;
    if (mean !== undefined && Number.isFinite(mean) && mean > 0 && input.amount > this.customerMeanMultiple * mean) {
      firedRules.push('amount-far-above-customer-mean');
      score = Math.max(score, this.customerMeanScore);
    }
    if (this.riskyTerminals.has(input.terminalId)) {
      firedRules.push('risky-terminal');
      score = Math.max(score, this.riskyTerminalScore);
    }
    return { score, firedRules };
  }
}
