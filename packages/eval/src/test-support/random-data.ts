import { SeededRandom } from '@mlsd/data';

/**
 * Test support: `n` seeded rows of 0/1 labels and scores drawn from only `levels` distinct values, so that
 * ties are everywhere; positives score higher on average. Not exported from the package.
 */
export function tiedScores(n: number, levels: number, seed: number, positiveRate = 0.3): { labels: Uint8Array; scores: Float64Array } {
  const random = new SeededRandom(seed);
  const labels = new Uint8Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = random.nextFloat() < positiveRate ? 1 : 0;
    const shift = labels[i] === 1 ? Math.floor(levels / 3) : 0;
    scores[i] = Math.min(levels - 1, random.nextInt(levels) + shift) / levels;
  }
  return { labels, scores };
}

/** Test support: the AUC by its pairwise definition, O(n²): P(score⁺ > score⁻) + ½ P(score⁺ = score⁻). */
export function pairwiseAuc(labels: Uint8Array, scores: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

/** Test support: AP = Σ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds, each computed by a full scan, O(n · distinct). */
export function definitionAp(labels: Uint8Array, scores: ArrayLike<number>): number {
  const thresholds = [...new Set(Array.from(scores))].sort((a, b) => b - a);
  let positives = 0;
  for (const l of labels) positives += l;
  let previousRecall = 0;
  let ap = 0;
  for (const t of thresholds) {
    let tp = 0;
    let alerted = 0;
    for (let i = 0; i < labels.length; i++) {
      if (scores[i]! >= t) {
        alerted++;
        tp += labels[i]!;
      }
    }
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / alerted);
    previousRecall = recall;
  }
  return ap;
}
