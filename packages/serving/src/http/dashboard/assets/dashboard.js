// The live dashboard of the scoring service: polls GET /metrics (Prometheus text) and GET /v1/monitoring (JSON)
// every `?refresh=` ms (default 2000) and redraws. No dependencies, no network beyond this service.
// Every number is written into an element with `data-field` (what it is) and `data-value` (the raw value), so a
// test can compare the page with the API.

const REFRESH_MS = Math.max(250, Number(new URLSearchParams(location.search).get('refresh')) || 2000);
const HISTORY = 120;
const rateHistory = [];
let previous = null;
let refreshes = 0;

/** Parses the Prometheus text exposition format into samples { name, labels, value }. */
function parsePrometheus(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const labels = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

function sum(samples, name, filter = () => true) {
  let total = 0;
  for (const s of samples) if (s.name === name && filter(s.labels)) total += s.value;
  return total;
}

function byLabel(samples, name, label) {
  const out = new Map();
  for (const s of samples) if (s.name === name) out.set(s.labels[label], (out.get(s.labels[label]) ?? 0) + s.value);
  return out;
}

/**
 * The q-quantile of a Prometheus histogram from its cumulative buckets, interpolated linearly inside the bucket
 * where the rank falls (as PromQL's histogram_quantile); null without observations.
 */
function histogramQuantile(samples, name, q, filter = () => true) {
  const buckets = new Map();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !filter(s.labels)) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.length === 0 ? 0 : sorted[sorted.length - 1][1];
  if (total === 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return lower;
      return lower + (le - lower) * ((rank - below) / Math.max(count - below, 1e-12));
    }
    lower = le;
    below = count;
  }
  return lower;
}

/** The text shown for a number: integers as they are, others with 3 decimals (4 significant digits below 0.01). */
function format(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) < 0.01 && value !== 0 ? value.toPrecision(3) : value.toFixed(3);
}

function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

/** A number cell: `data-field` names it, `data-value` holds the raw value, the text its formatted value. */
function num(field, value) {
  return el('span', { 'data-field': field, 'data-value': value === null || value === undefined ? '' : String(value) }, [format(value)]);
}

function setNum(field, value) {
  for (const node of document.querySelectorAll(`[data-field="${field}"]`)) {
    node.dataset.value = value === null || value === undefined ? '' : String(value);
    node.textContent = format(value);
  }
}

function statusCell(field, status) {
  return el('span', { 'data-field': field, 'data-value': status, class: `status-${status}` }, [status]);
}

function fillRows(tableId, rows) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren(
    ...rows.map((cells) =>
      el(
        'tr',
        {},
        cells.map((cell) => el('td', {}, [cell])),
      ),
    ),
  );
}

function renderMetrics(samples, now) {
  const model = sum(samples, 'mlsd_score_duration_seconds_count', (l) => l.source === 'model');
  const fallback = sum(samples, 'mlsd_score_duration_seconds_count', (l) => l.source === 'fallback');
  setNum('metrics.scored.model', model);
  setNum('metrics.scored.fallback', fallback);
  if (previous !== null && now > previous.time) {
    const seconds = (now - previous.time) / 1000;
    const point = { model: Math.max(0, model - previous.model) / seconds, fallback: Math.max(0, fallback - previous.fallback) / seconds };
    rateHistory.push(point);
    if (rateHistory.length > HISTORY) rateHistory.shift();
    setNum('rate.scoresPerSecond', Math.round((point.model + point.fallback) * 10) / 10);
  }
  previous = { time: now, model, fallback };
  drawRateChart();

  const decisions = byLabel(samples, 'mlsd_decisions_total', 'decision');
  const decided = [...decisions.values()].reduce((a, b) => a + b, 0);
  fillRows(
    'decisions',
    ['allow', 'review', 'block'].map((d) => [
      d,
      num(`metrics.decisions.${d}`, decisions.get(d) ?? 0),
      num(`metrics.decisionShare.${d}`, decided === 0 ? null : (decisions.get(d) ?? 0) / decided),
    ]),
  );
  const fallbacks = [...byLabel(samples, 'mlsd_fallback_total', 'reason').entries()].sort((a, b) => b[1] - a[1]);
  fillRows('fallbacks', fallbacks.length === 0 ? [['none', '']] : fallbacks.map(([reason, count]) => [reason, num(`metrics.fallbacks.${reason}`, count)]));

  const ms = (seconds) => (seconds === null ? null : Math.round(seconds * 1e6) / 1e3);
  setNum('latency.p50Ms', ms(histogramQuantile(samples, 'mlsd_score_duration_seconds', 0.5)));
  setNum('latency.p99Ms', ms(histogramQuantile(samples, 'mlsd_score_duration_seconds', 0.99)));
  fillRows(
    'latency',
    ['model', 'fallback'].map((source) => {
      const only = (l) => l.source === source;
      return [
        source,
        num(`latency.${source}.count`, sum(samples, 'mlsd_score_duration_seconds_count', only)),
        num(`latency.${source}.p50Ms`, ms(histogramQuantile(samples, 'mlsd_score_duration_seconds', 0.5, only))),
        num(`latency.${source}.p99Ms`, ms(histogramQuantile(samples, 'mlsd_score_duration_seconds', 0.99, only))),
      ];
    }),
  );
}

