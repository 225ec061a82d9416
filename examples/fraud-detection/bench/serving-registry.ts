import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The traffic file and the registry the serving benchmarks serve, and the roles `fraud train` gave its models. */
export interface ServingRegistry {
  /** The simulator's CSV, replayed as traffic. */
  readonly transactions: string;
  /** The registry folder `fraud serve --registry` reads. */
  readonly registry: string;
  readonly roles: { readonly champion: string; readonly challenger: string | null };
}

/**
 * Builds what the serving benchmarks serve, through the CLI as a user would (`cli` is `bin/fraud.mjs`, run from
 * `root`): `fraud simulate` at a small scale (1,000 cards, 2,000 terminals, 50 days, seed 0) into `folder`, then
 * `fraud train --models lr,gbdt`, which makes the gradient-boosted trees champion and the logistic regression the
 * challenger scored in shadow. Throws with the command's stderr when one fails.
 */
export function trainServingRegistry(cli: string, root: string, folder: string): ServingRegistry {
  const fraud = (...args: string[]): string => {
    const done = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
    if (done.status !== 0) throw new Error(`fraud ${args.join(' ')} failed: ${done.stderr}`);
    return done.stdout;
  };
  const transactions = join(folder, 'transactions.csv');
  const registry = join(folder, 'train');
  fraud('simulate', '--customers', '1000', '--terminals', '2000', '--days', '50', '--seed', '0', '--out', transactions);
  const trained = fraud('train', '--input', transactions, '--out', registry, '--train-start', '2018-04-20', '--models', 'lr,gbdt');
  const roles = JSON.parse(trained.slice(trained.indexOf('{'))) as ServingRegistry['roles'];
  return { transactions, registry, roles };
}
