import { authenticate } from '../auth/authenticate.ts';
import type { AuthSession } from '../auth/auth-cache.ts';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors.ts';
import { platformScope } from '../invalidation/generations.ts';
import type { ServiceDeps } from '../services/deps.ts';
import type { Calls, RateLimits } from './rate-limits.ts';

/**
 * Who is calling, or why nobody is: a refused token (`reason`, a 401), or a failure to
 * find out or a refusal to go on (`error`: the database is down, a rate limit), which the
 * procedure reports as such.
 */
export type Authentication = { principal: Principal } | { principal: null; reason: string } | { principal: null; error: unknown };

/** Never throws: callers answer the failure in their own way (tRPC per procedure, REST at once). */
export async function authenticateRequest(deps: ServiceDeps, authorization: string | undefined, session: AuthSession = deps.authCache.session()): Promise<Authentication> {
  try {
    return { principal: await authenticate(deps, authorization, session) };
  } catch (e) {
    if (e instanceof AppError && e.kind === 'UNAUTHORIZED') return { principal: null, reason: e.message };
    return { principal: null, error: e };
  }
}

/**
 * Everything a request needs before it runs: who calls (possibly from memory), counted
 * against the rate limits, with the generations of what it may use from memory read
 * afresh — the counting and the reading in one Redis round trip. What authentication took
 * from memory is checked against those generations, and read again from the database if
 * a change made it stale (a revoked key, a deleted project). An address over its
 * failed-authentication limit is refused before its token is even looked at.
 */
export async function admit(deps: ServiceDeps, limits: RateLimits, ip: string, authorization: string | undefined, calls: Calls): Promise<Authentication> {
  try {
    limits.assertNotBlocked(ip);
    const session = deps.authCache.session();
    let auth = await authenticateRequest(deps, authorization, session);
    if (auth.principal) {
      const principal = auth.principal;
      const [counted] = await Promise.allSettled([limits.count(principal, calls), deps.generations.refresh(['auth', platformScope(principal.platformId)])]);
      if (session.usedStale()) auth = await authenticateRequest(deps, authorization);
      if (counted.status === 'rejected' && auth.principal) return { principal: null, error: counted.reason };
    }
    if ('reason' in auth) await limits.failedAuthentication(ip);
    return auth;
  } catch (e) {
    return { principal: null, error: e };
  }
}