function drawRateChart() {
  const svg = document.getElementById('rate-chart');
  const width = 600;
  const height = 140;
  const top = Math.max(1, ...rateHistory.map((p) => p.model + p.fallback));
  const x = (i) => 30 + (i * (width - 40)) / (HISTORY - 1);
  const y = (v) => height - 15 - (v / top) * (height - 25);
  const path = (key) => rateHistory.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const ns = 'http://www.w3.org/2000/svg';
  const make = (tag, attributes, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  svg.replaceChildren(
    make('line', { class: 'axis', x1: 30, y1: height - 15, x2: width - 10, y2: height - 15 }),
    make('text', { x: 0, y: 12 }, format(Math.round(top))),
    make('text', { x: 0, y: height - 15 }, '0'),
    make('path', { class: 'line-model', d: path('model') }),
    make('path', { class: 'line-fallback', d: path('fallback') }),
    make('text', { x: width - 140, y: 12 }, 'model (blue), fallback (orange)'),
  );
}

const DRIFT_STATS = [
  ['psi', 'psi'],
  ['ks', 'ks'],
  ['jensenShannon', 'jensenShannon'],
  ['wasserstein', 'wasserstein'],
  ['missingRate', 'missingRate'],
];

function psiBar(value, thresholds) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', '160');
  svg.setAttribute('height', '14');
  const top = Math.max(thresholds.alert * 1.5, value ?? 0);
  const scale = (v) => (150 * v) / top;
  const bar = document.createElementNS(ns, 'rect');
  bar.setAttribute('x', '0');
  bar.setAttribute('y', '2');
  bar.setAttribute('height', '10');
  bar.setAttribute('width', String(scale(value ?? 0)));
  bar.setAttribute('fill', value >= thresholds.alert ? '#cf222e' : value >= thresholds.warn ? '#d4a72c' : '#3b6fd8');
  svg.append(bar);
  for (const t of [thresholds.warn, thresholds.alert]) {
    const line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', String(scale(t)));
    line.setAttribute('x2', String(scale(t)));
    line.setAttribute('y1', '0');
    line.setAttribute('y2', '14');
    line.setAttribute('stroke', '#1d2330');
    svg.append(line);
  }
  return svg;
}

function renderDrift(drift) {
  const state = document.getElementById('drift-state');
  if (!drift.ready) {
    state.replaceChildren(
      'Collecting the window: ',
      num('drift.windowEvents', drift.windowEvents),
      ' of ',
      num('drift.minEvents', drift.minEvents),
      ' model-scored events.',
    );
    fillRows('drift', []);
    return;
  }
  state.replaceChildren('Window of ', num('drift.windowEvents', drift.windowEvents), ' events, overall ', statusCell('drift.status', drift.status), '.');
  const entries = Object.entries(drift.features);
  if (drift.score !== undefined) entries.push(['score', drift.score]);
  const psiThresholds = drift.thresholds?.psi ?? { warn: 0.1, alert: 0.2 };
  fillRows(
    'drift',
    entries.map(([name, d]) => [
      name,
      statusCell(`drift.${name}.status`, d.status),
      ...DRIFT_STATS.map(([key, field]) => num(`drift.${name}.${field}`, d[key]?.value ?? null)),
      psiBar(d.psi?.value ?? null, psiThresholds),
    ]),
  );
}

