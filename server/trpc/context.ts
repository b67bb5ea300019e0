import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/authenticate.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import type { ServiceDeps } from '../services/deps.ts';

/**
 * Who is calling, or why nobody is: a refused token (`reason`, a 401), or a failure to
 * find out (`error`: the database is down, say), which the procedure reports as such.
 */
export type Authentication = { principal: Principal } | { principal: null; reason: string } | { principal: null; error: unknown };

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
export async function authenticateRequest(deps: ServiceDeps, authorization: string | undefined): Promise<Authentication> {
  try {
    return { principal: await authenticate(deps, authorization) };
  } catch (e) {
    if (e instanceof AppError && e.kind === 'UNAUTHORIZED') return { principal: null, reason: e.message };
    return { principal: null, error: e };
  }
}

export function contextFactory(deps: ServiceDeps) {
  return async ({ req }: { req: FastifyRequest }): Promise<Context> =>
    createContextInner(deps, await authenticateRequest(deps, req.headers.authorization), req);
}
