import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../service-context.js';

/** The page's only sources are this service: a browser refuses anything else, so the page cannot reach a CDN. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

function asset(name: string): string {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
}

/**
 * `GET /dashboard`: a live page of the service (scores per second, decisions, fallbacks by reason, latency, drift
 * per feature, live quality, the experiment), refreshed in the browser from `GET /metrics` and `GET /v1/monitoring`
 * (`?refresh=ms`, default 2000). Plain HTML, CSS and JavaScript served by the service itself (`assets/`), so it
 * works with no network access.
 */
export function registerDashboardRoutes(app: FastifyInstance, context: ServiceContext): void {
  const page = asset('dashboard.html');
  const script = asset('dashboard.js');
  const style = asset('dashboard.css');

  app.get('/dashboard', async (_request, reply) => {
    const body = page.replace('<body>', `<body data-monitoring="${context.monitor !== undefined}">`);
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('cache-control', 'no-cache')
      .send(body);
  });
  const hidden = { schema: { hide: true } };
  app.get('/dashboard/dashboard.js', hidden, async (_request, reply) =>
    reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script),
  );
  app.get('/dashboard/dashboard.css', hidden, async (_request, reply) =>
    reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'no-cache').send(style),
  );
}
