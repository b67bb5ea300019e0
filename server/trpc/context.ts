import type { FastifyRequest } from 'fastify';
import { authenticate } from '../auth/authenticate.ts';
import type { Principal } from '../auth/principal.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { AppError } from '../errors.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { toTRPCError } from './errors.ts';

export type Authentication = { principal: Principal } | { principal: null; reason: string };

export interface Context {
  deps: ServiceDeps;
  auth: Authentication;
}

/** The pure part, used directly by tests through `createCaller`. */
export function createContextInner(deps: ServiceDeps, auth: Authentication): Context {
  return { deps, auth };
}

export async function authenticateRequest(deps: ServiceDeps, authorization: string | undefined): Promise<Authentication> {
  try {
    return { principal: await authenticate(deps, authorization) };
  } catch (e) {
    if (e instanceof AppError && e.kind === 'UNAUTHORIZED') return { principal: null, reason: e.message };
    // Raised before any procedure runs, so the procedures' error mapping never sees it.
    if (isDatabaseUnavailable(e)) throw toTRPCError(e);
    throw e;
  }
}

export function contextFactory(deps: ServiceDeps) {
  return async ({ req }: { req: FastifyRequest }): Promise<Context> =>
    createContextInner(deps, await authenticateRequest(deps, req.headers.authorization));
}
