import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** A `fraud serve` child process: its address once listening, its exit, and what it printed so far. */
export interface ServeProcess {
  readonly child: ReturnType<typeof spawn>;
  /** The service's base URL; rejects when the process exits first. */
  readonly listening: Promise<string>;
  readonly exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
}

/** Starts `fraud serve ARGS` as a child process, as `pnpm fraud serve` does (from the repository root). */
export function startServe(args: readonly string[]): ServeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', 'examples/fraud-detection/src/cli.ts', 'serve', ...args], {
    cwd: ROOT,
    env: process.env,
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const listening = new Promise<string>((done, fail) => {
    child.stderr.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) done(match[1]!);
    });
    void exited.then((code) => fail(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  // Tests that expect a failure never await `listening`: keep its rejection handled.
  listening.catch(() => undefined);
  return { child, listening, exited, output: () => ({ stdout, stderr }) };
}
