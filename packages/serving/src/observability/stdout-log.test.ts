import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { cardHasher } from './card-hasher.js';
import { decisionLineBuilder, type DecisionLineFormat, type DecisionLineResult } from './decision-line.js';
import { readDecisionRecord, requestNumber, writeDecisionRecord } from './decision-record.js';
import { allocateLogRing } from './log-ring.js';
import { StdoutLog } from './stdout-log.js';

const format: DecisionLineFormat = {
  level: 30,
  bindings: ',"service":"mlsd-serving"',
  idField: 'transactionId',
  fields: [
    { name: 'card', field: 'CUSTOMER_ID', hash: true },
    { name: 'terminalId', field: 'TERMINAL_ID', hash: false },
    { name: 'amount', field: 'TX_AMOUNT', hash: false },
  ],
};
const SALT = 'test-salt';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function tempFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'mlsd-stdout-log-'));
  folders.push(folder);
  return join(folder, 'log.jsonl');
}

/** Every outcome a decision line can report, and fields that are numbers, null or missing. */
const resultArbitrary = fc.record({
  score: fc.double(),
  decision: fc.constantFrom('allow', 'review', 'block'),
  source: fc.constantFrom('model', 'fallback'),
  fallbackReason: fc.option(fc.constantFrom('no-model', 'overload', 'store-timeout', 'invalid-event'), { nil: undefined }),
  modelVersion: fc.option(fc.nat(), { nil: null }),
  latencyMs: fc.double({ min: 0, max: 1000, noNaN: true }),
  late: fc.option(fc.constant(true as const), { nil: undefined }),
  duplicate: fc.option(fc.constant(true as const), { nil: undefined }),
});
const numberOrNull = fc.oneof(fc.double(), fc.integer(), fc.constant(null), fc.constant(undefined));

