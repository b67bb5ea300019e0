import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../server/cache/memory-store.ts';
import { RedisStore } from '../../../server/cache/redis-store.ts';
import type { CacheStore, EntryAddress } from '../../../server/cache/store.ts';
import { dropPrefix, REDIS_URL, testPrefix } from '../support/redis.ts';

const prefix = testPrefix();
const redis = new Redis(REDIS_URL);
afterAll(async () => {
  await dropPrefix(prefix);
  redis.disconnect();
});

const a = { platformId: 'plt_a', connectionId: 'con_1', key: 'k1' };
const b = { platformId: 'plt_a', connectionId: 'con_2', key: 'k1' };
const other = { platformId: 'plt_b', connectionId: 'con_1', key: 'k1' };

const put = async (store: CacheStore, address: EntryAddress, value: string, ttl = 60) =>
  store.set(address, (await store.get(address)).generation, value, ttl);
const value = async (store: CacheStore, address: EntryAddress) => (await store.get(address)).value;

/** The contract both stores keep: the in-process default must behave exactly like Redis. */
for (const [name, make] of [
  ['redis', () => new RedisStore(new Redis(REDIS_URL), `${prefix}${Math.random()}:`)],
  ['memory', () => new MemoryStore(1000)],
] as const) {
  describe(`${name} store`, () => {
    it('reads what was written, per address', async () => {
      const store = make();
      await put(store, a, 'A');
      await put(store, b, 'B');
      expect(await value(store, a)).toBe('A');
      expect(await value(store, b)).toBe('B');
      expect(await value(store, other)).toBeUndefined();
      expect(await store.getMany([a, b, other])).toEqual(['A', 'B', undefined]);
      await store.close();
    });

    it('clears the named connections of a platform, and nothing else', async () => {
      const store = make();
      await put(store, a, 'A');
      await put(store, b, 'B');
      await put(store, other, 'O');
      await store.clearConnections('plt_a', ['con_1']);
      expect(await store.getMany([a, b, other])).toEqual([undefined, 'B', 'O']);
      await store.clearConnections('plt_a', ['con_1', 'con_2']);
      expect(await store.getMany([a, b, other])).toEqual([undefined, undefined, 'O']);
      await put(store, a, 'A2');
      expect(await value(store, a)).toBe('A2');
      await store.close();
    });

    it('refuses a write made under a generation a clear has since moved', async () => {
      const store = make();
      const before = (await store.get(a)).generation;
      await store.clearConnections('plt_a', ['con_1']);
      await store.set(a, before, 'loaded before the clear', 60);
      expect(await value(store, a)).toBeUndefined();
      await store.close();
    });

    it('expires entries after their TTL', async () => {
      const store = make();
      await put(store, a, 'short', 1);
      expect(await value(store, a)).toBe('short');
      await new Promise((r) => setTimeout(r, 1100));
      expect(await value(store, a)).toBeUndefined();
      await store.close();
    });
  });
}

describe('redis store clearing', () => {
  it('clears 100,000 entries with one O(1) write: no scan, no delete, no per-entry work', async () => {
    const p = `${prefix}bulk:`;
    const store = new RedisStore(new Redis(REDIS_URL), p);
    const pipeline = redis.pipeline();
    for (let i = 0; i < 100_000; i += 1000) {
      pipeline.hset(`${p}{plt_a}:c:con_1`, Object.fromEntries(Array.from({ length: 1000 }, (_, j) => [`k${i + j}`, '0|v'])));
    }
    await pipeline.exec();
    await put(store, a, 'A');
    expect(await value(store, a)).toBe('A');

    const monitor = await redis.duplicate().monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args[0]!.toLowerCase()));
    await store.clearConnections('plt_a', ['con_1']);
    await new Promise((r) => setTimeout(r, 100));
    monitor.disconnect();
    expect(commands).toEqual(['hincrby']);
    expect(await value(store, a)).toBeUndefined();
    await store.close();
  });
});

describe('memory store bound', () => {
  it('evicts the least recently used entry past its size', async () => {
    const store = new MemoryStore(2);
    const at = (key: string) => ({ ...a, key });
    await put(store, at('x'), 'x');
    await put(store, at('y'), 'y');
    await store.get(at('x')); // x is now more recent than y
    await put(store, at('z'), 'z');
    expect(await store.getMany([at('x'), at('y'), at('z')])).toEqual(['x', undefined, 'z']);
  });
});