const QUALITY_FIELDS = [
  ['averagePrecision', 'average precision (labelled window)'],
  ['recallAtReview', 'recall at the review threshold'],
  ['precisionAtReview', 'precision at the review threshold'],
  ['alertRate', 'alert rate (scored window)'],
  ['fallbackRate', 'fallback rate (scored window)'],
  ['scored', 'scored'],
  ['labelled', 'labelled'],
  ['windowLabelled', 'labelled in the window'],
  ['windowFrauds', 'positives in the window'],
];

function renderQuality(quality) {
  fillRows(
    'quality',
    QUALITY_FIELDS.map(([key, label]) => [label, num(`quality.${key}`, quality[key])]),
  );
}

const ARM_FIELDS = ['scored', 'labelled', 'frauds', 'fraudCaught', 'fraudMissed', 'falseAlarms', 'recall', 'falseAlarmRate', 'moneySaved'];

function renderExperiment(experiment) {
  const state = document.getElementById('experiment-state');
  const head = document.querySelector('#experiment thead');
  const conclusion = document.getElementById('experiment-conclusion');
  if (experiment === null || experiment === undefined) {
    state.textContent = 'No experiment is running.';
    head.replaceChildren();
    fillRows('experiment', []);
    conclusion.textContent = '';
    return;
  }
  state.replaceChildren(
    'Challenger share of entities ',
    num('experiment.challengerShare', experiment.challengerShare),
    ', α = ',
    num('experiment.alpha', experiment.alpha),
    '.',
  );
  head.replaceChildren(el('tr', {}, [el('th', {}, ['']), el('th', {}, ['champion']), el('th', {}, ['challenger'])]));
  const rows = ARM_FIELDS.map((key) => [
    key,
    num(`experiment.champion.${key}`, experiment.arms.champion[key]),
    num(`experiment.challenger.${key}`, experiment.arms.challenger[key]),
  ]);
  rows.push(['recall difference p-value', num('experiment.tests.recall.pValue', experiment.tests.recall.pValue), '']);
  rows.push(['false-alarm difference p-value', num('experiment.tests.falseAlarmRate.pValue', experiment.tests.falseAlarmRate.pValue), '']);
  fillRows('experiment', rows);
  conclusion.setAttribute('data-field', 'experiment.conclusion');
  conclusion.textContent = experiment.conclusion;
}

function renderService(service) {
  setNum('service.modelVersion', service?.modelVersion ?? null);
  const status = document.getElementById('status');
  if (service === undefined) return;
  status.textContent = service.degraded ? `degraded: ${service.issues.join(', ')}` : 'healthy';
  status.dataset.field = 'service.degraded';
  status.dataset.value = String(service.degraded);
}

async function refresh() {
  try {
    // The service tells the page whether it runs a monitor, so the page never asks for a report that is not there.
    const monitoring = document.body.dataset.monitoring === 'true';
    const [metricsResponse, monitoringResponse] = await Promise.all([
      fetch('/metrics', { cache: 'no-store' }),
      monitoring ? fetch('/v1/monitoring', { cache: 'no-store' }) : null,
    ]);
    if (!metricsResponse.ok) throw new Error(`GET /metrics answered ${metricsResponse.status}`);
    renderMetrics(parsePrometheus(await metricsResponse.text()), Date.now());
    if (monitoringResponse?.ok) {
      const report = await monitoringResponse.json();
      renderService(report.service);
      renderDrift(report.drift);
      renderQuality(report.quality);
      renderExperiment(report.experiment);
    } else {
      document.getElementById('drift-state').textContent = 'Monitoring is off on this service (no monitor configured).';
      document.getElementById('experiment-state').textContent = 'Monitoring is off on this service.';
    }
    refreshes += 1;
    document.body.dataset.refreshes = String(refreshes);
    document.body.dataset.ready = 'true';
    document.getElementById('status').title = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    document.getElementById('status').textContent = `cannot reach the service: ${error.message}`;
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
