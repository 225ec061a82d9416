import { MlsdError } from '@mlsd/data';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../service-context.js';

/** `GET /metrics` (Prometheus text format) and `GET /v1/monitoring` (the monitor's JSON report, when configured). */
export function registerOpsRoutes(app: FastifyInstance, context: ServiceContext): void {
  const { metrics, scorer, options } = context;

  app.get('/metrics', async (_request, reply) => {
    // Refresh the circuit gauges, which change with time rather than with requests.
    scorer.status();
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });

  app.get('/v1/monitoring', async () => {
    if (options.monitoringReport === undefined) {
      throw new MlsdError('NOT_FOUND', 'Monitoring is not configured on this service: start it with a monitor (see the serving README).');
    }
    return { service: scorer.status(), ...(options.monitoringReport() as object) };
  });
}
