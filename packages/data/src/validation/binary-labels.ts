import { MlsdError } from '../errors/mlsd-error.js';

/**
 * The number of 1s in a 0/1 label array: the one label check of every mlsd package. Throws `INVALID_INPUT` at the
 * first label that is not 0 or 1, naming the row, `argument` (e.g. `'y'`) and, when given, the caller `where` (e.g.
 * `'LogisticRegression.fit'`) the message starts with.
 */
export function countPositives(labels: Uint8Array, argument = 'labels', where?: string): number {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label > 1) {
      throw new MlsdError('INVALID_INPUT', `${where === undefined ? '' : `${where}: `}${argument}[${i}] is ${label}; labels must be 0 or 1.`, {
        location: { row: i, field: argument },
      });
    }
    positives += label;
  }
  return positives;
}
