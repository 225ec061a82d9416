import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom, denseMatrix } from '@mlsd/data';
import { buildReferenceProfile } from '@mlsd/eval';
import { Monitor, type MonitoringReport } from '@mlsd/monitoring';
import { createScoringService, type ScoringService } from '@mlsd/serving';
import { MapModelSource } from '../../test-support/map-model-source.js';
import { SimpleFeatureBackend, SIMPLE_FEATURES } from '../../test-support/simple-feature-backend.js';
import { trainTinyModel } from '../../test-support/tiny-model.js';
import { HANDBOOK_SERVICE, type HandbookAnswer } from '../../test-support/handbook-service.js';

// A real headless browser (Debian's chromium driven by playwright-core) loads the dashboard from a running service
// and must show the numbers the API reports. In CI (CI=true or MLSD_REQUIRE_BROWSER=1) a missing chromium fails.
const CHROMIUM = process.env['MLSD_CHROMIUM'] ?? '/usr/bin/chromium';
const required = process.env['CI'] === 'true' || process.env['CI'] === '1' || process.env['MLSD_REQUIRE_BROWSER'] === '1';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Field {
  readonly value: string;
  readonly text: string;
}

interface Answers {
  readonly results: HandbookAnswer[];
}

let service: ScoringService;
let base: string;
let userDataDir: string;
let context: BrowserContext;
const features = new SimpleFeatureBackend();
const answers: Answers = { results: [] };

function tx(id: number, amount: number) {
  return { TRANSACTION_ID: id, TX_DATETIME: 1_522_540_800_000 + id * 60_000, CUSTOMER_ID: id % 40, TERMINAL_ID: id % 7, TX_AMOUNT: amount };
}

