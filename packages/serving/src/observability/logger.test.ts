import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cardHasher } from './card-hasher.js';

const ROOT = resolve(import.meta.dirname, '../../../..');

describe('cardHasher', () => {
  it('is the first 16 hex digits of SHA-256(salt + card id), the same on a cached second call', () => {
    const hashCard = cardHasher('pepper');
    const expected = createHash('sha256').update('pepper').update('4242').digest('hex').slice(0, 16);
    expect(hashCard(4242)).toBe(expected);
    expect(hashCard(4242)).toBe(expected);
    expect(hashCard(4243)).not.toBe(expected);
  });

  it('keeps answering right past its cache bound (65,536 cards)', () => {
    const hashCard = cardHasher('s');
    const first = hashCard(0);
    for (let card = 1; card <= 70_000; card++) hashCard(card);
    expect(hashCard(0)).toBe(first);
    expect(hashCard(69_999)).toBe(createHash('sha256').update('s69999').digest('hex').slice(0, 16));
  });
});

describe('createServiceLogger on stdout', () => {
  /** Runs `body` in a child Node process with `logger` made by createServiceLogger('info'); resolves with its stdout lines as they came. */
  const runChild = (body: string) =>
    new Promise<{ lines: { at: number; text: string }[]; exitedAt: number }>((resolve, reject) => {
      const script = `import { createServiceLogger } from './packages/serving/src/observability/logger.ts';\nconst logger = createServiceLogger('info');\n${body}`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', '--input-type=module', '-e', script], { cwd: ROOT });
      const started = Date.now();
      const lines: { at: number; text: string }[] = [];
      let pending = '';
      child.stdout.on('data', (chunk: Buffer) => {
        pending += chunk.toString();
        const parts = pending.split('\n');
        pending = parts.pop()!;
        for (const text of parts) lines.push({ at: Date.now() - started, text });
      });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve({ lines, exitedAt: Date.now() - started }) : reject(new Error(`child exited ${code}`))));
    });

  it('writes a buffered line within its flush interval while the process keeps running, not only at exit', async () => {
    const { lines, exitedAt } = await runChild(`logger.info({ n: 1 }, 'one'); setTimeout(() => {}, 1500);`);
    expect(lines.map((l) => JSON.parse(l.text).msg)).toEqual(['one']);
    expect(lines[0]!.at).toBeLessThan(exitedAt - 500);
  }, 20_000);

  it('writes the lines still gathered when the process exits', async () => {
    const { lines } = await runChild(`logger.info('a'); logger.info('b'); logger.warn('c'); process.exit(0);`);
    expect(lines.map((l) => JSON.parse(l.text).msg)).toEqual(['a', 'b', 'c']);
  }, 20_000);

  it('loses no line when the process exits right after logging, and writes error lines at once', async () => {
    const { lines } = await runChild(
      `for (let i = 0; i < 1000; i++) logger.info({ i }, 'many');\nlogger.error('bad');\nprocess.stdout.write('');\nprocess.exit(0);`,
    );
    const texts = lines.map((l) => JSON.parse(l.text));
    expect(texts.filter((t) => t.msg === 'many').map((t) => t.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(texts.at(-1)).toMatchObject({ msg: 'bad', level: 50 });
  }, 20_000);
});
