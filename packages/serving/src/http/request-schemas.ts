import { MlsdError } from '@mlsd/data';
import { z } from 'zod';

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z?$/;

/**
 * Parses an event time as `2018-04-01 00:00:31`, or ISO `2018-04-01T00:00:31[.sss][Z]` (always UTC), or epoch
 * milliseconds; NaN when it is not a valid date-time.
 */
export function parseEventTime(value: string | number): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  const m = DATETIME.exec(value);
  if (m === null) return Number.NaN;
  // Every event's time goes through here: the parts are checked by range, not by a Date read back.
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const millis = m[7] === undefined ? 0 : Math.round(Number(m[7]) * 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/** Days in `month` (1–12) of `year`, in the proleptic Gregorian calendar (`Date`'s). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const inferTensor = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().min(0)).length(2, 'expected [rows, features]'),
  datatype: z.enum(['FP32', 'FP64'], 'expected FP32 (or FP64)'),
  data: z.array(z.unknown()),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

/** `POST /v2/models/{name}/infer`: the Open Inference Protocol's inference request, one [N, F] input. */
export const inferRequestSchema = z.object({
  id: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  inputs: z.array(inferTensor).length(1, 'expected exactly one input tensor of feature rows [N, F]'),
  outputs: z.array(z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() })).optional(),
});

/** The parsed inference request. */
export type InferRequest = z.output<typeof inferRequestSchema>;

/**
 * Parses `body` with `schema`, or throws `INVALID_INPUT` naming the first problem's field (and batch item) and
 * what was expected, e.g. `TX_AMOUNT of item 3: Too small: expected number to be >=0`.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  const itemIndex = typeof issue.path[0] === 'number' ? (issue.path[0] as number) : undefined;
  const fieldPath = (itemIndex === undefined ? path : path.slice(1)).join('.');
  const where = (fieldPath === '' ? 'the body' : `field '${fieldPath}'`) + (itemIndex === undefined ? '' : ` of item ${itemIndex}`);
  throw new MlsdError('INVALID_INPUT', `Invalid ${what}: ${where}: ${issue.message}.`, {
    location: { field: fieldPath === '' ? 'body' : fieldPath, ...(itemIndex === undefined ? {} : { row: itemIndex }) },
  });
}

/**
 * The [N, F] feature rows of an inference input as a row-major typed array (Float32Array for FP32), accepting the
 * protocol's flat row-major `data` or one level of nested rows. The shape is bounded by the body: `rows × cols` must
 * equal the number of values sent and be at most `maxValues`, checked before anything is allocated (a shape of
 * `[100000, 100000]` with a short `data` is a 400, not a 10^10-element allocation). Throws `INVALID_INPUT` when the
 * count does not match the shape, the data nests deeper than rows, or a value is not a finite number.
 */
export function inferRows(tensor: InferRequest['inputs'][number], maxValues: number): { data: Float32Array | Float64Array; rows: number; cols: number } {
  const [rows, cols] = tensor.shape as [number, number];
  let count = 0;
  for (const item of tensor.data) {
    if (!Array.isArray(item)) count += 1;
    else {
      for (const value of item) {
        if (Array.isArray(value)) {
          throw new MlsdError(
            'INVALID_INPUT',
            'Invalid inference request: inputs[0].data nests deeper than rows of numbers; send flat row-major data or rows.',
            {
              location: { field: 'inputs[0].data' },
            },
          );
        }
      }
      count += item.length;
    }
  }
  if (rows * cols !== count || count > maxValues) {
    throw new MlsdError(
      'INVALID_INPUT',
      `Invalid inference request: inputs[0] has shape [${rows}, ${cols}] (${rows * cols} values) but data holds ${count} values` +
        (count > maxValues ? `, above the limit of ${maxValues} values per request; split the rows` : '; the shape must match the data') +
        '.',
      { location: { field: 'inputs[0].shape' } },
    );
  }
  const data = tensor.datatype === 'FP32' ? new Float32Array(count) : new Float64Array(count);
  let n = 0;
  const put = (value: unknown): void => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new MlsdError('INVALID_INPUT', `Invalid inference request: inputs[0].data[${n}] is ${JSON.stringify(value)}, expected a finite number.`, {
        location: { field: 'inputs[0].data' },
      });
    }
    data[n++] = value;
  };
  for (const item of tensor.data) {
    if (Array.isArray(item)) for (const value of item) put(value);
    else put(item);
  }
  return { data, rows, cols };
}
