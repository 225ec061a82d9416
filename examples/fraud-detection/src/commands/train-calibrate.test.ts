import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateTransactions, writeTable } from '@mlsd/data';
import { CalibratedClassifier, FileModelRegistry } from '@mlsd/models';
import { registerTrainCommand } from './train.js';
import { runCommand } from '../test-support/run-command.js';

let dir: string;
let input: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlsd-train-calibrate-'));
  input = join(dir, 'tx.parquet');
  await writeTable(simulateTransactions({ customers: 600, terminals: 1200, days: 57, start: '2018-06-20', seed: 3 }), input);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fraud train --calibrate', () => {
  it('registers calibrated models and reports log loss, Brier and reliability before and after', async () => {
    const out = join(dir, 'calibrated');
    const plain = join(dir, 'plain');
    const args = ['train', '--input', input, '--models', 'lr,gbdt', '--seed', '3'];
    const { exitCode, stderr } = await runCommand(registerTrainCommand, [...args, '--out', out, '--calibrate', 'auto']);
    expect(stderr).not.toMatch(/error/);
    expect(exitCode).toBe(0);
    expect((await runCommand(registerTrainCommand, [...args, '--out', plain])).exitCode).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    const before = JSON.parse(await readFile(join(plain, 'report.json'), 'utf8'));
    // Every field of the uncalibrated report is still there, with the same values; calibration is added last.
    expect(Object.keys(report)).toEqual([...Object.keys(before), 'calibration']);
    // Wall times differ between runs; everything else is the uncalibrated model's.
    const untimed = (models: Record<string, unknown>[]) => models.map(({ fitSeconds: _f, predictSeconds: _p, ...rest }) => rest);
    expect(untimed(report.models)).toEqual(untimed(before.models));
    const { calibration } = report;
    expect(calibration.requested).toBe('auto');
    expect(calibration.fitRows + calibration.evaluationRows).toBe(report.split.testRows);
    expect(calibration.models.map((m: { model: string }) => m.model)).toEqual(['lr', 'gbdt']);
    const registry = new FileModelRegistry(join(out, 'registry'));
    for (const m of calibration.models) {
      expect(['platt', 'isotonic', 'none']).toContain(m.method);
      expect(m.candidates.map((c: { method: string }) => c.method)).toEqual(['none', 'platt', 'isotonic']);
      for (const side of [m.before, m.after]) {
        expect(side.logLoss).toBeGreaterThan(0);
        expect(side.brier).toBeGreaterThan(0);
        expect(side.reliability.length).toBeGreaterThan(0);
      }
      // The registered model carries the calibration that was reported.
      const version = report.models.find((r: { name: string }) => r.name === m.model).registryVersion;
      const { model } = await registry.load(`fraud/${version}`);
      expect(model).toBeInstanceOf(CalibratedClassifier);
      expect((model as CalibratedClassifier).calibration?.method ?? 'none').toBe(m.method);
    }
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('# Calibration');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Calibration before and after');
    expect(html.indexOf('Calibration before and after')).toBeLessThan(html.indexOf('</body>'));
  }, 300_000);

  it('refuses an unknown method, naming the valid ones', async () => {
    const { exitCode, stderr } = await runCommand(registerTrainCommand, ['train', '--input', input, '--out', join(dir, 'x'), '--calibrate', 'beta']);
    expect(exitCode).not.toBe(0);
    expect(stderr).toMatch(/platt, isotonic, auto, none/);
  });
});
