import { createHash, timingSafeEqual } from 'node:crypto';
import { MlsdError } from '@mlsd/data';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../service-context.js';

/**
 * `POST /admin/reload`: with `Authorization: Bearer <adminToken>`, loads the registry's current champion (and
 * challenger) and swaps them in atomically; requests in flight finish on the model they started with. Without a
 * configured token the route refuses everyone (`FORBIDDEN`, 403); a missing or wrong token is `UNAUTHORIZED` (401).
 */
export function registerAdminRoutes(app: FastifyInstance, context: ServiceContext): void {
  const expected = context.options.adminToken === undefined ? undefined : digest(context.options.adminToken);

  app.post('/admin/reload', async (request, reply) => {
    if (expected === undefined) {
      throw new MlsdError('FORBIDDEN', 'Admin routes are disabled: start the service with an admin token (--admin-token).');
    }
    const header = request.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (token === '' || !timingSafeEqual(digest(token), expected)) {
      reply.header('www-authenticate', 'Bearer');
      throw new MlsdError('UNAUTHORIZED', 'Missing or wrong admin token: send `Authorization: Bearer <token>`.');
    }
    try {
      return await context.scorer.reload();
    } catch (error) {
      request.log.error({ err: error }, 'reload failed; the previous model stays');
      if (error instanceof MlsdError && error.code !== 'INTERNAL') throw error;
      throw new MlsdError('INTERNAL', 'Reload failed; the previous model keeps serving.', { cause: error });
    }
  });
}

// Comparing fixed-length digests keeps the comparison constant-time whatever the token lengths.
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
