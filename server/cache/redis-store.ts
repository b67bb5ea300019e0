import type { Redis } from 'ioredis';
import type { CacheStore, EntryAddress, Generations, StoreRead } from './store.ts';

/*
 * Key layout, one hash tag per platform so every key of a platform lives in one slot
 * (Redis Cluster can run the scripts):
 *   <prefix>{<platform>}:gen            platform generation (no TTL)
 *   <prefix>{<platform>}:gen:<conn>     connection generation (no TTL)
 *   <prefix>{<platform>}:e:<conn>:<platformGen>:<connGen>:<key>   sealed entry (TTL)
 * Clearing bumps a generation: O(1), and entries under old generations simply expire.
 * Generations carry no TTL, so under a volatile-* eviction policy Redis never evicts them.
 */
const GET_SCRIPT = `
local pg = redis.call('GET', KEYS[1]) or '0'
local cg = redis.call('GET', KEYS[2]) or '0'
local gens = pg .. ':' .. cg
return { gens, redis.call('GET', ARGV[1] .. gens .. ':' .. ARGV[2]) }
`;

export class RedisStore implements CacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('smCacheGet', { numberOfKeys: 2, lua: GET_SCRIPT });
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

  private base(platformId: string) {
    return `${this.prefix}{${platformId}}`;
  }

  private entryPrefix(a: EntryAddress) {
    return `${this.base(a.platformId)}:e:${a.connectionId}:`;
  }

  async get(a: EntryAddress): Promise<StoreRead> {
    const base = this.base(a.platformId);
    const [generations, value] = (await (this.redis as unknown as Scripted).smCacheGet(
      `${base}:gen`,
      `${base}:gen:${a.connectionId}`,
      this.entryPrefix(a),
      a.key,
    )) as [string, string | null];
    return { generations, value: value ?? undefined };
  }

  async getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]> {
    if (addresses.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const a of addresses) {
      const base = this.base(a.platformId);
      (pipeline as unknown as Scripted).smCacheGet(`${base}:gen`, `${base}:gen:${a.connectionId}`, this.entryPrefix(a), a.key);
    }
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, reply]) => {
      if (error) throw error;
      return ((reply as [string, string | null])[1] ?? undefined) as string | undefined;
    });
  }

  async set(a: EntryAddress, generations: Generations, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(`${this.entryPrefix(a)}${generations}:${a.key}`, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async clearConnection(platformId: string, connectionId: string): Promise<void> {
    await this.redis.incr(`${this.base(platformId)}:gen:${connectionId}`);
  }

  async clearPlatform(platformId: string): Promise<void> {
    await this.redis.incr(`${this.base(platformId)}:gen`);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

interface Scripted {
  smCacheGet(platformGenKey: string, connectionGenKey: string, entryPrefix: string, key: string): Promise<unknown>;
}
