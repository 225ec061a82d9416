import { MlsdError } from '@mlsd/data';

/** A parsed registry reference: `name@alias` or `name/version`. */
export type ModelRef =
  | { readonly name: string; readonly alias: string; readonly version?: undefined }
  | { readonly name: string; readonly version: number; readonly alias?: undefined };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ALIAS = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Throws `INVALID_INPUT` unless `name` is a valid registry model name (letters, digits, `.`, `_`, `-`). */
export function checkModelName(name: string): void {
  if (!NAME.test(name) || name.length > 100) {
    throw new MlsdError(
      'INVALID_INPUT',
      `Model name ${JSON.stringify(name)} is not valid: use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit.`,
      { location: { field: 'name' } },
    );
  }
}

/** Throws `INVALID_INPUT` unless `alias` is a valid alias (a letter, then letters, digits, `_`, `-`). */
export function checkAlias(alias: string): void {
  if (!ALIAS.test(alias) || alias.length > 100) {
    throw new MlsdError('INVALID_INPUT', `Alias ${JSON.stringify(alias)} is not valid: use a letter followed by letters, digits, "_" or "-" (e.g. champion).`, {
      location: { field: 'alias' },
    });
  }
}

/**
 * Parses `name@alias` (e.g. `fraud@champion`; the alias `latest` always means the newest version) or
 * `name/version` (e.g. `fraud/3`, version a whole number >= 1). Throws `INVALID_INPUT` on anything else.
 */
export function parseModelRef(ref: string): ModelRef {
  const at = ref.lastIndexOf('@');
  const slash = ref.lastIndexOf('/');
  if (at > 0 && slash < 0) {
    const name = ref.slice(0, at);
    const alias = ref.slice(at + 1);
    checkModelName(name);
    checkAlias(alias);
    return { name, alias };
  }
  if (slash > 0 && at < 0) {
    const name = ref.slice(0, slash);
    const text = ref.slice(slash + 1);
    checkModelName(name);
    const version = Number(text);
    if (/^[1-9][0-9]*$/.test(text) && Number.isSafeInteger(version)) return { name, version };
  }
  throw new MlsdError(
    'INVALID_INPUT',
    `Model reference ${JSON.stringify(ref)} is not valid: write name@alias (e.g. fraud@champion, fraud@latest) or name/version (e.g. fraud/3).`,
    { location: { field: 'ref' } },
  );
}
