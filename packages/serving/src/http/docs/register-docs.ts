import { LIBRARY_VERSION } from '@mlsd/data';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';

/**
 * Serves the OpenAPI 3 description of the service at `GET /docs/json` (and `/docs/yaml`) and a rendered page at
 * `GET /docs` (Swagger UI, its assets served from the `@fastify/swagger-ui` package: no CDN, works offline).
 * `docs` documents each route by `METHOD url`; call this before registering the routes. The schemas are attached
 * for documentation only: the routes keep validating with their zod schemas (a no-op validator), and answers are
 * written with `JSON.stringify` as without a schema.
 */
export async function registerDocs(app: FastifyInstance, docs: Readonly<Record<string, FastifySchema>>): Promise<void> {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const schema = docs[`${methods[0]} ${route.url}`];
    if (schema === undefined || route.schema !== undefined) return;
    route.schema = schema;
    route.validatorCompiler = () => () => true;
    route.serializerCompiler = () => (data) => JSON.stringify(data);
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'mlsd scoring service',
        version: LIBRARY_VERSION,
        description:
          "Scores events with the registry's champion through the same feature pipeline as training, answers with heuristic fallback rules whenever the model path cannot, and feeds the monitor. Errors are `{ error, code }` (`{ error }` under /v2) with the status from one table.",
      },
      tags: [
        { name: 'Scoring', description: 'Score events and report labels.' },
        { name: 'Monitoring', description: 'Drift, live quality, experiments and Prometheus metrics.' },
        { name: 'Open Inference Protocol', description: 'KServe/Triton "v2" metadata, health and inference.' },
        { name: 'Admin', description: 'Operations that need the admin token.' },
      ],
      components: {
        securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: "The service's admin token (`--admin-token` or `$MLSD_ADMIN_TOKEN`)." } },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } });
}
