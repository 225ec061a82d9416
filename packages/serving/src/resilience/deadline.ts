import { MlsdError } from '@mlsd/data';

/**
 * Resolves like `promise`, or rejects with a `TIMEOUT` {@link MlsdError} naming `what` when it has not settled
 * within `timeoutMs`. The underlying operation keeps running (a promise cannot be cancelled); its late result or
 * error is ignored. A synchronous function cannot be interrupted at all: callers measure its elapsed time instead.
 */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        reject(new MlsdError('TIMEOUT', `${what} did not answer within ${timeoutMs.toFixed(1)} ms.`));
      },
      Math.max(0, timeoutMs),
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
