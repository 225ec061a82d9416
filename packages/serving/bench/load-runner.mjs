// Runs one autocannon load in its own process (so the load generator does not share the service's event loop)
// and prints one JSON object on stdout. Usage: node load-runner.mjs '<json options>'.
// Options: url, connections, durationSeconds, overallRate (optional), firstId, kind ('score' | 'bare').
// Each request carries a new transaction: ids and event times increase, cards and terminals cycle, so the
// online feature state grows like real traffic instead of piling every event on one card.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
const base = Date.UTC(2018, 8, 1);
let id = options.firstId;

function body() {
  id += 1;
  return JSON.stringify({
    TRANSACTION_ID: id,
    TX_DATETIME: base + id * 10,
    CUSTOMER_ID: id % 5000,
    TERMINAL_ID: (id * 7) % 10000,
    TX_AMOUNT: 5 + ((id * 37) % 200),
  });
}

const latencies = [];
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
instance.on('response', (_client, _statusCode, _bytes, responseTime) => latencies.push(responseTime));
const result = await instance;
const cpu = process.cpuUsage(cpuStart);
latencies.sort((a, b) => a - b);
const quantile = (q) => (latencies.length === 0 ? null : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / options.durationSeconds,
    latencyMs: { p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), p999: quantile(0.999), max: latencies.at(-1) ?? null },
    status: { '2xx': result['2xx'], '4xx': result['4xx'], '5xx': result['5xx'], non2xx: result.non2xx },
    errors: result.errors,
    timeouts: result.timeouts,
    // The load generator's own CPU time: it shares the cores with the service, so its queueing shows in latencies.
    loadGeneratorCpuSeconds: (cpu.user + cpu.system) / 1e6,
    lastId: id,
  }),
);