async function score(id: number, amount: number): Promise<void> {
  const res = await fetch(`${base}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(tx(id, amount)) });
  expect(res.status).toBe(200);
  answers.results.push((await res.json()) as HandbookAnswer);
}

/** Opens `path` on the service, failing on console errors, page errors and any request that leaves the service. */
async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('data:')) return route.continue();
    problems.push(`request off the service: ${url}`);
    return route.abort();
  });
  await page.goto(`${base}${path}`);
  return { page, problems };
}

async function fields(page: Page): Promise<Map<string, Field>> {
  const entries = await page.$$eval('[data-field]', (nodes) =>
    nodes.map((n) => [n.getAttribute('data-field')!, { value: n.getAttribute('data-value') ?? '', text: n.textContent ?? '' }] as const),
  );
  return new Map(entries);
}

/** The sum of a Prometheus sample's values over the lines whose labels contain `labels`. */
function sample(metrics: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!line.includes(labels)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

function expectValue(page: Map<string, Field>, field: string, expected: number | string | null): void {
  const shown = page.get(field);
  expect(shown, `the page has no ${field}`).toBeDefined();
  if (expected === null) expect(shown!.value, field).toBe('');
  else if (typeof expected === 'string') expect(shown!.value, field).toBe(expected);
  else expect(Number(shown!.value), field).toBe(expected);
}

describe.skipIf(!existsSync(CHROMIUM) && !required)('GET /dashboard in a headless browser', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set MLSD_CHROMIUM.`);
    const rng = new SeededRandom(11);
    const rows = 2000;
    const data = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      data[r * 2] = 10 + 90 * rng.nextFloat();
      data[r * 2 + 1] = 30 + 40 * rng.nextFloat();
    }
    const champion = await trainTinyModel(1);
    const reference = denseMatrix(data, rows, 2, [...SIMPLE_FEATURES]);
    const profile = buildReferenceProfile({ features: reference, scores: champion.predictProba(reference) });
    const models = new MapModelSource().add(1, champion, ['champion']).add(2, await trainTinyModel(2), ['challenger']);
    service = await createScoringService({
      ...HANDBOOK_SERVICE,
      models,
      features,
      port: 0,
      defaultMetrics: false,
      overload: { maxEventLoopDelayMs: 10_000 },
      deadlineMs: 1000,
      logStream: { write: () => undefined },
      monitor: ({ registry }) =>
        new Monitor({ profile, registry, drift: { windowSize: 200, step: 100, minEvents: 100 }, experiment: { challengerShare: 0.5, seed: 3 } }),
    });
    base = await service.start();
    // Live traffic with amounts twice the reference's (drift), then a failing store (fallbacks), then labels.
    for (let id = 1; id <= 300; id++) await score(id, 20 + 180 * rng.nextFloat());
    features.failing = true;
    for (let id = 301; id <= 320; id++) await score(id, 50);
    features.failing = false;
    for (const result of answers.results.slice(0, 250)) {
      const res = await fetch(`${base}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ transactionId: result.transactionId, fraud: result.score > 0.6 === rng.nextFloat() < 0.8 }),
      });
      expect(res.status).toBe(200);
    }
    userDataDir = mkdtempSync(join(tmpdir(), 'mlsd-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
    await service?.close();
  });

  it('renders the numbers /v1/monitoring and /metrics report, with no console error and nothing from the network', async () => {
    const { page, problems } = await open('/dashboard?refresh=300');
    // Three refreshes: the scores-per-second rate needs two, and all of them came after the traffic.
    // (A selector, not a function: the page's content security policy forbids evaluating strings.)
    await page.waitForSelector('body[data-refreshes]:not([data-refreshes="1"]):not([data-refreshes="2"])', { timeout: 30_000 });
    const shown = await fields(page);
    const report = (await (await fetch(`${base}/v1/monitoring`)).json()) as MonitoringReport & { service: { modelVersion: number } };
    const metrics = await (await fetch(`${base}/metrics`)).text();

    // Live quality and drift, number for number.
    for (const key of [
      'averagePrecision',
      'recallAtReview',
      'precisionAtReview',
      'alertRate',
      'fallbackRate',
      'scored',
      'labelled',
      'windowLabelled',
      'windowFrauds',
    ] as const) {
      expectValue(shown, `quality.${key}`, report.quality[key]);
    }
    expect(report.drift.ready).toBe(true);
    if (!report.drift.ready) return;
    expect(report.drift.features['TX_AMOUNT']!.status).toBe('alert');
    for (const [name, drift] of [...Object.entries(report.drift.features), ['score', report.drift.score!] as const]) {
      expectValue(shown, `drift.${name}.status`, drift.status);
      expect(shown.get(`drift.${name}.status`)!.text).toBe(drift.status);
      for (const key of ['psi', 'ks', 'jensenShannon', 'wasserstein', 'missingRate'] as const) expectValue(shown, `drift.${name}.${key}`, drift[key].value);
    }
    expect(shown.get('drift.TX_AMOUNT.psi')!.text).toBe(report.drift.features['TX_AMOUNT']!.psi.value!.toFixed(3));

    // The experiment, per arm, and its conclusion.
    const experiment = report.experiment!;
    for (const arm of ['champion', 'challenger'] as const) {
      for (const key of ['scored', 'labelled', 'frauds', 'fraudCaught', 'fraudMissed', 'falseAlarms', 'recall', 'falseAlarmRate', 'moneySaved'] as const) {
        expectValue(shown, `experiment.${arm}.${key}`, experiment.arms[arm][key]);
      }
    }
    expect(experiment.arms.challenger.scored).toBeGreaterThan(0);
    expect(shown.get('experiment.conclusion')!.text).toBe(experiment.conclusion);

    // Decisions and fallbacks: as /metrics counts them, and as the answers the client received.
    const count = (pick: (r: HandbookAnswer) => boolean) => answers.results.filter(pick).length;
    for (const decision of ['allow', 'review', 'block'] as const) {
      expectValue(shown, `metrics.decisions.${decision}`, sample(metrics, 'mlsd_decisions_total', `decision="${decision}"`));
      expectValue(
        shown,
        `metrics.decisions.${decision}`,
        count((r) => r.decision === decision),
      );
    }
    const reasons = new Set(answers.results.flatMap((r) => (r.fallbackReason === undefined ? [] : [r.fallbackReason])));
    expect(reasons.size).toBeGreaterThan(0);
    for (const reason of reasons)
      expectValue(
        shown,
        `metrics.fallbacks.${reason}`,
        count((r) => r.fallbackReason === reason),
      );
    expectValue(
      shown,
      'metrics.scored.model',
      count((r) => r.source === 'model'),
    );
    expectValue(
      shown,
      'metrics.scored.fallback',
      count((r) => r.source === 'fallback'),
    );
    expectValue(shown, 'latency.model.count', sample(metrics, 'mlsd_score_duration_seconds_count', 'source="model"'));
    const p50 = Number(shown.get('latency.p50Ms')!.value);
    const p99 = Number(shown.get('latency.p99Ms')!.value);
    expect(p50).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    // No traffic between the last refreshes: the rate is zero.
    expectValue(shown, 'rate.scoresPerSecond', 0);
    expectValue(shown, 'service.modelVersion', report.service.modelVersion);

    // It keeps refreshing: new traffic shows up without a reload.
    await score(1000, 40);
    await page.waitForSelector(`[data-field="quality.scored"][data-value="${report.quality.scored + 1}"]`, { timeout: 30_000 });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('renders the OpenAPI page at /docs offline', async () => {
    const { page, problems } = await open('/docs');
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    const operations = await page.$$eval('.opblock-summary-path', (nodes) => nodes.map((n) => n.getAttribute('data-path')));
    expect(operations).toContain('/v1/score');
    expect(operations).toContain('/dashboard');
    expect(problems).toEqual([]);
    await page.close();
  });
});
