import { describe, expect, it } from 'vitest';
import { buildReferenceProfile } from '@mlsd/eval';
import { DriftMonitor, type MonitorLogger } from '@mlsd/monitoring';
import { FEATURE_NAMES, syntheticTraffic } from './test-support/synthetic-traffic.js';

function spyLogger(): MonitorLogger & { warnings: { details: object; message: string }[]; infos: string[] } {
  const warnings: { details: object; message: string }[] = [];
  const infos: string[] = [];
  return { warnings, infos, warn: (details, message) => warnings.push({ details, message }), info: (_d, message) => infos.push(message) };
}

const reference = syntheticTraffic(1, 20000);
const profile = buildReferenceProfile({ features: reference.features, scores: reference.scores });

function feed(monitor: DriftMonitor, events: ReturnType<typeof syntheticTraffic>['events']): void {
  for (const e of events) monitor.add(e.features!.names, e.features!.values, e.result.score, e.transaction.time);
}

describe('DriftMonitor', () => {
  it('reports nothing before minEvents, then every statistic per feature by name', () => {
    const monitor = new DriftMonitor(profile, { windowSize: 1000, step: 100 });
    const { events } = syntheticTraffic(2, 500);
    feed(monitor, events.slice(0, 499));
    expect(monitor.report()).toEqual({ ready: false, events: 499, windowEvents: 499, minEvents: 500 });
    feed(monitor, events.slice(499));
    const report = monitor.report();
    if (!report.ready) throw new Error('the window holds 500 events and must be ready');
    expect(Object.keys(report.features)).toEqual(FEATURE_NAMES);
    const amount = report.features['TX_AMOUNT']!;
    for (const statistic of ['psi', 'ks', 'jensenShannon', 'wasserstein', 'missingRate'] as const) {
      expect(typeof amount[statistic].value).toBe('number');
    }
    expect(report.status).toBe('ok');
  });

  it('stays silent on traffic from the reference period', () => {
    const logger = spyLogger();
    const monitor = new DriftMonitor(profile, { windowSize: 2000, step: 250 }, logger);
    feed(monitor, syntheticTraffic(3, 6000).events);
    expect(logger.warnings).toEqual([]);
    expect(monitor.historyPoints().length).toBe(1 + Math.floor((6000 - 500) / 250));
  });

  it('logs one warning per drifted feature, not one per request, and one line when it recovers', () => {
    const logger = spyLogger();
    const monitor = new DriftMonitor(profile, { windowSize: 1000, step: 100 }, logger);
    feed(monitor, syntheticTraffic(4, 3000, { amountFactor: 2 }).events);
    const warned = logger.warnings.map((w) => (w.details as { feature: string }).feature).sort();
    expect(warned).toEqual(['TX_AMOUNT', 'score']);
    expect(logger.warnings[0]!.message).toMatch(/Drift alert on (TX_AMOUNT|score): psi, ks/);
    const report = monitor.report();
    expect(report.ready && report.features['TX_AMOUNT']!.status).toBe('alert');
    expect(report.ready && report.features['TX_DURING_WEEKEND']!.status).toBe('ok');
    // Back to normal traffic: once the shifted events have left the window, one recovery line per feature.
    feed(monitor, syntheticTraffic(5, 2000, {}, 10000).events);
    expect(logger.infos.filter((m) => m.includes('TX_AMOUNT'))).toHaveLength(1);
    expect(logger.warnings).toHaveLength(2);
  });

  it('counts a profiled feature the event does not carry as missing, and rejects bad options', () => {
    const monitor = new DriftMonitor(profile, { windowSize: 500, step: 500 });
    const names = ['TX_AMOUNT', 'TX_DURING_WEEKEND'];
    for (const e of syntheticTraffic(6, 500).events) monitor.add(names, [e.transaction.amount, 0], e.result.score, 0);
    const report = monitor.report();
    expect(report.ready && report.features['CUSTOMER_ID_NB_TX_1DAY_WINDOW']!.missingRate.status).toBe('alert');
    expect(() => new DriftMonitor(profile, { window: 10 } as never)).toThrow(/unknown option "window".*windowSize, step/);
    expect(() => new DriftMonitor(profile, { windowSize: 100 })).not.toThrow();
    expect(() => new DriftMonitor(profile, { windowSize: 100, minEvents: 200 })).toThrow(/minEvents \(200\) exceeds windowSize \(100\)/);
  });

  it('in background mode computes off the add() call, one feature per turn, to the same report', async () => {
    const { events } = syntheticTraffic(7, 1200, { amountFactor: 1.5 });
    const inline = new DriftMonitor(profile, { windowSize: 1000, step: 100 });
    const logger = spyLogger();
    const background = new DriftMonitor(profile, { windowSize: 1000, step: 100, schedule: 'background' }, logger);
    feed(inline, events.slice(0, 500));
    feed(background, events.slice(0, 500));
    expect(background.report().ready).toBe(false); // due, but not computed inside add()
    await background.whenIdle();
    expect(background.report()).toEqual(inline.report());
    expect(logger.warnings.map((w) => (w.details as { feature: string }).feature).sort()).toEqual(['TX_AMOUNT', 'score']);
    // A recomputation due while one runs is skipped, and the next step catches up.
    feed(inline, events.slice(500));
    for (const e of events.slice(500)) {
      background.add(e.features!.names, e.features!.values, e.result.score, e.transaction.time);
      if (Number(e.transaction.transactionId) % 100 === 0) await background.whenIdle();
    }
    await background.whenIdle();
    expect(background.report()).toEqual(inline.report());
    expect(() => new DriftMonitor(profile, { schedule: 'later' } as never)).toThrow(/"schedule" must be "inline" or "background"/);
  });

  it('with minIntervalMs recomputes at most once per interval, on the first due add() after it', () => {
    const { events } = syntheticTraffic(8, 2500);
    let now = 0;
    const timed = new DriftMonitor(profile, { windowSize: 1000, step: 100, minIntervalMs: 1000, clock: () => now });
    const every = new DriftMonitor(profile, { windowSize: 1000, step: 100 });
    for (const e of events) {
      now += 1; // one event per ms
      timed.add(e.features!.names, e.features!.values, e.result.score, e.transaction.time);
      every.add(e.features!.names, e.features!.values, e.result.score, e.transaction.time);
    }
    // Ready at event 500, then every 100 events; the timed one only once 1000 ms have passed: 500, 1500, 2500.
    expect(every.historyPoints().map((p) => p.events)).toEqual(Array.from({ length: 21 }, (_, i) => 500 + 100 * i));
    expect(timed.historyPoints().map((p) => p.events)).toEqual([500, 1500, 2500]);
    expect(() => new DriftMonitor(profile, { minIntervalMs: -1 })).toThrow(/"minIntervalMs" must be a finite number >= 0/);
  });
});
