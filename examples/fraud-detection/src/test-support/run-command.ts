import { Command } from 'commander';
import { vi } from 'vitest';

/** What a `fraud` command printed, and how it exited. */
export interface CommandRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * Runs `fraud ARGS` in process through commander, as cli.ts does, with only the commands that `register` adds,
 * capturing stdout, stderr and the exit code.
 */
export async function runCommand(register: (program: Command) => void, args: readonly string[]): Promise<CommandRun> {
  const program = new Command().name('fraud').exitOverride();
  register(program);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  const previous = process.exitCode;
  process.exitCode = 0;
  let exitCode = 0;
  try {
    await program.parseAsync(['node', 'fraud', ...args]);
    exitCode = Number(process.exitCode ?? 0);
  } catch (error) {
    exitCode = (error as { exitCode?: number }).exitCode ?? 1;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = previous;
  }
  return { stdout: stdout.join(''), stderr: stderr.join(''), exitCode };
}
