import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MlsdError } from '@mlsd/data';
import { HTTP_STATUS_BY_CODE, toHttpError } from '@mlsd/serving';
import { resolveServiceOptions } from '../config/service-options.js';
import { parseEventTime } from './request-schemas.js';

describe('toHttpError', () => {
  it('maps client mistakes to 4xx with their message and hides internal details behind a generic 500', () => {
    expect(toHttpError(new MlsdError('INVALID_INPUT', 'TX_AMOUNT is negative'))).toMatchObject({ statusCode: 400, message: 'TX_AMOUNT is negative' });
    expect(toHttpError(new MlsdError('NOT_FOUND', 'no fraud/9')).statusCode).toBe(404);
    expect(toHttpError(new MlsdError('UNAVAILABLE', 'store down')).statusCode).toBe(503);
    expect(toHttpError(new MlsdError('TIMEOUT', 'slow')).statusCode).toBe(504);
    expect(toHttpError(new MlsdError('UNAUTHORIZED', 'wrong token'))).toMatchObject({ statusCode: 401, message: 'wrong token', code: 'UNAUTHORIZED' });
    expect(toHttpError(new MlsdError('FORBIDDEN', 'disabled'))).toMatchObject({ statusCode: 403, message: 'disabled', code: 'FORBIDDEN' });
    const internal = toHttpError(new MlsdError('INTERNAL', 'secret path /etc/x'));
    expect(internal).toMatchObject({ statusCode: 500, internal: true });
    expect(internal.message).not.toMatch(/secret/);
    expect(toHttpError(new TypeError('x is undefined'))).toMatchObject({ statusCode: 500, internal: true });
    expect(toHttpError(Object.assign(new Error('Body too large'), { statusCode: 413 }))).toMatchObject({ statusCode: 413, message: 'Body too large' });
  });

  it('has a status for every error code', () => {
    for (const status of Object.values(HTTP_STATUS_BY_CODE)) expect(status >= 400 && status < 600).toBe(true);
    expect(Object.keys(HTTP_STATUS_BY_CODE).sort()).toEqual(
      [
        'CORRUPT_ARTIFACT',
        'INTERNAL',
        'INVALID_INPUT',
        'INVALID_OPTION',
        'IO_ERROR',
        'NOT_FITTED',
        'NOT_FOUND',
        'REJECT_LIMIT',
        'SCHEMA_MISMATCH',
        'TIMEOUT',
        'UNAVAILABLE',
        'UNAUTHORIZED',
        'FORBIDDEN',
      ].sort(),
    );
  });
});

describe('parseEventTime', () => {
  it('reads the Handbook and ISO formats as UTC and rejects impossible dates', () => {
    expect(parseEventTime('2018-04-01 00:00:31')).toBe(Date.UTC(2018, 3, 1, 0, 0, 31));
    expect(parseEventTime('2018-04-01T00:00:31')).toBe(Date.UTC(2018, 3, 1, 0, 0, 31));
    expect(parseEventTime('2018-04-01T00:00:31.250Z')).toBe(Date.UTC(2018, 3, 1, 0, 0, 31, 250));
    expect(parseEventTime(1522540831000)).toBe(1522540831000);
    for (const bad of ['2018-02-30 00:00:00', '2018-04-01 24:00:00', '2018-04-01', 'yesterday', '2018-04-01 00:00:31+02:00']) {
      expect(parseEventTime(bad)).toBeNaN();
    }
  });

  it('agrees with Date on every date-time, valid or rolled over (leap years, month ends, 24:00, 60 s)', () => {
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 1600, max: 2400 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
        fc.constantFrom(' ', 'T'),
        (year, month, day, hour, minute, second, millis, separator) => {
          const text = `${year}-${pad(month, 2)}-${pad(day, 2)}${separator}${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${millis === undefined ? '' : `.${pad(millis, 3)}`}`;
          // The oracle: Date.UTC, valid when its date reads back the same parts (Date rolls Feb 30 over to Mar 2).
          const time = Date.UTC(year, month - 1, day, hour, minute, second, millis ?? 0);
          const back = new Date(time);
          const valid =
            back.getUTCFullYear() === year &&
            back.getUTCMonth() === month - 1 &&
            back.getUTCDate() === day &&
            back.getUTCHours() === hour &&
            back.getUTCMinutes() === minute &&
            back.getUTCSeconds() === second;
          expect(parseEventTime(text)).toBe(valid ? time : Number.NaN);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('resolveServiceOptions', () => {
  const deps = { models: { load: async () => undefined }, features: { forPipeline: () => undefined, ping: async () => {}, close: async () => {} } };

  it('fills in the documented defaults', () => {
    const options = resolveServiceOptions(deps);
    expect(options).toMatchObject({ port: 8080, deadlineMs: 20, modelName: 'fraud', thresholds: { review: 0.5, block: 0.8 } });
    expect(options.overload).toEqual({ maxInFlight: 256, maxEventLoopDelayMs: 100, sampleIntervalMs: 100 });
    // No amount rules by default (issue 14): the fallback has no rules and the wire names are generic.
    expect(options.rules).toEqual({ rules: [] });
    expect(options.api).toEqual({ idField: 'id', labelField: 'label', labelFormat: 'number' });
  });

  it('rejects unknown options naming the valid ones, and bad values naming the option', () => {
    expect(() => resolveServiceOptions({ ...deps, deadlineMS: 5 })).toThrow(/createScoringService: unknown option "deadlineMS"\. Valid options: .*deadlineMs/);
    expect(() => resolveServiceOptions({ ...deps, overload: { maxInflight: 5 } })).toThrow(/"overload.maxInflight"\. Valid options of "overload": maxInFlight/);
    expect(() => resolveServiceOptions({ ...deps, thresholds: { review: 0.9, block: 0.5 } })).toThrow(
      /option "thresholds" is invalid: review must be <= block/,
    );
    expect(() => resolveServiceOptions({ ...deps, adminToken: 'short' })).toThrow(/option "adminToken" is invalid/);
    expect(() => resolveServiceOptions({ features: deps.features })).toThrow(/option "models" is invalid/);
  });
});
