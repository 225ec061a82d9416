import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The model registry folder a `--registry DIR` flag means: DIR itself, or `DIR/registry` when DIR is the output
 * folder of `fraud train` / `fraud demo` (it holds `registry/` and no registered model of its own), so both
 * `--registry out/registry` and `--registry out` work.
 */
export function registryDir(dir: string): string {
  const nested = join(dir, 'registry');
  return existsSync(nested) && !existsSync(join(dir, 'fraud')) ? nested : dir;
}
