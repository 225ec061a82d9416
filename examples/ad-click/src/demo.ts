import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAdClick } from './run-pipeline.js';

/**
 * `pnpm --filter @mlsd/ad-click demo` (or `pnpm ad-click`): the seven steps at demo scale, `MLSD_AD_CLICK_SCALE=small`
 * for the test's scale. The working directory is `$MLSD_AD_CLICK_DIR`, default a folder in the system temp dir.
 */
const small = process.env['MLSD_AD_CLICK_SCALE'] === 'small';
const dir = process.env['MLSD_AD_CLICK_DIR'] ?? join(tmpdir(), 'mlsd-ad-click');
const summary = await runAdClick({
  simulation: small
    ? { users: 120, ads: 30, days: 10, impressionsPerUserDay: 6, seed: 7 }
    : { users: 1500, ads: 200, days: 14, impressionsPerUserDay: 8, seed: 7 },
  dir,
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`done in ${summary.seconds.toFixed(1)} s; registry in ${join(dir, 'registry')}\n`);
