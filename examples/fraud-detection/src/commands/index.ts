import type { Command } from 'commander';
import { registerEvaluateCommand } from './evaluate.js';
import { registerTrainCommand } from './train.js';
import { registerDemoCommand } from './demo.js';
import { registerMonitorCommand } from './monitor.js';
import { registerExperimentCommand } from './experiment.js';
import { registerFeaturesCommand } from './features.js';
import { registerSimulateCommand } from './simulate.js';
import { registerIngestCommand } from './ingest.js';
import { registerServeCommand } from './serve.js';

/** Adds every `fraud` sub-command to `program`; each lives in its own file in this folder. */
export function registerCommands(program: Command): void {
  void program;
  registerMonitorCommand(program);
  registerExperimentCommand(program);
  registerFeaturesCommand(program);
  registerTrainCommand(program);
  registerEvaluateCommand(program);
  registerSimulateCommand(program);
  registerIngestCommand(program);
  registerDemoCommand(program);
  registerServeCommand(program);
}
