import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createSecretCache, SecretCache } from '../../../server/cache/index.ts';
import { MemoryStore } from '../../../server/cache/memory-store.ts';
import { RedisStore } from '../../../server/cache/redis-store.ts';
import { KeyRing } from '../../../server/crypto/keyring.ts';
import { SecretManagerError } from '../../../server/errors.ts';
import { createLogger } from '../../../server/logger.ts';
import { createMetrics } from '../../../server/metrics.ts';
import { DisposableRedis, dropPrefix, REDIS_URL, testPrefix } from '../support/redis.ts';

const prefix = testPrefix();
const raw = new Redis(REDIS_URL);
afterAll(async () => {
  await dropPrefix(prefix);
  raw.disconnect();
});

const ring = KeyRing.parse(KeyRing.generateKey(1));
const scope = { platformId: 'plt_a', connectionId: 'con_1', stamp: '1' };
const never = () => false;

function cacheOn(store: ConstructorParameters<typeof SecretCache>[0], options: { ttlSeconds?: number; staleSeconds?: number; now?: () => number } = {}) {
  const logs: string[] = [];
  const metrics = createMetrics();
  const logger = createLogger('info', new Writable({ write: (c, _e, done) => (logs.push(String(c)), done()) }));
  const cache = new SecretCache(store, ring.deriveKey('sm-cache-v1'), { ttlSeconds: options.ttlSeconds ?? 60, staleSeconds: options.staleSeconds ?? 0, logger, metrics, ...(options.now && { now: options.now }) });
  return { cache, logs, metrics };
}

