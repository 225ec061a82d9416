import type { Command } from 'commander';
import { registerSimulateCommand } from './simulate.js';
import { registerIngestCommand } from './ingest.js';
import { registerFeaturesCommand } from './features.js';
import { registerTrainCommand } from './train.js';
import { registerEvaluateCommand } from './evaluate.js';
import { registerServeCommand } from './serve.js';
import { registerMonitorCommand } from './monitor.js';
import { registerExperimentCommand } from './experiment.js';
import { registerDemoCommand } from './demo.js';

/**
 * Adds every `fraud` sub-command to `program`, in the order of the framework's steps (data, features, models and
 * evaluation, serving, monitoring), then `demo`, which runs them all; each lives in its own file in this folder.
 */
export function registerCommands(program: Command): void {
  registerSimulateCommand(program);
  registerIngestCommand(program);
  registerFeaturesCommand(program);
  registerTrainCommand(program);
  registerEvaluateCommand(program);
  registerServeCommand(program);
  registerMonitorCommand(program);
  registerExperimentCommand(program);
  registerDemoCommand(program);
}
