// The baseline of serve-throughput.bench.ts: a bare Fastify JSON endpoint in a process of its own, POST /v1/score
// parsing the same request bodies and answering a small fixed JSON object through a compiled response schema
// (what a service without any scoring costs). Prints "listening on URL" on stderr. Usage: node bare-fastify-server.mjs
import { fastify } from 'fastify';

const app = fastify({ logger: false });
const answer = { score: 0.01, decision: 'allow', source: 'model', modelVersion: 1, reasons: [], latencyMs: 0.05 };
app.post(
  '/v1/score',
  {
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            transactionId: { type: 'number' },
            score: { type: 'number' },
            decision: { type: 'string' },
            source: { type: 'string' },
            modelVersion: { type: 'number' },
            reasons: { type: 'array' },
            latencyMs: { type: 'number' },
          },
        },
      },
    },
  },
  async (request) => ({ transactionId: request.body.TRANSACTION_ID, ...answer }),
);
const url = await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.stderr.write(`listening on ${url}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
