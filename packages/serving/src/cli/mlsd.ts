#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerServeCommand } from './serve-command.js';
import { relaunchServeWithV8Flags } from './serve-launcher.js';

// `mlsd serve` runs in a child process with the service's V8 flags (serve-launcher.ts); this one only forwards signals.
if (!relaunchServeWithV8Flags(fileURLToPath(import.meta.url))) {
  /** The `mlsd` command line of `@mlsd/serving`: serves any registered model (`mlsd serve --help`). */
  const program = new Command()
    .name('mlsd')
    .description('mlsd: serve any model registered with @mlsd/models, whatever its problem and schema.')
    .showHelpAfterError();

  registerServeCommand(program);

  await program.parseAsync(process.argv);
}
