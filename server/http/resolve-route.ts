import { getHTTPStatusCodeFromError } from '@trpc/server/http';
// getErrorShape runs the router's own error formatter, so errors here read exactly as tRPC's.
import { getErrorShape, getTRPCErrorFromUnknown } from '@trpc/server/unstable-core-do-not-import';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appRouter } from '../routers/_app.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { createContextInner } from '../trpc/context.ts';
import { retryAfterSeconds } from '../trpc/errors.ts';
import { createCallerFactory } from '../trpc/init.ts';
import { admit } from './admission.ts';
import type { RateLimits } from './rate-limits.ts';

const PATH = 'secrets.resolve';
const callerOf = createCallerFactory(appRouter);

/** The input of a call as tRPC's HTTP link sends it: the body, or under "0" in a batch of one. */
function inputOf(request: FastifyRequest, batch: boolean): unknown {
  const body = request.body;
  if (!batch) return body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>)['0'] : undefined;
}

/**
 * `POST /trpc/secrets.resolve` — the hot path every flow run calls — served by Fastify
 * directly rather than through tRPC's HTTP adapter, which turns each request into a fetch
 * Request and back and cost five times the rest of a warm resolve (`npm run bench`). The
 * same wire format (a single call, or tRPC's batch of one), the same admission (rate limits,
 * generations), the same procedure through the router's caller (its middlewares and input
 * schema), the same error shapes and statuses, `Retry-After` included. Batches of several
 * procedures and every other call still go through the adapter.
 */
export function registerResolveRoute(app: FastifyInstance, deps: ServiceDeps, limits: RateLimits): void {
  app.post(`/trpc/${PATH}`, async (request, reply) => {
    const batch = (request.query as Record<string, unknown>).batch === '1';
    const input = inputOf(request, batch);
    const auth = await admit(deps, limits, request.ip, request.headers.authorization, { total: 1, resolves: 1 });
    const ctx = createContextInner(deps, auth, request);
    let response: unknown;
    try {
      response = { result: { data: await callerOf(ctx).secrets.resolve(input as never) } };
    } catch (e) {
      const error = getTRPCErrorFromUnknown(e);
      const wait = retryAfterSeconds(error);
      if (wait !== undefined) reply.header('retry-after', String(wait));
      reply.code(getHTTPStatusCodeFromError(error));
      response = { error: getErrorShape({ config: appRouter._def._config, error, type: 'mutation', path: PATH, input, ctx }) };
    }
    return reply.type('application/json').send(JSON.stringify(batch ? [response] : response));
  });
}
