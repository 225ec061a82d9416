#!/usr/bin/env node
import { Command } from 'commander';
import { registerServeCommand } from './serve-command.js';

/** The `mlsd` command line of `@mlsd/serving`: serves any registered model (`mlsd serve --help`). */
const program = new Command()
  .name('mlsd')
  .description('mlsd: serve any model registered with @mlsd/models, whatever its problem and schema.')
  .showHelpAfterError();

registerServeCommand(program);

await program.parseAsync(process.argv);
