// One autocannon load in a process of its own (the load generator must not share a server's event loop), replaying
// the simulator's own transactions in time order, and printing one JSON object on stdout.
// Usage: node replay-load-runner.mjs '<json options>'. Options: url, input (the simulator's CSV: TRANSACTION_ID,
// TX_DATETIME, CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, …), connections, durationSeconds, overallRate (optional),
// first (the running request count to continue from).
// Request n carries row n mod rows of the file with a fresh id (n) and its time shifted by (n div rows) times the
// file's span plus a day, so ids never repeat and times only move forward across rounds and runs: idempotency and
// lateness never short-circuit the scoring path.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const lines = readFileSync(options.input, 'utf8').split('\n');
const header = lines[0].split(',');
const column = (name) => {
  const index = header.indexOf(name);
  if (index < 0) throw new Error(`${options.input} has no ${name} column: pass the simulator's CSV (fraud simulate --out FILE.csv).`);
  return index;
};
const [timeAt, cardAt, terminalAt, amountAt] = ['TX_DATETIME', 'CUSTOMER_ID', 'TERMINAL_ID', 'TX_AMOUNT'].map(column);
const times = [];
const cards = [];
const terminals = [];
const amounts = [];
for (let i = 1; i < lines.length; i++) {
  if (lines[i] === '') continue;
  const cells = lines[i].split(',');
  times.push(Date.parse(`${cells[timeAt].replace(' ', 'T')}Z`));
  cards.push(Number(cells[cardAt]));
  terminals.push(Number(cells[terminalAt]));
  amounts.push(Number(cells[amountAt]));
}
const rows = times.length;
const span = times[rows - 1] - times[0] + 86_400_000;
let n = options.first;

function body() {
  const row = n % rows;
  const time = new Date(times[row] + Math.floor(n / rows) * span).toISOString();
  const text = JSON.stringify({
    TRANSACTION_ID: n,
    TX_DATETIME: `${time.slice(0, 10)} ${time.slice(11, 19)}`,
    CUSTOMER_ID: cards[row],
    TERMINAL_ID: terminals[row],
    TX_AMOUNT: amounts[row],
  });
  n += 1;
  return text;
}

const latencies = [];
const statuses = {};
const cpuStart = process.cpuUsage();
const instance = autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSeconds,
  ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
  timeout: 10,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
});
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  latencies.push(responseTime);
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
});
const result = await instance;
const cpu = process.cpuUsage(cpuStart);
latencies.sort((a, b) => a - b);
const quantile = (q) => (latencies.length === 0 ? null : Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 1000) / 1000);
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.total / options.durationSeconds),
    latencyMs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), p999: quantile(0.999), max: latencies.at(-1) ?? null },
    status: { '2xx': result['2xx'], '4xx': result['4xx'], '5xx': result['5xx'], non2xx: result.non2xx, byCode: statuses },
    errors: result.errors,
    timeouts: result.timeouts,
    // The load generator's own CPU: it shares the cores with the servers, so its queueing shows in latencies.
    loadGeneratorCpuSeconds: (cpu.user + cpu.system) / 1e6,
    next: n,
  }),
);
