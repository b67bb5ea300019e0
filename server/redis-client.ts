import { Redis } from 'ioredis';

/**
 * A Redis client that fails fast while disconnected (no offline queue, short command
 * timeout) and keeps reconnecting in the background, so an outage costs each request
 * milliseconds, not seconds. Its users report failures themselves (the cache falls back
 * to providers, rate limits let requests through).
 */
export function createRedisClient(url: string, options: { autoPipelining?: boolean } = {}): Redis {
  return new Redis(url, {
    // Commands of concurrent requests sent in one write: fewer round trips under load.
    enableAutoPipelining: options.autoPipelining ?? false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
    lazyConnect: false,
  }).on('error', () => {
    // Reported by each user when a command fails; the client keeps reconnecting.
  });
}
