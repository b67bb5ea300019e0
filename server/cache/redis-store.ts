import type { Redis } from 'ioredis';
import type { CacheStore, EntryAddress, StoreRead } from './store.ts';

/*
 * One hash per connection, `<prefix>{<platform>}:c:<connection>` (the hash tag keeps a
 * platform in one Redis Cluster slot). Its field `g` is the connection's generation; every
 * other field is an entry stored as `<generation>|<sealed value>`. A read is one HMGET of
 * the entry and `g`; a clear is one HINCRBY of `g`, so entries of older generations read
 * as missing and are overwritten or expire with the hash — nothing is deleted or scanned,
 * and a clear costs the same for 10 entries or 100,000. Because every read compares the
 * entry's generation with the current one, a write needs no check of its own: one that
 * lands after a clear is simply never read.
 */
const GENERATION_FIELD = 'g';

function entryOf(stored: string | null, generation: string): string | undefined {
  if (stored === null) return undefined;
  const bar = stored.indexOf('|');
  return stored.slice(0, bar) === generation ? stored.slice(bar + 1) : undefined;
}

export class RedisStore implements CacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private hashKey(platformId: string, connectionId: string) {
    return `${this.prefix}{${platformId}}:c:${connectionId}`;
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

  async get(a: EntryAddress): Promise<StoreRead> {
    const [stored, generation] = await this.redis.hmget(this.hashKey(a.platformId, a.connectionId), a.key, GENERATION_FIELD);
    const current = generation ?? '0';
    return { value: entryOf(stored ?? null, current), generation: current };
  }

  async getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]> {
    if (addresses.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const a of addresses) pipeline.hmget(this.hashKey(a.platformId, a.connectionId), a.key, GENERATION_FIELD);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, reply]) => {
      if (error) throw error;
      const [stored, generation] = reply as (string | null)[];
      return entryOf(stored ?? null, generation ?? '0');
    });
  }

  async set(a: EntryAddress, generation: string, value: string, ttlSeconds: number): Promise<void> {
    const key = this.hashKey(a.platformId, a.connectionId);
    const results = await this.redis
      .pipeline()
      .hset(key, a.key, `${generation}|${value}`)
      .pexpire(key, Math.max(1000, Math.ceil(ttlSeconds * 1000)))
      .exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async clearConnections(platformId: string, connectionIds: readonly string[]): Promise<void> {
    if (connectionIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of connectionIds) pipeline.hincrby(this.hashKey(platformId, id), GENERATION_FIELD, 1);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
