import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@mlsd/data';
import { groupPrecisionAtK, dayIndex } from '@mlsd/eval';

/**
 * A literal translation of the Handbook's `card_precision_top_k` (pandas groupby/max/sort, with a stable
 * sort so ties go to the lower card id), on plain arrays and maps.
 */
function handbookReference(labels: Uint8Array, scores: Float64Array, cards: Float64Array, days: Float64Array, k: number, remove = true) {
  const listDays = [...new Set(days)].sort((a, b) => a - b);
  const detected = new Set<number>();
  const perDay: number[] = [];
  const compromised: number[] = [];
  for (const day of listDays) {
    const byCard = new Map<number, { score: number; label: number }>();
    for (let i = 0; i < labels.length; i++) {
      if (days[i] !== day || detected.has(cards[i]!)) continue;
      const entry = byCard.get(cards[i]!);
      if (entry === undefined) byCard.set(cards[i]!, { score: scores[i]!, label: labels[i]! });
      else {
        entry.score = Math.max(entry.score, scores[i]!);
        entry.label = Math.max(entry.label, labels[i]!);
      }
    }
    const grouped = [...byCard.entries()].sort((a, b) => a[0] - b[0]);
    const ranked = grouped.sort((a, b) => b[1].score - a[1].score);
    compromised.push(grouped.filter(([, v]) => v.label === 1).length);
    const found = ranked
      .slice(0, k)
      .filter(([, v]) => v.label === 1)
      .map(([card]) => card);
    perDay.push(found.length / k);
    if (remove) for (const card of found) detected.add(card);
  }
  return { mean: perDay.reduce((a, b) => a + b, 0) / perDay.length, perDay, compromised };
}

describe('groupPrecisionAtK', () => {
  // Day 0: A(1) max 0.9 label 1 (its fraud is the 0.2 row), B(2) 0.8 label 0, C(3) 0.1 label 1.
  // Day 1: A 0.95 fraud (dropped: detected on day 0), B 0.3 fraud, C 0.6, D(4) 0.6 fraud (tie: C ranks first).
  // Day 2: only A (dropped) → 0 cards, counts 0.
  const labels = Uint8Array.from([0, 1, 0, 1, 1, 1, 0, 1, 1]);
  const scores = Float64Array.from([0.9, 0.2, 0.8, 0.1, 0.95, 0.3, 0.6, 0.6, 0.7]);
  const cards = Float64Array.from([1, 1, 2, 3, 1, 2, 3, 4, 1]);
  const days = Float64Array.from([0, 0, 0, 0, 1, 1, 1, 1, 2]);

  it('follows the Handbook on a hand-computed example (drops detected cards, ties by card id)', () => {
    const result = groupPrecisionAtK({ labels, scores, groupIds: cards, days }, { k: 2 });
    expect(Array.from(result.days)).toEqual([0, 1, 2]);
    expect(Array.from(result.perDay)).toEqual([0.5, 0.5, 0]);
    expect(Array.from(result.positiveGroups)).toEqual([2, 2, 0]);
    expect(Array.from(result.detectedGroups)).toEqual([1, 1, 0]);
    expect(result.mean).toBeCloseTo(1 / 3, 15);
  });

  it('keeps detected cards when asked (remove_detected_compromised_cards=False)', () => {
    // Day 1: A 0.95 (+), C 0.6 → 1 hit; day 2: A (+) → 1 hit.
    const result = groupPrecisionAtK({ labels, scores, groupIds: cards, days }, { k: 2, removeDetectedGroups: false });
    expect(Array.from(result.perDay)).toEqual([0.5, 0.5, 0.5]);
  });

  it('equals a literal translation of the Handbook code on random data, for several k', () => {
    const random = new SeededRandom(21);
    const n = 4000;
    const l = new Uint8Array(n);
    const s = new Float64Array(n);
    const c = new Float64Array(n);
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      c[i] = random.nextInt(400);
      d[i] = random.nextInt(12);
      l[i] = random.nextFloat() < (c[i]! % 13 === 0 ? 0.5 : 0.02) ? 1 : 0;
      s[i] = Math.round((random.nextFloat() + l[i]! * 0.4) * 20) / 20; // many ties
    }
    for (const k of [1, 10, 100]) {
      const ours = groupPrecisionAtK({ labels: l, scores: s, groupIds: c, days: d }, { k });
      const reference = handbookReference(l, s, c, d, k);
      expect(Array.from(ours.perDay)).toEqual(reference.perDay);
      expect(Array.from(ours.positiveGroups)).toEqual(reference.compromised);
      expect(ours.mean).toBeCloseTo(reference.mean, 12);
    }
  });

  it('does not depend on row order', () => {
    const order = new SeededRandom(2).shuffle(Int32Array.from(labels, (_, i) => i));
    const pick = <T extends Float64Array | Uint8Array>(values: T): T => values.map((_, i) => values[order[i]!]!) as T;
    const shuffled = groupPrecisionAtK({ labels: pick(labels), scores: pick(scores), groupIds: pick(cards), days: pick(days) }, { k: 2 });
    expect(Array.from(shuffled.perDay)).toEqual([0.5, 0.5, 0]);
  });

  it('cuts timestamps into UTC days and rejects bad inputs', () => {
    const t = Date.UTC(2018, 3, 1);
    expect(Array.from(dayIndex(Float64Array.from([t, t + 86_399_999, t + 86_400_000])))).toEqual([17622, 17622, 17623]);
    expect(() => groupPrecisionAtK({ labels, scores, groupIds: cards.subarray(1), days }, { k: 2 })).toThrow(/groupIds has 8 rows but labels has 9/);
    expect(() => groupPrecisionAtK({ labels, scores, groupIds: cards, days: days.map((v, i) => (i === 3 ? NaN : v)) }, { k: 2 })).toThrow(/days\[3\] is NaN/);
    expect(() => groupPrecisionAtK({ labels, scores, groupIds: cards, days }, { k: 2, topK: 3 } as never)).toThrow(/unknown option "topK"/);
  });
});
