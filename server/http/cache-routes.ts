import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { entityId } from '../../shared/connections.ts';
import { authenticate } from '../auth/authenticate.ts';
import { actorOf } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import { clearCache } from '../services/cache-clearing.ts';
import type { ServiceDeps } from '../services/deps.ts';

const statusOf: Record<AppError['kind'], number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  SERVICE_UNAVAILABLE: 503,
};

const query = z.object({ connectionId: entityId.optional() });

/**
 * The documented REST form of cache clearing, for scripts and CI hooks:
 * `DELETE /api/v1/secret-managers/cache[?connectionId=<id>]` with a Bearer admin token.
 */
export function registerCacheRoutes(app: FastifyInstance, deps: ServiceDeps): void {
  app.delete('/api/v1/secret-managers/cache', async (request, reply) => {
    try {
      const principal = await authenticate(deps, request.headers.authorization);
      if (principal.role !== 'admin') throw new AppError('FORBIDDEN', 'Clearing the cache needs an admin token.');
      const parsed = query.safeParse(request.query);
      if (!parsed.success) throw new AppError('BAD_REQUEST', 'connectionId must be a connection id');
      // The same rules as secretManagers.clearCache: a project-bound admin clears its own connections only.
      await clearCache(deps, { platformId: principal.platformId, actor: actorOf(principal), projectId: principal.projectId }, parsed.data.connectionId);
      return reply.code(204).send();
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return reply.code(statusOf[e.kind]).send({ error: e.kind, message: e.message });
    }
  });
}
