import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/authenticate.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import type { RateLimits } from '../http/rate-limits.ts';
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
  /** Counts a principal's call of a procedure against the rate limits; absent in process (`createCaller`). */
  countCall?: (principal: Principal, procedure: string) => Promise<void>;
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

/**
 * Who calls, within the rate limits: an address over its failed-authentication limit is
 * refused before its token is even looked at, and every failure counts against it.
 */
async function limitedAuthentication(deps: ServiceDeps, limits: RateLimits, request: FastifyRequest): Promise<Authentication> {
  try {
    limits.assertNotBlocked(request);
    const auth = await authenticateRequest(deps, request.headers.authorization);
    if ('reason' in auth) await limits.failedAuthentication(request);
    return auth;
  } catch (e) {
    return { principal: null, error: e };
  }
}

export function contextFactory(deps: ServiceDeps, limits: RateLimits) {
  return async ({ req }: { req: FastifyRequest }): Promise<Context> => ({
    ...createContextInner(deps, await limitedAuthentication(deps, limits, req), req),
    countCall: (principal, procedure) => limits.call(req, principal, procedure),
  });
}
