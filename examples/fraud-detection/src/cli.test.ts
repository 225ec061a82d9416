import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './command-table.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** Runs the CLI's source as a process (`fraud ARGS`), returning its output and exit code. */
async function fraud(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', 'examples/fraud-detection/src/cli.ts', ...args], {
      cwd: ROOT,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe('the fraud command line', () => {
  it('loads, for every row of the command table, a module that registers exactly that command', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const program = new Command();
      (await entry.load())(program);
      expect(program.commands.map((command) => command.name())).toEqual([name]);
    }
  });

  it('lists every command with its summary in the top-level help', async () => {
    const { stdout, code } = await fraud(['--help']);
    expect(code).toBe(0);
    for (const [name, { summary }] of Object.entries(COMMANDS)) {
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
      expect(stdout.replace(/\s+/g, ' ')).toContain(summary);
    }
  });

  it("shows a command's own flags with `fraud help NAME` and `fraud NAME --help`", async () => {
    for (const args of [
      ['help', 'ingest'],
      ['ingest', '--help'],
    ]) {
      const { stdout, code } = await fraud(args);
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: fraud ingest');
      expect(stdout).toContain('--max-reject-ratio');
    }
  });

  it('fails with a clear message for an unknown command', async () => {
    const { stderr, code } = await fraud(['fly']);
    expect(code).not.toBe(0);
    expect(stderr).toContain("unknown command 'fly'");
  });
});
