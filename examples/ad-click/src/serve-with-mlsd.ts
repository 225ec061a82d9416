import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A running `mlsd serve` process. */
export interface MlsdProcess {
  readonly url: string;
  /** Sends SIGTERM and resolves with the exit code once the service has drained and stopped. */
  stop(): Promise<number | null>;
}

const SERVING = fileURLToPath(new URL('../../../packages/serving/', import.meta.url));

/**
 * Starts `mlsd serve ARGS` (the `@mlsd/serving` package's bin) as a child process and resolves once it listens. In
 * this workspace it runs the bin's TypeScript source through tsx (the same code as the compiled `dist/cli/mlsd.js`,
 * never a stale build); installed from the registry, only the compiled bin exists and is used.
 */
export async function startMlsdServe(args: readonly string[]): Promise<MlsdProcess> {
  const source = `${SERVING}src/cli/mlsd.ts`;
  const command = existsSync(source)
    ? ['--import', 'tsx', '--conditions=@mlsd/source', source, 'serve', ...args]
    : [`${SERVING}dist/cli/mlsd.js`, 'serve', ...args];
  const child: ChildProcess = spawn(process.execPath, command, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match !== null) done(match[1]!);
    });
    void exited.then((code) => fail(new Error(`mlsd serve exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
