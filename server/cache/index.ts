import type { KeyRing } from '../crypto/keyring.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { createRedisClient } from '../redis-client.ts';
import { MemoryStore } from './memory-store.ts';
import { RedisStore } from './redis-store.ts';
import { SecretCache } from './secret-cache.ts';

export { SecretCache, type CacheScope, type Loaded } from './secret-cache.ts';

export interface CacheSettings {
  redisUrl: string | undefined;
  /** Prefix of every Redis key (tests use one per run). */
  keyPrefix: string;
  ttlSeconds: number;
  staleSeconds: number;
  maxMemoryEntries: number;
}

/** Redis when REDIS_URL is set, else an in-process store. */
export function createSecretCache(settings: CacheSettings, keyRing: KeyRing, logger: Logger, metrics: Metrics): SecretCache {
  const store = settings.redisUrl ? new RedisStore(createRedisClient(settings.redisUrl), settings.keyPrefix) : new MemoryStore(settings.maxMemoryEntries);
  return new SecretCache(store, keyRing.deriveKey('sm-cache-v1'), {
    ttlSeconds: settings.ttlSeconds,
    staleSeconds: settings.staleSeconds,
    logger,
    metrics,
  });
}
