import type { Redis } from 'ioredis';
import type { CacheStore, EntryAddress } from './store.ts';

/*
 * Key layout; the hash tag keeps a platform's keys in one slot (Redis Cluster can run the
 * script and the transaction):
 *   <prefix>{<platform>}:c:<connection>   hash of sealed entries, expiring as a whole
 *   <prefix>{<platform>}:g:<connection>   the connection's generation (no TTL, so a
 *                                         volatile-* eviction policy never drops it)
 * An entry carries its own freshness inside its sealed envelope.
 */
const SET_IF_GENERATION = `
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

interface Scripted {
  smCacheSet(hashKey: string, generationKey: string, generation: string, field: string, value: string, ttlMs: number): Promise<number>;
}

export class RedisStore implements CacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('smCacheSet', { numberOfKeys: 2, lua: SET_IF_GENERATION });
  }

  private hashKey(platformId: string, connectionId: string) {
    return `${this.prefix}{${platformId}}:c:${connectionId}`;
  }

  private generationKey(platformId: string, connectionId: string) {
    return `${this.prefix}{${platformId}}:g:${connectionId}`;
  }

  async ready(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  async get(a: EntryAddress): Promise<string | undefined> {
    return (await this.redis.hget(this.hashKey(a.platformId, a.connectionId), a.key)) ?? undefined;
  }

  async getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]> {
    if (addresses.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const a of addresses) pipeline.hget(this.hashKey(a.platformId, a.connectionId), a.key);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, reply]) => {
      if (error) throw error;
      return (reply as string | null) ?? undefined;
    });
  }

  async generation(platformId: string, connectionId: string): Promise<string> {
    return (await this.redis.get(this.generationKey(platformId, connectionId))) ?? '0';
  }

  async set(a: EntryAddress, generation: string, value: string, ttlSeconds: number): Promise<void> {
    await (this.redis as unknown as Scripted).smCacheSet(
      this.hashKey(a.platformId, a.connectionId),
      this.generationKey(a.platformId, a.connectionId),
      generation,
      a.key,
      value,
      Math.max(1000, Math.ceil(ttlSeconds * 1000)),
    );
  }

  async clearConnections(platformId: string, connectionIds: readonly string[]): Promise<void> {
    if (connectionIds.length === 0) return;
    const transaction = this.redis.multi();
    for (const id of connectionIds) {
      transaction.incr(this.generationKey(platformId, id));
      // UNLINK frees a large hash in the background: the caller never waits for 100,000 entries.
      transaction.unlink(this.hashKey(platformId, id));
    }
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('the cache clear transaction was aborted');
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
