import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal.ts';

/** Limits count per minute, in fixed windows; 0 turns one off. */
const WINDOW_MS = 60_000;
/** Counters and blocked addresses kept in process at most: a flood from many addresses or tokens cannot grow them. */
const MAX_LOCAL_ENTRIES = 100_000;

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

/** Adds to a counter of the current window; undefined when it cannot count (the call goes through). */
interface WindowCounter {
  add(key: string, amount: number, window: number): Promise<number | undefined>;
}

/**
 * In Redis, so every instance counts together: an INCRBY and a PEXPIRE sent without waiting
 * (the client pipelines them with the request's other commands: one round trip). A Redis
 * outage lets calls through, as the cache does.
 */
class RedisCounter implements WindowCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async add(key: string, amount: number, window: number): Promise<number | undefined> {
    const name = `${this.prefix}${key}:${window}`;
    const [count] = await Promise.all([this.redis.incrby(name, amount), this.redis.pexpire(name, WINDOW_MS, 'NX')]).catch(() => [undefined]);
    return count;
  }
}

class LocalCounter implements WindowCounter {
  private readonly counts = new LRUCache<string, number>({ max: MAX_LOCAL_ENTRIES, ttl: WINDOW_MS });

  async add(key: string, amount: number, window: number): Promise<number> {
    const name = `${key}:${window}`;
    const count = (this.counts.get(name) ?? 0) + amount;
    this.counts.set(name, count, { noUpdateTTL: true });
    return count;
  }
}

/** The calls of one request: tRPC batches several. */
export interface Calls {
  total: number;
  resolves: number;
}

export interface RateLimits {
  /** Before authenticating, without I/O: an address over its failed-authentication limit gets no further. */
  assertNotBlocked(ip: string): void;
  /** After a failed authentication: counts it, and throws once the address is over its limit. */
  failedAuthentication(ip: string): Promise<void>;
  /** After a successful one: counts the principal's calls, and its resolves against its platform's limit. */
  count(principal: Principal, calls: Calls): Promise<void>;
}

const principalKey = (p: Principal) => (p.type === 'api-key' ? `key:${p.keyId}` : `embed:${p.keyId}:${p.subject}`);

/** The three limits of DESIGN.md, counted in Redis when there is one, in process otherwise. */
export function createRateLimits(settings: RateLimitSettings, redis: Redis | undefined, keyPrefix: string, now: () => number = Date.now): RateLimits {
  const counter: WindowCounter = redis ? new RedisCounter(redis, `${keyPrefix}rate:`) : new LocalCounter();
  const blocked = new LRUCache<string, number>({ max: MAX_LOCAL_ENTRIES, ttl: WINDOW_MS });

  /** Throws when `amount` more takes the key's window over `max`. */
  async function check(max: number, key: string, amount: number, message: string): Promise<void> {
    if (max <= 0 || amount === 0) return;
    const time = now();
    const window = Math.floor(time / WINDOW_MS);
    const count = await counter.add(key, amount, window);
    if (count !== undefined && count > max) throw new RateLimitedError(message, Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - time) / 1000)));
  }

  return {
    assertNotBlocked(ip) {
      const until = blocked.get(ip);
      if (until === undefined) return;
      throw new RateLimitedError('Too many failed authentications from this address; try again later.', Math.max(1, Math.ceil((until - now()) / 1000)));
    },
    async failedAuthentication(ip) {
      try {
        await check(settings.failedAuthentications, `auth:${ip}`, 1, 'Too many failed authentications from this address; try again later.');
      } catch (e) {
        if (e instanceof RateLimitedError) blocked.set(ip, now() + e.retryAfterSeconds * 1000, { ttl: e.retryAfterSeconds * 1000 });
        throw e;
      }
    },
    async count(principal, calls) {
      // Both counted at once (one round trip); the first refusal is the answer.
      const outcomes = await Promise.allSettled([
        check(settings.callsPerPrincipal, `calls:${principalKey(principal)}`, calls.total, 'Too many calls with this token; slow down and try again shortly.'),
        check(settings.resolvesPerPlatform, `resolves:${principal.platformId}`, calls.resolves, 'Too many resolve calls for this platform; slow down and try again shortly.'),
      ]);
      const refused = outcomes.find((o) => o.status === 'rejected');
      if (refused) throw refused.reason;
    },
  };
}
