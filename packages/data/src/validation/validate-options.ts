import { MlsdError } from '../errors/mlsd-error.js';

/**
 * A check on one option value.
 *
 * - A number rule (`{ min, max, integer, ... }`) requires a finite number in range; bounds are inclusive unless
 *   `minExclusive` / `maxExclusive` is set.
 * - `{ oneOf: [...] }` requires one of the listed values (compared with `===`).
 * - A function returns `undefined` when the value is valid, or a phrase saying what it must be
 *   (e.g. `'an array of positive integers'`), which ends up in the error message.
 */
export type OptionRule =
  | {
      readonly min?: number;
      readonly max?: number;
      readonly minExclusive?: boolean;
      readonly maxExclusive?: boolean;
      readonly integer?: boolean;
      /** Also accept `null` (e.g. "no limit"). */
      readonly nullable?: boolean;
    }
  | { readonly oneOf: readonly unknown[] }
  | ((value: unknown) => string | undefined);

/** Rules for some or all of the options in `T`. */
export type OptionRules<T> = { readonly [K in keyof T]?: OptionRule };

/**
 * Checks an options object and fills in defaults: the one options check of every mlsd package (model
 * constructors, splits, ingestion, monitors, metrics).
 *
 * - `given` may be `undefined` (all defaults); keys whose value is `undefined` take the default.
 * - A key not in `defaults` is rejected with `INVALID_OPTION`, naming the valid options.
 * - A value whose type differs from its default's (number, string, boolean, array) is rejected, unless the
 *   default is `null`/`undefined` or a rule decides instead (a function or `oneOf` rule replaces the type check;
 *   a number rule with `nullable` also accepts `null`).
 * - Each rule in `rules` is then applied; a failure names the kind, the option, the bound and the value given.
 *
 * Returns a new object: the defaults overridden by the given values. `kind` only appears in messages.
 */
export function validateOptions<T extends object>(kind: string, given: Partial<T> | undefined, defaults: T, rules: OptionRules<T> = {}): T {
  if (given === undefined) return { ...defaults };
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new MlsdError('INVALID_OPTION', `${kind}: options must be an object, got ${describe(given)}. Pass e.g. {} for the defaults.`);
  }
  const validKeys = Object.keys(defaults);
  const result = { ...defaults } as Record<string, unknown>;
  for (const [key, value] of Object.entries(given)) {
    if (!Object.hasOwn(defaults, key)) {
      throw new MlsdError('INVALID_OPTION', `${kind}: unknown option "${key}". Valid options: ${validKeys.join(', ')}.`, { location: { field: key } });
    }
    if (value === undefined) continue;
    const rule = (rules as Record<string, OptionRule | undefined>)[key];
    const problem = checkValue(value, (defaults as Record<string, unknown>)[key], rule);
    if (problem !== undefined) {
      throw new MlsdError('INVALID_OPTION', `${kind}: option "${key}" must be ${problem}, got ${describe(value)}.`, {
        location: { field: key },
      });
    }
    result[key] = value;
  }
  return result as T;
}

function checkValue(value: unknown, defaultValue: unknown, rule: OptionRule | undefined): string | undefined {
  if (typeof rule === 'function') return rule(value);
  if (rule !== undefined && 'oneOf' in rule) {
    return rule.oneOf.includes(value) ? undefined : `one of ${rule.oneOf.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (rule !== undefined) {
    if (value === null && rule.nullable === true) return undefined;
    return checkNumber(value, rule);
  }
  return checkSameType(value, defaultValue);
}

function checkNumber(
  value: unknown,
  rule: Exclude<OptionRule, ((value: unknown) => string | undefined) | { readonly oneOf: readonly unknown[] }>,
): string | undefined {
  const parts: string[] = [rule.integer === true ? 'an integer' : 'a finite number'];
  if (rule.min !== undefined) parts.push(`${rule.minExclusive === true ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.maxExclusive === true ? '<' : '<='} ${rule.max}`);
  if (rule.nullable === true) parts.push('or null');
  const expected = parts.join(' ');
  if (typeof value !== 'number' || !Number.isFinite(value)) return expected;
  if (rule.integer === true && !Number.isInteger(value)) return expected;
  if (rule.min !== undefined && (rule.minExclusive === true ? value <= rule.min : value < rule.min)) return expected;
  if (rule.max !== undefined && (rule.maxExclusive === true ? value >= rule.max : value > rule.max)) return expected;
  return undefined;
}

function checkSameType(value: unknown, defaultValue: unknown): string | undefined {
  if (defaultValue === null || defaultValue === undefined) return undefined;
  if (Array.isArray(defaultValue)) return Array.isArray(value) ? undefined : 'an array';
  const expected = typeof defaultValue;
  if (expected === 'number') return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a finite number';
  if (typeof value !== expected) return `a ${expected}`;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => describe(v)).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return 'an object';
    }
  }
  return String(value);
}

/**
 * Throws `INVALID_OPTION` for the first key of `given` that is not in `validKeys`, naming the valid ones, worded as
 * {@link validateOptions} words it. For option objects whose values are checked elsewhere (nested or typed options).
 * `given` may be `undefined`.
 */
export function rejectUnknownOptions(kind: string, given: object | undefined, validKeys: readonly string[]): void {
  if (given === undefined) return;
  for (const key of Object.keys(given)) {
    if (!validKeys.includes(key)) {
      throw new MlsdError('INVALID_OPTION', `${kind}: unknown option "${key}". Valid options: ${validKeys.join(', ')}.`, {
        location: { field: key },
      });
    }
  }
}
