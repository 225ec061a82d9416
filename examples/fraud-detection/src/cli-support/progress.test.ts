import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

/** A stream that keeps what is written to it; `isTTY` as a terminal or a pipe would report it. */
function collector(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

function runSteps(progress: ReturnType<typeof createProgress>): void {
  progress.step(1, 2, 'Data');
  progress.start('simulate');
  progress.done('100 rows');
  progress.step(2, 2, 'Models');
  progress.start('fit', 4);
  progress.update(2, 'fitting the baseline');
  progress.done();
}

describe('createProgress', () => {
  it('shows a bar for every task on a terminal, tasks without units included', () => {
    const out = collector(true);
    runSteps(createProgress({ stream: out.stream }));
    const text = out.text();
    // The bar's own characters (cli-progress's shades_classic preset) for both tasks, then their results.
    const bars = text.split('\n').filter((line) => line.includes('\u2591') || line.includes('\u2588'));
    expect(bars.some((line) => line.includes('simulate'))).toBe(true);
    expect(bars.some((line) => line.includes('fit') && line.includes('/4') && line.includes('fitting the baseline'))).toBe(true);
    expect(text).toMatch(/ {2}✓ simulate \(\d+\.\d s\): 100 rows\n/);
    expect(text).toMatch(/\[2\/2\] Models\n/);
  });

  it('writes plain lines, no escape codes, when not on a terminal', () => {
    const out = collector(false);
    runSteps(createProgress({ stream: out.stream }));
    const lines = out.text().trimEnd().split('\n');
    expect(lines.map((line) => line.replace(/\(\d+\.\d s\)/, '(t)'))).toEqual([
      '[1/2] Data',
      '  simulate …',
      '  ✓ simulate (t): 100 rows',
      '[2/2] Models',
      '  fit …',
      '  ✓ fit (t)',
    ]);
  });

  it('writes nothing when quiet', () => {
    const out = collector(true);
    runSteps(createProgress({ stream: out.stream, quiet: true }));
    expect(out.text()).toBe('');
  });
});
