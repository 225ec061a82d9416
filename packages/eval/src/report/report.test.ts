import { describe, expect, it } from 'vitest';
import {
  compareModels,
  comparisonMarkdown,
  downsampleCurve,
  evaluationReport,
  htmlReport,
  pooledPredictions,
  renderVegaLiteSvg,
  rocAuc,
  rocChartSpec,
  runValidation,
} from '@mlsd/eval';
import { OneFeatureScorer } from '../test-support/one-feature-scorer.js';
import { toyDataset } from '../test-support/toy-dataset.js';

async function validate() {
  const { data, folds } = toyDataset(7, 6, 300, 200, 3);
  return runValidation(
    [
      { name: 'noise', create: () => new OneFeatureScorer(1) },
      { name: 'signal', create: () => new OneFeatureScorer(0) },
    ],
    data,
    folds,
    { k: 20, falseAlarmCost: 3 },
  );
}

describe('compareModels and comparisonMarkdown', () => {
  it('puts the baseline first and gives each upgrade a paired-bootstrap difference', async () => {
    const result = await validate();
    const table = compareModels(result, { seed: 1, replicates: 200 });
    expect(table.rows.map((r) => [r.model, r.isBaseline])).toEqual([
      ['noise', true],
      ['signal', false],
    ]);
    expect(table.rows[0]!.versusBaseline).toBeNull();
    const pooled = pooledPredictions(result, 'signal');
    const labels = Uint8Array.from(pooled.rows, (r) => result.columns.y[r]!);
    expect(table.rows[1]!.metrics.rocAuc).toBe(rocAuc(labels, pooled.scores));
    const diff = table.rows[1]!.versusBaseline!.rocAuc;
    expect(diff.estimate).toBeCloseTo(table.rows[1]!.metrics.rocAuc! - table.rows[0]!.metrics.rocAuc!, 12);
    expect(diff.lower).toBeGreaterThan(0);
    expect(compareModels(result, { seed: 1, replicates: 200 })).toEqual(table);

    const markdown = comparisonMarkdown(table);
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('| model | ROC AUC | Δ AUC [95% CI] | AP | Δ AP [95% CI] | group P@20 | log loss | Brier | fit s | predict s |');
    expect(lines[2]).toMatch(/^\| noise \(baseline\) \| 0\.\d{4} \| — \|/);
    expect(lines[3]).toMatch(/^\| signal \| 0\.\d{4} \| \+0\.\d{4} \[\+0\.\d{4}, \+0\.\d{4}\] \|/);
    expect(JSON.parse(JSON.stringify(table)).rows[1].versusBaseline.averagePrecision.replicates).toBe(200);
  });

  it('shows the group precision column only when the data had groups', async () => {
    const table = compareModels(await validate(), { seed: 1, replicates: 50 });
    const ungrouped = { ...table, rows: table.rows.map((r) => ({ ...r, metrics: { ...r.metrics, groupPrecisionAtK: null } })) };
    const lines = comparisonMarkdown(ungrouped).split('\n');
    expect(lines[0]).toBe('| model | ROC AUC | Δ AUC [95% CI] | AP | Δ AP [95% CI] | log loss | Brier | fit s | predict s |');
    expect(lines[2]).not.toContain('n/a');
    expect(lines[2]!.split('|').length).toBe(lines[0]!.split('|').length);
  });
});

describe('evaluationReport', () => {
  it('is one self-contained HTML page with an inline SVG per chart and nothing fetched from the network', async () => {
    const result = await validate();
    const html = await evaluationReport(result, compareModels(result, { seed: 2, replicates: 50 }), { title: 'Toy <report>' });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>Toy &lt;report&gt;</title>');
    // ROC, PR, calibration, expected cost, feature importance, per-fold metrics.
    expect(html.match(/<svg[\s>]/g)?.length).toBe(6);
    for (const heading of ['ROC curves', 'Precision-recall curves', 'Calibration', 'Expected cost by threshold', 'Feature importance', 'Per-fold metrics']) {
      expect(html).toContain(heading);
    }
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
    expect(html).not.toMatch(/url\(\s*["']?https?:/i);
  });
});

describe('renderVegaLiteSvg, htmlReport and downsampleCurve', () => {
  it('renders a spec to SVG with one path per model line', async () => {
    const svg = await renderVegaLiteSvg(
      rocChartSpec([
        { model: 'a', x: Float64Array.from([0, 0.5, 1]), y: Float64Array.from([0, 0.8, 1]) },
        { model: 'b', x: Float64Array.from([0, 1]), y: Float64Array.from([0, 1]) },
      ]),
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('False-positive rate');
    // One line mark for the diagonal, one per model in the curve layer.
    expect(svg.match(/mark-line role-mark layer_1_marks/g)?.length).toBe(2);
    expect(svg.match(/mark-line role-mark layer_0_marks/g)?.length).toBe(1);
  });

  it('escapes text in the page builder', () => {
    const page = htmlReport({ title: 'a & b', sections: [{ title: '<x>', description: '"q"', html: '<svg></svg>' }] });
    expect(page).toContain('<h1>a &amp; b</h1>');
    expect(page).toContain('<h2>&lt;x&gt;</h2>');
    expect(page).toContain('<p>&quot;q&quot;</p>');
    expect(page).toContain('<svg></svg>');
  });

  it('keeps the ends and at most maxPoints points spread along the curve', () => {
    const n = 100_000;
    const x = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
    const y = x.map((v) => Math.sqrt(v));
    const keep = downsampleCurve(x, y, 200);
    expect(keep.length).toBeLessThanOrEqual(200);
    expect(keep.length).toBeGreaterThan(150);
    expect(keep[0]).toBe(0);
    expect(keep[keep.length - 1]).toBe(n - 1);
    // The steep start (x < 0.01, where y already reaches 0.1) keeps several points, not just one.
    expect(Array.from(keep).filter((i) => x[i]! < 0.01).length).toBeGreaterThan(5);
    expect(Array.from(downsampleCurve(Float64Array.from([0, 1]), Float64Array.from([0, 1]), 10))).toEqual([0, 1]);
  });
});