describe('decision records', () => {
  it('carry every value of a decision line through the ring bit for bit (NaN, -0, nulls, every flag)', () => {
    const ring = allocateLogRing(64);
    const fields = format.fields.map((f) => f.field);
    fc.assert(
      fc.property(fc.nat(), fc.double(), numberOrNull, numberOrNull, numberOrNull, resultArbitrary, (n, id, customer, terminal, amount, result) => {
        const reqId = `req-${n.toString(36)}`;
        const event = { CUSTOMER_ID: customer, TERMINAL_ID: terminal, TX_AMOUNT: amount };
        expect(writeDecisionRecord(ring, 5, 3, fields, 1_700_000_000_123, reqId, id, event, result as DecisionLineResult)).toBe(true);
        const record = readDecisionRecord(ring, 5, () => 3);
        expect(record.channel).toBe(3);
        expect(record.reqId).toBe(reqId);
        expect(Object.is(record.id, id)).toBe(true);
        expect(record.values).toEqual([customer ?? null, terminal ?? null, amount ?? null]);
        const expected: Record<string, unknown> = { ...result };
        for (const key of Object.keys(expected)) if (expected[key] === undefined) delete expected[key];
        expect(record.result).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse what a slot cannot carry, so the line is written as text', () => {
    const ring = allocateLogRing(64);
    const result: DecisionLineResult = { score: 0.5, decision: 'allow', source: 'model', modelVersion: 1, latencyMs: 1 };
    const write = (reqId: string, id: string | number, event: Record<string, unknown>, r = result) =>
      writeDecisionRecord(ring, 0, 0, ['a'], 1, reqId, id, event, r);
    expect(write('req-1', 'tx-1', { a: 1 })).toBe(false);
    expect(write('req-1', 1, { a: 'text' })).toBe(false);
    expect(write('my-own-id', 1, { a: 1 })).toBe(false);
    expect(write('req-01', 1, { a: 1 })).toBe(false);
    expect(write('req-1', 1, { a: 1 }, { ...result, decision: 'escalate' })).toBe(false);
    expect(write('req-z', 1, { a: 1 })).toBe(true);
    expect(requestNumber('req-a1')).toBe(361);
  });
});

describe('StdoutLog', () => {
  it('writes text and decision lines in the order given, each decision line as decisionLineBuilder builds it', async () => {
    const path = tempFile();
    const fd = openSync(path, 'w');
    const log = new StdoutLog(fd);
    const channel = log.decisionChannel(format, SALT);
    const build = decisionLineBuilder(format, cardHasher(SALT));
    const expected: string[] = [];
    const long = `{"msg":"${'é'.repeat(1_100_000)}"}\n`;
    for (let i = 0; i < 40_000; i++) {
      if (i % 997 === 0) {
        const line = `{"level":30,"msg":"text line ${i} ✓"}\n`;
        log.write(line);
        expected.push(line);
      } else if (i === 20_000) {
        // Longer than half the ring: written by the service thread, after everything before it.
        log.write(long);
        expected.push(long);
      } else {
        const event = { CUSTOMER_ID: i % 300, TERMINAL_ID: i % 7 === 0 ? null : i % 1000, TX_AMOUNT: i / 100 };
        const result: DecisionLineResult = {
          score: i / 40_000,
          decision: i % 50 === 0 ? 'block' : 'allow',
          source: 'model',
          modelVersion: 2,
          latencyMs: 0.125,
        };
        const reqId = `req-${(i + 1).toString(36)}`;
        // A string id cannot cross as numbers: the caller writes that line as text, in its place.
        const id = i % 1_000 === 1 ? `tx-${i}` : i;
        if (!channel.push(1_700_000_000_000 + i, reqId, id, event, result))
          log.write(build(1_700_000_000_000 + i, reqId, id, [event.CUSTOMER_ID, event.TERMINAL_ID, event.TX_AMOUNT], result));
        expected.push(build(1_700_000_000_000 + i, reqId, id, [event.CUSTOMER_ID, event.TERMINAL_ID, event.TX_AMOUNT], result));
      }
    }
    await log.close();
    closeSync(fd);
    const written = readFileSync(path, 'utf8');
    expect(written.length).toBe(expected.join('').length);
    expect(written === expected.join('')).toBe(true);
  });

  it('calls back from flush once everything logged before it is written', async () => {
    const path = tempFile();
    const fd = openSync(path, 'w');
    const log = new StdoutLog(fd);
    for (let i = 0; i < 100; i++) log.write(`line ${i}\n`);
    await new Promise<void>((done) => log.flush(() => done()));
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(101);
    await log.close();
    closeSync(fd);
  });

  it('loses no line when the process exits right after logging (the exit listener writes the rest)', () => {
    const module = fileURLToPath(new URL('./stdout-log.ts', import.meta.url));
    const script = [
      `const { StdoutLog } = await import(${JSON.stringify(module)});`,
      'const log = new StdoutLog();',
      "const channel = log.decisionChannel({ level: 30, bindings: '', idField: 'id', fields: [{ name: 'n', field: 'n', hash: false }] }, undefined);",
      'for (let i = 0; i < 30000; i++) {',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the child's own template literal
      '  if (i % 1000 === 0) log.write(`{"text":${i}}\\n`);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the child's own template literal
      "  else channel.push(1, `req-${(i + 1).toString(36)}`, i, { n: i }, { score: 0, decision: 'allow', source: 'model', modelVersion: 1, latencyMs: 0 });",
      '}',
      'process.exit(0);',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@mlsd/source', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(30_000);
    for (let i = 0; i < 30_000; i++) {
      const line = JSON.parse(lines[i]!) as { text?: number; id?: number };
      expect(i % 1000 === 0 ? line.text : line.id).toBe(i);
    }
  });

  it('never splits a line when several processes share one stdout pipe (fraud serve --workers N)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mlsd-stdout-log-'));
    folders.push(folder);
    const module = fileURLToPath(new URL('./stdout-log.ts', import.meta.url));
    // Each process logs 20,000 decision lines and a 300-character text line every 100, as fast as it can.
    const child = join(folder, 'writer.mjs');
    writeFileSync(
      child,
      [
        `const { StdoutLog } = await import(${JSON.stringify(module)});`,
        'const writer = Number(process.argv[2]);',
        // Waits a minute, not a second, for a writer starved of CPU on a loaded machine: dropping is not checked here.
        'const log = new StdoutLog(1, 60000);',
        "const channel = log.decisionChannel({ level: 30, bindings: '', idField: 'id', fields: [{ name: 'w', field: 'w', hash: false }] }, undefined);",
        "const text = JSON.stringify({ writer, text: 'x'.repeat(300) }) + '\\n';",
        'for (let i = 0; i < 20000; i++) {',
        '  if (i % 100 === 0) log.write(text);',
        "  channel.push(1, 'req-' + i, i, { w: writer }, { score: 0.5, decision: 'allow', source: 'model', modelVersion: 1, latencyMs: 0.01 });",
        '}',
        'await log.close();',
      ].join('\n'),
    );
    const node = (writer: number) => `"${process.execPath}" --import tsx --conditions=@mlsd/source "${child}" ${writer}`;
    // This test's event loop reads the pipe, slower than the writers write: the pipe is often full, which is when a
    // write of more than PIPE_BUF bytes is split and interleaved with another process's.
    const shell = spawn('sh', ['-c', `${node(0)} & ${node(1)} & ${node(2)} & wait %1 && wait %2 && wait %3`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    shell.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    shell.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    const code = await new Promise((resolve) => shell.once('exit', resolve));
    expect(code, err).toBe(0);
    const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
    const texts = [0, 0, 0];
    const broken: string[] = [];
    const dropNotices: string[] = [];
    for (const line of out.trimEnd().split('\n')) {
      let record: { w?: number; id?: number; writer?: number; dropped?: number };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        broken.push(line.slice(0, 120));
        continue;
      }
      if (record.dropped !== undefined) dropNotices.push(line);
      else if (record.writer !== undefined) texts[record.writer]!++;
      else seen[record.w!]!.add(record.id!);
    }
    expect(broken).toEqual([]);
    expect(dropNotices, 'lines were dropped: the pipe was not read for a minute').toEqual([]);
    expect(seen.map((ids) => ids.size)).toEqual([20_000, 20_000, 20_000]);
    expect(texts).toEqual([200, 200, 200]);
  }, 60_000);

  it('never stops the service when its destination stops taking lines: drops them after a second without progress and says how many', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'mlsd-stdout-log-'));
    folders.push(folder);
    const fifo = join(folder, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // Read-write and non-blocking: the pipe opens without a reader, and nobody reads it until later (a stalled
    // log shipper): once its 64 KiB are full every write waits.
    const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const log = new StdoutLog(fd);
    const channel = log.decisionChannel({ level: 30, bindings: '', idField: 'id', fields: [] }, undefined);
    const result: DecisionLineResult = { score: 0, decision: 'allow', source: 'model', modelVersion: 1, latencyMs: 0 };
    const started = performance.now();
    for (let i = 0; i < 40_000; i++) expect(channel.push(1, `req-${(i + 1).toString(36)}`, i, {}, result)).toBe(true);
    // One wait of a second for the stalled writer, then every line that finds the ring full is dropped at once.
    expect(performance.now() - started).toBeLessThan(3000);
    // The shipper comes back: everything the ring held is written, then the count of what was dropped.
    const out = join(folder, 'out.jsonl');
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    const done = new Promise((resolve) => reader.once('exit', resolve));
    reader.stdout.pipe(createWriteStream(out));
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    for (let i = 40_000; i < 40_010; i++) channel.push(1, `req-${(i + 1).toString(36)}`, i, {}, result);
    await log.close();
    closeSync(fd);
    await done;
    const lines = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id?: number; dropped?: number; msg: string });
    const written = lines.filter((line) => line.msg === 'scored');
    const reports = lines.filter((line) => line.dropped !== undefined);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.msg).toMatch(/log lines dropped/);
    expect(written.length + reports[0]!.dropped!).toBe(40_010);
    expect(written.at(-1)!.id).toBe(40_009);
    for (let i = 1; i < written.length; i++) expect(written[i]!.id!).toBeGreaterThan(written[i - 1]!.id!);
  });
});
