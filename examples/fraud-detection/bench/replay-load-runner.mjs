// One autocannon load in a process of its own (the load generator must not share a server's event loop), replaying
// the simulator's own transactions in time order, and printing one JSON object on stdout.
// Usage: node replay-load-runner.mjs '<json options>'. Options: url, input (the simulator's CSV: TRANSACTION_ID,
// TX_DATETIME, CUSTOMER_ID, TERMINAL_ID, TX_AMOUNT, …), connections, durationSeconds, overallRate (optional),
// first (the running request count to continue from), evenPacing (optional, with overallRate: see pacedLoad).
// Request n carries row n mod rows of the file with a fresh id (n) and its time shifted by (n div rows) times the
// file's span plus a day, so ids never repeat and times only move forward across rounds and runs: idempotency and
// lateness never short-circuit the scoring path.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
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
const result = options.evenPacing === true ? await pacedLoad() : await autocannonLoad();
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

async function autocannonLoad() {
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    timeout: 10,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  return await instance;
}

// A fixed rate, open loop: request k is due at start + k / overallRate and its latency runs from that due time (so
// a stall on either side counts for every request it delays: no coordinated omission), over `connections` keep-alive
// sockets, one request in flight on each (a due request waits for a free socket). autocannon's overallRate is not a
// fixed rate: each connection sends its share of the second back to back from the start of every second and then
// waits (its httpClient's reqsMadeThisSecond), so at 2,000 req/s over 10 connections the server sees a 10-way burst
// for part of each second and idles for the rest, and the p99 measures the burst. HTTP/1.1 is written and read by
// hand (requests preformatted, answers split by Content-Length), as autocannon does: node:http's client cost about
// 180 µs of CPU per request here, enough to make the generator the bottleneck on two cores.
async function pacedLoad() {
  const url = new URL(options.url);
  const intervalMs = 1000 / options.overallRate;
  const total = Math.round(options.overallRate * options.durationSeconds);
  const counts = { '2xx': 0, '4xx': 0, '5xx': 0, non2xx: 0, errors: 0, timeouts: 0 };
  const waiting = [];
  const idle = [];
  let sent = 0;
  let done = 0;
  const start = performance.now();
  let resolveAll;
  const finished = new Promise((resolve) => {
    resolveAll = resolve;
  });
  const record = (due, status) => {
    latencies.push(performance.now() - due);
    if (status === 0) counts.errors++;
    else {
      statuses[status] = (statuses[status] ?? 0) + 1;
      const family = `${Math.floor(status / 100)}xx`;
      if (family in counts) counts[family]++;
      if (family !== '2xx') counts.non2xx++;
    }
    if (++done === total) resolveAll();
  };
  // One state per connection: its socket, the due time of the request in flight, and bytes of an unfinished answer.
  const dispatch = (connection, due) => {
    connection.due = due;
    const payload = body();
    connection.socket.write(
      `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
    );
  };
  const release = (connection) => {
    if (waiting.length > 0) dispatch(connection, waiting.shift());
    else idle.push(connection);
  };
  const connections = [];
  for (let i = 0; i < options.connections; i++) {
    const connection = { socket: connect({ host: url.hostname, port: Number(url.port), noDelay: true }), due: undefined, bytes: Buffer.alloc(0) };
    connection.socket.on('data', (chunk) => {
      connection.bytes = connection.bytes.length === 0 ? chunk : Buffer.concat([connection.bytes, chunk]);
      for (;;) {
        const headEnd = connection.bytes.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const head = connection.bytes.toString('latin1', 0, headEnd);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (connection.bytes.length < headEnd + 4 + length) return;
        connection.bytes = connection.bytes.subarray(headEnd + 4 + length);
        record(connection.due, Number(head.slice(9, 12)));
        release(connection);
      }
    });
    connection.socket.on('error', () => {
      if (connection.due !== undefined) record(connection.due, 0);
      connection.due = undefined;
    });
    await new Promise((resolve, reject) => connection.socket.once('connect', resolve).once('error', reject));
    connections.push(connection);
    idle.push(connection);
  }
  const tick = () => {
    const now = performance.now();
    while (sent < total && start + sent * intervalMs <= now) {
      const due = start + sent++ * intervalMs;
      if (idle.length > 0) dispatch(idle.pop(), due);
      else waiting.push(due);
    }
    if (sent < total) setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
  };
  tick();
  const timeout = setTimeout(
    () => {
      counts.timeouts += total - done;
      done = total;
      resolveAll();
    },
    (options.durationSeconds + 10) * 1000,
  );
  await finished;
  clearTimeout(timeout);
  for (const connection of connections) connection.socket.destroy();
  return { requests: { total: done }, ...counts };
}
