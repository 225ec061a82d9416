import type { Command } from 'commander';

/** Adds one sub-command (its flags, help and action) to a program. */
export type RegisterCommand = (program: Command) => void;

/** One `fraud` sub-command: a one-line summary for the top-level help, and how to load its module. */
export interface CommandEntry {
  /** Shown in `fraud --help` beside the name; the command's own `--help` shows its full description. */
  readonly summary: string;
  /** Imports the command's module (and with it only the packages that command needs). */
  readonly load: () => Promise<RegisterCommand>;
}

/**
 * Every `fraud` sub-command, in the order of the framework's steps, then `demo`. The CLI imports a command's
 * module only when that command runs, so `fraud --help` and a light command never load DuckDB, the models or
 * the HTTP stack. To add a command: write `commands/<name>.ts` exporting its register function, add a row here.
 */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  simulate: {
    summary: 'simulate card transactions (the Fraud Detection Handbook generator) into a file',
    load: async () => (await import('./commands/simulate.js')).registerSimulateCommand,
  },
  ingest: {
    summary: 'validate a transactions file; write the valid rows and the rejects',
    load: async () => (await import('./commands/ingest.js')).registerIngestCommand,
  },
  features: {
    summary: 'compute the 15 Handbook features for every transaction of a file',
    load: async () => (await import('./commands/features.js')).registerFeaturesCommand,
  },
  train: {
    summary: 'train the baseline and the upgrades, evaluate them on the test week, register them',
    load: async () => (await import('./commands/train.js')).registerTrainCommand,
  },
  evaluate: {
    summary: 'score a CSV of predictions (ROC AUC, average precision, Card Precision@k, …)',
    load: async () => (await import('./commands/evaluate.js')).registerEvaluateCommand,
  },
  score: {
    summary: 'score a transactions file with a registered model; writes the predictions fraud evaluate reads',
    load: async () => (await import('./commands/score.js')).registerScoreCommand,
  },
  serve: {
    summary: "serve the registry's champion over HTTP with a rules fallback",
    load: async () => (await import('./commands/serve.js')).registerServeCommand,
  },
  materialize: {
    summary: "load the champion's online feature state from a transactions file into Redis or a snapshot file",
    load: async () => (await import('./commands/materialize.js')).registerMaterializeCommand,
  },
  monitor: {
    summary: 'drift and live quality from a prediction log, against the reference profile',
    load: async () => (await import('./commands/monitor.js')).registerMonitorCommand,
  },
  experiment: {
    summary: 'champion/challenger experiment result from a prediction log',
    load: async () => (await import('./commands/experiment.js')).registerExperimentCommand,
  },
  demo: {
    summary: 'run every step of the framework end to end',
    load: async () => (await import('./commands/demo.js')).registerDemoCommand,
  },
};