describe('SecretCache', () => {
  it('serves a hit without calling the provider, and stores only ciphertext', async () => {
    const p = `${prefix}enc:`;
    const { cache } = cacheOn(new RedisStore(new Redis(REDIS_URL), p));
    let calls = 0;
    const load = async () => (calls++, { value: 'cache-canary-5f2d' });
    expect(await cache.getOrLoad(scope, 'value', 'secret/app#k', load, never)).toEqual({ data: { value: 'cache-canary-5f2d' }, source: 'provider' });
    expect(await cache.getOrLoad(scope, 'value', 'secret/app#k', load, never)).toEqual({ data: { value: 'cache-canary-5f2d' }, source: 'cache' });
    expect(calls).toBe(1);

    await new Promise((r) => setTimeout(r, 50)); // the write after a load is not awaited
    const keys = await raw.keys(`${p}*`);
    const dump = await Promise.all(
      keys.map(async (k) => ((await raw.type(k)) === 'hash' ? JSON.stringify(await raw.hgetall(k)) : ((await raw.getBuffer(k))?.toString('latin1') ?? ''))),
    );
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain('secret/app');
    expect(dump.join(' ')).not.toContain('cache-canary-5f2d');
    await cache.close();
  });

  it('answers a miss before writing it, and still writes it when closed right after', async () => {
    const p = `${prefix}close:`;
    const first = cacheOn(new RedisStore(new Redis(REDIS_URL), p)).cache;
    expect(await first.getOrLoad(scope, 'value', 'late', async () => 'written on close', never)).toEqual({ data: 'written on close', source: 'provider' });
    expect(await raw.keys(`${p}*`), 'nothing written before the caller had its value').toEqual([]);
    await first.close();
    const second = cacheOn(new RedisStore(new Redis(REDIS_URL), p)).cache;
    expect(await second.getOrLoad(scope, 'value', 'late', async () => 'loaded again', never)).toEqual({ data: 'written on close', source: 'cache' });
    await second.close();
  });

  it('does not open a ciphertext copied under another platform or connection', async () => {
    const p = `${prefix}aad:`;
    const { cache } = cacheOn(new RedisStore(new Redis(REDIS_URL), p));
    await cache.getOrLoad(scope, 'value', 'x', async () => 'platform A value', never);
    const source = `${p}{plt_a}:c:con_1`;
    const other = { platformId: 'plt_b', connectionId: 'con_1', stamp: '1' };
    let calls = 0;
    await cache.getOrLoad(other, 'value', 'x', async () => (calls++, 'platform B value'), never);
    await new Promise((r) => setTimeout(r, 50)); // the write after a load is not awaited
    // Plant platform A's ciphertext where platform B's entry for the same path lives.
    const target = `${p}{plt_b}:c:con_1`;
    const [field] = await raw.hkeys(target);
    const [sourceField] = await raw.hkeys(source);
    await raw.hset(target, field!, (await raw.hget(source, sourceField!))!);
    expect(await cache.getOrLoad(other, 'value', 'x', async () => (calls++, 'platform B value'), never)).toMatchObject({ data: 'platform B value', source: 'provider' });
    expect(calls).toBe(2);
    await cache.close();
  });

  it('makes one provider call for 1,000 concurrent misses', async () => {
    const { cache } = cacheOn(new RedisStore(new Redis(REDIS_URL), `${prefix}herd:`));
    let calls = 0;
    const load = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 50));
      return 'v';
    };
    const results = await Promise.all(Array.from({ length: 1000 }, () => cache.getOrLoad(scope, 'value', 'herd', load, never)));
    expect(calls).toBe(1);
    expect(new Set(results.map((r) => r.data))).toEqual(new Set(['v']));
    await cache.close();
  });

  describe('a caller that stops waiting', () => {
    /** A load the test finishes by hand, recording the signal it was given. */
    function manualLoad() {
      const loads: { signal: AbortSignal; finish: (value: string) => void }[] = [];
      const load = (signal: AbortSignal) => new Promise<string>((resolve, reject) => {
        loads.push({ signal, finish: resolve });
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      return { loads, load };
    }
    const reason = (name: string) => new Error(`${name} stopped`);
    /** Lets the callers reach the shared load (a store read happens first). */
    const joined = async (loads: unknown[], callers: number, cache: SecretCache) => {
      await expect.poll(() => loads.length).toBe(1);
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
      expect((cache as unknown as { inFlight: Map<string, { waiting: number }> }).inFlight.values().next().value?.waiting).toBe(callers);
    };

    it('is released at once with its own reason, while the shared load goes on for the others', async () => {
      const { cache } = cacheOn(new MemoryStore(100));
      const { loads, load } = manualLoad();
      const [a, b] = [new AbortController(), new AbortController()];
      const first = cache.getOrLoad(scope, 'value', 'shared', load, never, a.signal);
      const second = cache.getOrLoad(scope, 'value', 'shared', load, never, b.signal);
      const third = cache.getOrLoad(scope, 'value', 'shared', load, never);
      await joined(loads, 3, cache);
      a.abort(reason('a'));
      await expect(first).rejects.toThrow('a stopped');
      expect(loads[0]!.signal.aborted).toBe(false);
      b.abort(reason('b'));
      await expect(second).rejects.toThrow('b stopped');
      // A caller without a signal always waits: the load is never abandoned under it.
      expect(loads[0]!.signal.aborted).toBe(false);
      loads[0]!.finish('for the one still waiting');
      expect(await third).toEqual({ data: 'for the one still waiting', source: 'provider' });
      expect(loads).toHaveLength(1);
      await cache.close();
    });

    it('aborts the shared load once the last caller has stopped waiting, and the next caller loads afresh', async () => {
      const { cache } = cacheOn(new MemoryStore(100));
      const { loads, load } = manualLoad();
      const [a, b] = [new AbortController(), new AbortController()];
      const first = cache.getOrLoad(scope, 'value', 'abandoned', load, never, a.signal);
      const second = cache.getOrLoad(scope, 'value', 'abandoned', load, never, b.signal);
      await joined(loads, 2, cache);
      a.abort(reason('a'));
      b.abort(reason('b'));
      await expect(first).rejects.toThrow('a stopped');
      await expect(second).rejects.toThrow('b stopped');
      expect(loads[0]!.signal.aborted).toBe(true);
      expect(loads[0]!.signal.reason).toEqual(reason('b'));

      const later = cache.getOrLoad(scope, 'value', 'abandoned', load, never);
      await expect.poll(() => loads.length).toBe(2);
      loads[1]!.finish('loaded again');
      expect(await later).toEqual({ data: 'loaded again', source: 'provider' });
      await cache.close();
    });

    it('never starts a load when its signal has already aborted', async () => {
      const { cache } = cacheOn(new MemoryStore(100));
      const { loads, load } = manualLoad();
      await expect(cache.getOrLoad(scope, 'value', 'late', load, never, AbortSignal.abort(reason('late')))).rejects.toThrow('late stopped');
      expect(loads).toHaveLength(0);
    });
  });

  it('does not cache failures', async () => {
    const { cache } = cacheOn(new MemoryStore(100));
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new SecretManagerError('SECRET_NOT_FOUND', 'nope');
    };
    await expect(cache.getOrLoad(scope, 'value', 'f', failing, never)).rejects.toThrow('nope');
    await expect(cache.getOrLoad(scope, 'value', 'f', failing, never)).rejects.toThrow('nope');
    expect(calls).toBe(2);
  });

  it('expires values after the TTL', async () => {
    let now = 1_000_000;
    const { cache } = cacheOn(new MemoryStore(100), { ttlSeconds: 10, now: () => now });
    let calls = 0;
    const load = async () => `v${++calls}`;
    await cache.getOrLoad(scope, 'value', 't', load, never);
    now += 9_000;
    expect((await cache.getOrLoad(scope, 'value', 't', load, never)).data).toBe('v1');
    now += 2_000;
    expect((await cache.getOrLoad(scope, 'value', 't', load, never)).data).toBe('v2');
  });

  it('serves a recently expired value, flagged stale, only when the provider is unreachable and stale-if-error is on', async () => {
    let now = 1_000_000;
    const { cache, metrics } = cacheOn(new MemoryStore(100), { ttlSeconds: 10, staleSeconds: 60, now: () => now });
    await cache.getOrLoad(scope, 'value', 's', async () => 'old', never);
    now += 30_000;
    const unreachable = async () => {
      throw new SecretManagerError('CONNECTION_FAILED', 'down');
    };
    const transient = (e: unknown) => (e as SecretManagerError).code === 'CONNECTION_FAILED';
    expect(await cache.getOrLoad(scope, 'value', 's', unreachable, transient)).toEqual({ data: 'old', source: 'stale' });
    expect(await metrics.registry.getSingleMetricAsString('sm_cache_lookups_total')).toContain('result="stale"} 1');
    await expect(cache.getOrLoad(scope, 'value', 's', unreachable, never)).rejects.toThrow('down');
    now += 60_000;
    await expect(cache.getOrLoad(scope, 'value', 's', unreachable, transient)).rejects.toThrow('down');
  });

  it('keeps working straight from the provider while Redis is down, and uses it again once back', async () => {
    const server = await DisposableRedis.start();
    const logs: string[] = [];
    const metrics = createMetrics();
    const logger = createLogger('info', new Writable({ write: (c, _e, done) => (logs.push(String(c)), done()) }));
    const cache = createSecretCache({ redisUrl: server.url, keyPrefix: prefix, ttlSeconds: 60, staleSeconds: 0, maxMemoryEntries: 100 }, ring, logger, metrics);
    let calls = 0;
    const load = async () => `v${++calls}`;
    try {
      await cache.ready();
      await cache.getOrLoad(scope, 'value', 'r', load, never);
      expect((await cache.getOrLoad(scope, 'value', 'r', load, never)).source).toBe('cache');

      await server.kill();
      for (let i = 0; i < 5; i++) expect((await cache.getOrLoad(scope, 'value', 'r', load, never)).source).toBe('provider');
      expect(logs.filter((l) => l.includes('secret cache unavailable'))).toHaveLength(1);
      expect(await metrics.registry.getSingleMetricAsString('sm_cache_errors_total')).toMatch(/operation="get"} [1-9]/);
      await expect(cache.clearConnections('plt_a', ['con_1'])).rejects.toThrow();

      await server.restart();
      await expect.poll(async () => (await cache.getOrLoad(scope, 'value', 'r', load, never)).source, { timeout: 10_000, interval: 200 }).toBe('cache');
      expect(logs.some((l) => l.includes('reachable again'))).toBe(true);
    } finally {
      await cache.close();
      await server.kill();
    }
  });
});
