import { MlsdError } from '@mlsd/data';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../service-context.js';

/** `GET /metrics` (Prometheus text format) and `GET /v1/monitoring` (the monitor's JSON report, when configured). */
export function registerOpsRoutes(app: FastifyInstance, context: ServiceContext): void {
  const { metrics, scorer } = context;

  app.get('/metrics', async (_request, reply) => {
    // Refresh the circuit gauges, which change with time rather than with requests.
    scorer.status();
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });

  app.get('/v1/monitoring', async () => {
    if (context.monitor === undefined) {
      throw new MlsdError(
        'NOT_FOUND',
        'Monitoring is off on this service: start it with a monitor, and a champion registered with a reference profile (see the serving README).',
      );
    }
    return { service: scorer.status(), ...(context.monitor.report() as object) };
  });
}
