import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { FastifyBaseLogger } from 'fastify';
import { admit, type Authentication } from '../http/admission.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import type { ServiceDeps } from '../services/deps.ts';

export type { Authentication } from '../http/admission.ts';
export { authenticateRequest } from '../http/admission.ts';

export interface Context {
  deps: ServiceDeps;
  auth: Authentication;
  /** The request's id: in every log line about it, and in every error answer. */
  requestId: string;
  log: FastifyBaseLogger;
}

/** The pure part, used directly by tests through `createCaller`. */
export function createContextInner(deps: ServiceDeps, auth: Authentication, request?: { id: string; log: FastifyBaseLogger }): Context {
  return { deps, auth, requestId: request?.id ?? 'none', log: request?.log ?? deps.logger };
}

/** Never throws: context creation runs outside every procedure, where no error is mapped or formatted with the request id. */
export function contextFactory(deps: ServiceDeps, limits: RateLimits) {
  return async ({ req, info }: CreateFastifyContextOptions): Promise<Context> => {
    const calls = { total: info.calls.length, resolves: info.calls.filter((c) => c.path === 'secrets.resolve').length };
    return createContextInner(deps, await admit(deps, limits, req.ip, req.headers.authorization, calls), req);
  };
}
