import { toMlsdError } from '@mlsd/data';

/**
 * Runs a command's work and turns any failure into one line on stderr (`error: <message>`, no stack trace for
 * an expected MlsdError) and a non-zero exit code, so that scripts calling `pnpm fraud …` can rely on both.
 * Set `MLSD_DEBUG=1` to print the stack of unexpected errors too.
 */
export async function runAction(command: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const failure = toMlsdError(error, `${command} failed`);
    process.stderr.write(`error: ${failure.message}\n`);
    if (process.env['MLSD_DEBUG'] === '1' && failure.cause instanceof Error) process.stderr.write(`${failure.cause.stack}\n`);
    process.exitCode = 1;
  }
}
