import { describe, expect, it } from 'vitest';
import { CircuitBreaker, LoadShedder, withDeadline } from './index.js';
import { isMlsdError } from '@mlsd/data';

describe('CircuitBreaker', () => {
  it('opens after the threshold, refuses during the cool-down, lets one probe through, closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 1000, now: () => now });
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.success();
    // A success resets the count: three more consecutive failures are needed.
    breaker.failure();
    breaker.failure();
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    now = 999;
    expect(breaker.tryAcquire()).toBe(false);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('re-opens for twice the cool-down when the probe fails, up to the maximum, and resets on success (issue 13)', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 100, maxCoolDownMs: 300, now: () => now });
    breaker.failure();
    now = 150;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect([breaker.state, breaker.currentCoolDownMs]).toEqual(['open', 200]);
    now = 349;
    expect(breaker.tryAcquire()).toBe(false);
    now = 350;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.currentCoolDownMs).toBe(300);
    now = 650;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.currentCoolDownMs).toBe(300);
    now = 950;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.success();
    expect([breaker.state, breaker.currentCoolDownMs]).toEqual(['closed', 100]);
  });

  it('probes a recovered dependency within 250 ms by default, and gives up a probe that never reports', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, now: () => now });
    breaker.failure();
    now = 249;
    expect(breaker.tryAcquire()).toBe(false);
    now = 250;
    expect(breaker.tryAcquire()).toBe(true);
    // The probe is lost (its caller never reports): after another cool-down a new probe may go.
    expect(breaker.tryAcquire()).toBe(false);
    now = 500;
    expect(breaker.tryAcquire()).toBe(true);
  });
});

describe('LoadShedder', () => {
  it('does not shed for the stalls of excused work (a reload), but still for the in-flight bound (issue 13)', async () => {
    let delay = 0;
    const shedder = new LoadShedder({ maxInFlight: 1, maxEventLoopDelayMs: 100, sampleIntervalMs: 10, measureDelayMs: () => delay });
    const reload = shedder.excuseStalls(async () => {
      delay = 300;
      shedder.sample();
      expect(shedder.tryEnter()).toBe(true);
      expect(shedder.tryEnter()).toBe(false);
      shedder.leave();
    });
    await reload;
    // The stall shows in the sample after the work: still excused.
    shedder.sample();
    expect(shedder.tryEnter()).toBe(true);
    shedder.leave();
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Afterwards a stall sheds again.
    shedder.sample();
    expect(shedder.tryEnter()).toBe(false);
  });

  it('refuses beyond the in-flight limit and admits again once a request leaves', () => {
    const shedder = new LoadShedder({ maxInFlight: 2 });
    expect(shedder.tryEnter()).toBe(true);
    expect(shedder.tryEnter()).toBe(true);
    expect(shedder.tryEnter()).toBe(false);
    expect(shedder.inFlight).toBe(2);
    shedder.leave();
    expect(shedder.tryEnter()).toBe(true);
  });

  it('sheds while one of the two latest event-loop delay samples is above the bound', () => {
    const samples = [5, 120, 10, 8];
    const shedder = new LoadShedder({ maxEventLoopDelayMs: 100, measureDelayMs: () => samples.shift() ?? 0 });
    shedder.sample();
    expect(shedder.tryEnter()).toBe(true);
    shedder.leave();
    shedder.sample();
    expect(shedder.eventLoopDelayMs).toBe(120);
    expect(shedder.tryEnter()).toBe(false);
    shedder.sample();
    expect(shedder.tryEnter()).toBe(false);
    shedder.sample();
    expect(shedder.eventLoopDelayMs).toBe(10);
    expect(shedder.tryEnter()).toBe(true);
  });
});

describe('withDeadline', () => {
  it('passes a timely result and error through and rejects a late one with TIMEOUT naming the operation', async () => {
    await expect(withDeadline(Promise.resolve(4), 50, 'x')).resolves.toBe(4);
    await expect(withDeadline(Promise.reject(new Error('boom')), 50, 'x')).rejects.toThrow('boom');
    const late = new Promise((resolve) => setTimeout(resolve, 200));
    const error = await withDeadline(late, 5, 'The feature store').catch((e: unknown) => e);
    expect(isMlsdError(error, 'TIMEOUT')).toBe(true);
    expect((error as Error).message).toMatch(/The feature store did not answer within 5.0 ms/);
  });
});
