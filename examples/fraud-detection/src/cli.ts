#!/usr/bin/env node
import { Command } from 'commander';
import { COMMANDS } from './command-table.js';

/**
 * The `fraud` command line: one sub-command per step of the framework (`pnpm fraud --help`). Only the module of
 * the command being run is imported; the top-level help lists the commands from their summaries alone.
 */
const program = new Command()
  .name('fraud')
  .description('Credit-card fraud detection with mlsd: every step of the ML system-design framework.')
  .showHelpAfterError();

const args = process.argv.slice(2);
const requested = args[0] === 'help' ? args[1] : args[0];
const entry = requested === undefined ? undefined : COMMANDS[requested];
if (entry !== undefined) {
  const register = await entry.load();
  register(program);
  program.commands.at(-1)?.summary(entry.summary);
} else {
  // Help, or an unknown command: list every command by its summary without loading any of them.
  for (const [name, { summary }] of Object.entries(COMMANDS)) program.command(name).summary(summary).allowUnknownOption();
}

await program.parseAsync(process.argv);
