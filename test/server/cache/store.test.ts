import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../../server/cache/memory-store.ts';
import { RedisStore } from '../../../server/cache/redis-store.ts';
import type { CacheStore } from '../../../server/cache/store.ts';
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

/** The contract both stores keep: the in-process default must behave exactly like Redis. */
for (const [name, make] of [
  ['redis', () => new RedisStore(new Redis(REDIS_URL), `${prefix}${Math.random()}:`)],
  ['memory', () => new MemoryStore(1000)],
] as const) {
  describe(`${name} store`, () => {
    const put = async (store: CacheStore, address: typeof a, value: string, ttl = 60) => {
      const read = await store.get(address);
      await store.set(address, read.generations, value, ttl);
    };

    it('reads what was written, per address', async () => {
      const store = make();
      await put(store, a, 'A');
      await put(store, b, 'B');
      expect((await store.get(a)).value).toBe('A');
      expect((await store.get(b)).value).toBe('B');
      expect((await store.get(other)).value).toBeUndefined();
      expect(await store.getMany([a, b, other])).toEqual(['A', 'B', undefined]);
      await store.close();
    });

    it('clears one connection, or a whole platform, without touching others', async () => {
      const store = make();
      await put(store, a, 'A');
      await put(store, b, 'B');
      await put(store, other, 'O');
      await store.clearConnection('plt_a', 'con_1');
      expect(await store.getMany([a, b, other])).toEqual([undefined, 'B', 'O']);
      await store.clearPlatform('plt_a');
      expect(await store.getMany([a, b, other])).toEqual([undefined, undefined, 'O']);
      await put(store, a, 'A2');
      expect((await store.get(a)).value).toBe('A2');
      await store.close();
    });

    it('drops a write made under generations a clear has since moved', async () => {
      const store = make();
      const before = await store.get(a);
      await store.clearConnection('plt_a', 'con_1');
      await store.set(a, before.generations, 'loaded before the clear', 60);
      expect((await store.get(a)).value).toBeUndefined();
      await store.close();
    });

    it('expires entries after their TTL', async () => {
      const store = make();
      await put(store, a, 'short', 1);
      expect((await store.get(a)).value).toBe('short');
      await new Promise((r) => setTimeout(r, 1100));
      expect((await store.get(a)).value).toBeUndefined();
      await store.close();
    });
  });
}

describe('redis store clearing', () => {
  it('clears 100,000 entries with one write and no scan (the keys stay to expire)', async () => {
    const p = `${prefix}bulk:`;
    const store = new RedisStore(new Redis(REDIS_URL), p);
    const { generations } = await store.get(a);
    const pipeline = redis.pipeline();
    for (let i = 0; i < 100_000; i++) pipeline.set(`${p}{plt_a}:e:con_1:${generations}:k${i}`, 'v', 'EX', 60);
    await pipeline.exec();
    await store.set(a, generations, 'A', 60);

    const monitor = await redis.duplicate().monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((x) => x.startsWith(p))) commands.push(args[0]!.toLowerCase());
    });
    await store.clearConnection('plt_a', 'con_1');
    await new Promise((r) => setTimeout(r, 100));
    monitor.disconnect();
    expect(commands).toEqual(['incr']);
    expect((await store.get(a)).value).toBeUndefined();
    await store.close();
  });
});

describe('memory store bound', () => {
  it('evicts the least recently used entry past its size', async () => {
    const store = new MemoryStore(2);
    const at = (key: string) => ({ ...a, key });
    for (const key of ['x', 'y']) await store.set(at(key), (await store.get(at(key))).generations, key, 60);
    await store.get(at('x')); // x is now more recent than y
    await store.set(at('z'), (await store.get(at('z'))).generations, 'z', 60);
    expect(await store.getMany([at('x'), at('y'), at('z')])).toEqual(['x', undefined, 'z']);
  });
});
