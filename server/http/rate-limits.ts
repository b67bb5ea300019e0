import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal.ts';

/** Limits count per minute; 0 turns one off. */
const WINDOW_MS = 60_000;
/** Addresses remembered as blocked, at most: a flood from many addresses cannot grow it. */
const MAX_BLOCKED_ADDRESSES = 10_000;

export interface RateLimitSettings {
  /** Failed authentications per client address. */
  failedAuthentications: number;
  /** Calls per principal (an API key, or one user of an embed key). */
  callsPerPrincipal: number;
  /** `secrets.resolve` calls per platform, all its keys together. */
  resolvesPerPlatform: number;
}

/** A call refused for going over a limit: 429 with Retry-After. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export interface RateLimits {
  /** Before authenticating, without I/O: an address over its failed-authentication limit gets no further. */
  assertNotBlocked(request: FastifyRequest): void;
  /** After a failed authentication: counts it, and throws once the address is over its limit. */
  failedAuthentication(request: FastifyRequest): Promise<void>;
  /** After a successful one: counts the principal's call, and a resolve against its platform's limit. */
  call(request: FastifyRequest, principal: Principal, procedure: string): Promise<void>;
}

const principalKey = (p: Principal) => (p.type === 'api-key' ? `key:${p.keyId}` : `embed:${p.keyId}:${p.subject}`);

/**
 * The three limits of DESIGN.md, counted by @fastify/rate-limit in Redis when there is one
 * (so every instance counts together; a Redis outage lets calls through, as the cache does)
 * or in process otherwise.
 */
export async function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings, redis: Redis | undefined, keyPrefix: string): Promise<RateLimits> {
  await app.register(rateLimit, { global: false, ...(redis && { redis, nameSpace: `${keyPrefix}rate:` }), skipOnError: true });
  // The key of each check is chosen by the caller; @fastify/rate-limit asks its keyGenerator
  // synchronously when the check starts, so one slot per request is enough.
  const keys = new WeakMap<FastifyRequest, string>();
  const limiter = (max: number) => (max > 0 ? app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: (request) => keys.get(request)! }) : undefined);
  const limiters = {
    failedAuthentications: limiter(settings.failedAuthentications),
    callsPerPrincipal: limiter(settings.callsPerPrincipal),
    resolvesPerPlatform: limiter(settings.resolvesPerPlatform),
  };
  const blocked = new LRUCache<string, number>({ max: MAX_BLOCKED_ADDRESSES, ttl: WINDOW_MS });

  async function check(kind: keyof typeof limiters, request: FastifyRequest, key: string, message: string): Promise<void> {
    const counted = limiters[kind];
    if (!counted) return;
    keys.set(request, `${kind}:${key}`);
    const outcome = await counted(request);
    if (!outcome.isAllowed && outcome.isExceeded) throw new RateLimitedError(message, outcome.ttlInSeconds);
  }

  return {
    assertNotBlocked(request) {
      const until = blocked.get(request.ip);
      if (until === undefined) return;
      throw new RateLimitedError('Too many failed authentications from this address; try again later.', Math.max(1, Math.ceil((until - Date.now()) / 1000)));
    },
    async failedAuthentication(request) {
      try {
        await check('failedAuthentications', request, request.ip, 'Too many failed authentications from this address; try again later.');
      } catch (e) {
        if (e instanceof RateLimitedError) blocked.set(request.ip, Date.now() + e.retryAfterSeconds * 1000, { ttl: e.retryAfterSeconds * 1000 });
        throw e;
      }
    },
    async call(request, principal, procedure) {
      await check('callsPerPrincipal', request, principalKey(principal), 'Too many calls with this token; slow down and try again shortly.');
      if (procedure === 'secrets.resolve') {
        await check('resolvesPerPlatform', request, principal.platformId, "Too many resolve calls for this platform; slow down and try again shortly.");
      }
    },
  };
}
