import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { entityId } from '../../shared/connections.ts';
import { adminActorOf } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import { clearCache } from '../services/cache-clearing.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { retryAfterSeconds, toTRPCError } from '../trpc/errors.ts';
import { admit } from './admission.ts';
import type { RateLimits } from './rate-limits.ts';

const query = z.object({ connectionId: entityId.optional() });

/**
 * The documented REST form of cache clearing, for scripts and CI hooks:
 * `DELETE /api/v1/secret-managers/cache[?connectionId=<id>]` with a Bearer admin token.
 * The same checks as `secretManagers.clearCache`, and the same error answers as tRPC's.
 */
export function registerCacheRoutes(app: FastifyInstance, deps: ServiceDeps, limits: RateLimits): void {
  app.delete('/api/v1/secret-managers/cache', async (request, reply) => {
    try {
      const auth = await admit(deps, limits, request.ip, request.headers.authorization, { total: 1, resolves: 0 });
      if ('reason' in auth) throw new AppError('UNAUTHORIZED', auth.reason);
      if ('error' in auth) throw auth.error;
      const principal = auth.principal;
      const admin = adminActorOf(principal);
      if (!admin) throw new AppError('FORBIDDEN', 'Clearing the cache needs an admin token.');
      const parsed = query.safeParse(request.query);
      if (!parsed.success) throw new AppError('BAD_REQUEST', 'connectionId must be a connection id');
      await clearCache(deps, admin, parsed.data.connectionId);
      return reply.code(204).send();
    } catch (e) {
      const answer = toTRPCError(e);
      if (answer.code === 'INTERNAL_SERVER_ERROR') request.log.error({ err: answer.cause }, 'unhandled error in the cache route');
      const wait = retryAfterSeconds(answer);
      if (wait !== undefined) reply.header('retry-after', String(wait));
      return reply.code(getHTTPStatusCodeFromError(answer)).send({ error: answer.code, message: answer.message, requestId: request.id });
    }
  });
}
