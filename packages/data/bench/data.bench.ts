import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest, simulateTransactions, TRANSACTION_SCHEMA, writeTable } from '@mlsd/data';

// The data stage at full scale (the Handbook's 5000 customers, 10 000 terminals, 183 days; MLSD_BENCH_SCALE=small:
// 500 / 1000 / 60): simulate, write CSV and Parquet, ingest both back. Writes bench/results/data.json at the repo
// root. Timings are wall clock on a shared machine: noisy and pessimistic.
const small = process.env['MLSD_BENCH_SCALE'] === 'small';
const options = small ? { customers: 500, terminals: 1000, days: 60, seed: 0 } : { seed: 0 };

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

const cpuStart = process.cpuUsage();
let start = performance.now();
const table = simulateTransactions(options);
const simulateSeconds = seconds(start);
const simulateCpu = process.cpuUsage(cpuStart);
const simulateCpuSeconds = (simulateCpu.user + simulateCpu.system) / 1e6;
// maxRSS (KiB) is the peak of the whole process so far: the simulator plus Node and module loading.
const simulatePeakRssMiB = process.resourceUsage().maxRSS / 1024;

const scenario = table.numeric('TX_FRAUD_SCENARIO');
const byScenario = [0, 0, 0, 0];
for (let i = 0; i < scenario.length; i++) byScenario[scenario[i]!]!++;
const frauds = byScenario[1]! + byScenario[2]! + byScenario[3]!;
const fraudRate = frauds / table.rowCount;

const folder = mkdtempSync(join(tmpdir(), 'mlsd-data-bench-'));
type IoResult = {
  writeSeconds: number;
  bytes: number;
  ingestSeconds: number;
  /** CPU seconds of the process (DuckDB's threads included): less sensitive to other jobs than wall time. */
  ingestCpuSeconds: number;
  ingestRowsPerSecond: number;
  acceptedRows: number;
  rejectedRows: number;
};
const io: Record<string, IoResult> = {};
try {
  for (const format of ['csv', 'parquet']) {
    const path = join(folder, `transactions.${format}`);
    start = performance.now();
    await writeTable(table, path);
    const writeSeconds = seconds(start);
    start = performance.now();
    const cpu = process.cpuUsage();
    const result = await ingest(path, { schema: TRANSACTION_SCHEMA });
    const ingestSeconds = seconds(start);
    const ingestCpu = process.cpuUsage(cpu);
    io[format] = {
      writeSeconds,
      bytes: statSync(path).size,
      ingestSeconds,
      ingestCpuSeconds: (ingestCpu.user + ingestCpu.system) / 1e6,
      ingestRowsPerSecond: Math.round(result.acceptedRows / ingestSeconds),
      acceptedRows: result.acceptedRows,
      rejectedRows: result.rejectedRows,
    };
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const results = {
  benchmark: 'data',
  date: new Date().toISOString(),
  scale: small ? 'small' : 'full',
  node: process.version,
  note: 'wall-clock seconds on a shared 2-core machine (other jobs running): noisy and pessimistic',
  simulate: {
    options,
    seconds: simulateSeconds,
    cpuSeconds: simulateCpuSeconds,
    peakRssMiB: simulatePeakRssMiB,
    rows: table.rowCount,
    frauds,
    fraudRate,
    fraudsByScenario: { 1: byScenario[1], 2: byScenario[2], 3: byScenario[3] },
    // The targets at full scale.
    checks: small
      ? undefined
      : {
          rowsWithin2PercentOf1_75M: Math.abs(table.rowCount / 1_750_000 - 1) <= 0.02,
          fraudRateIn0_74To0_94Percent: fraudRate >= 0.0074 && fraudRate <= 0.0094,
          scenario2Largest: byScenario[2]! > byScenario[1]! && byScenario[2]! > byScenario[3]!,
          under10Seconds: simulateSeconds < 10,
          under1GiB: simulatePeakRssMiB < 1024,
        },
  },
  io,
};
const dir = join(import.meta.dirname, '../../../bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'data.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `data (${results.scale}): simulate ${table.rowCount} rows in ${simulateSeconds.toFixed(1)} s, peak ${simulatePeakRssMiB.toFixed(0)} MiB, ` +
    `fraud ${(fraudRate * 100).toFixed(3)}% [${byScenario.slice(1).join('/')}]; ` +
    `CSV write ${io['csv']!.writeSeconds.toFixed(1)} s, ingest ${io['csv']!.ingestSeconds.toFixed(1)} s; ` +
    `Parquet write ${io['parquet']!.writeSeconds.toFixed(1)} s, ingest ${io['parquet']!.ingestSeconds.toFixed(1)} s`,
);
