#!/usr/bin/env node
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

/** The `fraud` command line: one sub-command per step of the framework (`pnpm fraud --help`). */
const program = new Command()
  .name('fraud')
  .description('Credit-card fraud detection with mlsd: every step of the ML system-design framework.')
  .showHelpAfterError();

registerCommands(program);

await program.parseAsync(process.argv);
