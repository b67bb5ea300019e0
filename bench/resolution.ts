import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import vault from 'node-vault';
import { createSecretCache } from '../server/cache/index.ts';
import { KeyRing } from '../server/crypto/keyring.ts';
import { openPglite } from '../server/db/client.ts';
import { createLogger } from '../server/logger.ts';
import { createMetrics } from '../server/metrics.ts';
import { ProviderClientPool } from '../server/providers/registry.ts';
import { assembleDeps } from '../server/services/assemble-deps.ts';
import { createConnection } from '../server/services/connections.ts';
import { createPlatform } from '../server/services/platforms.ts';
import { readThroughCache, resolveSecrets } from '../server/services/resolution.ts';
import { loadConfig } from '../server/config.ts';
import { atMost, information, ratioRow, samplePair, type Row } from './measure.ts';
import { Cleanup } from './cleanup.ts';
import { startVaultProcess } from './vault-process.ts';
import { EgressGuard } from '../server/providers/egress/egress-guard.ts';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH = 100;

/** Resolution and cache numbers of issue 4, each against a baseline measured in the same run. */
export async function benchResolution(): Promise<Row[]> {
  const cleanup = new Cleanup();
  try {
    return await measure(cleanup);
  } finally {
    await cleanup.run();
  }
}

async function measure(cleanup: Cleanup): Promise<Row[]> {
  const prefix = `sm-bench:${randomBytes(4).toString('hex')}:`;
  cleanup.add('remove the Redis keys', () => dropPrefix(prefix));
  const logger = createLogger('silent');
  const keyRing = KeyRing.parse(KeyRing.generateKey(1));
  // The emulator listens on this machine's loopback, which the operator must allow.
  const config = loadConfig({ LOG_LEVEL: 'silent', SM_PROVIDER_ALLOWED_NETWORKS: '127.0.0.1:*' });
  const database = await openPglite(undefined);
  cleanup.add('close the database', () => database.close());
  const metrics = createMetrics();
  const cache = createSecretCache({ redisUrl: REDIS_URL, keyPrefix: prefix, ttlSeconds: 3600, staleSeconds: 0, maxMemoryEntries: 1000 }, keyRing, logger, metrics);
  cleanup.add('close the cache', () => cache.close());
  await cache.ready();
  const egress = new EgressGuard(config.allowedNetworks);
  const clients = new ProviderClientPool({ timeoutMs: 10_000, logger, policy: config.providerPolicy, egress });
  cleanup.add('close the provider clients', () => clients.closeAll());
  const deps = assembleDeps({ db: database.db, keyRing, clients, logger, config, cache, metrics });
  cleanup.add('write the audit rows', () => deps.audit.close(10_000));

  const emulator = await startVaultProcess();
  cleanup.add("stop the bench's Vault", () => emulator.close());
  const value = randomBytes(24).toString('base64');
  await emulator.seed([
    { path: 'bench/hot', data: { value } },
    ...Array.from({ length: 3000 }, (_, i) => ({ path: `bench/cold-${i}`, data: { value } })),
    ...Array.from({ length: BATCH }, (_, i) => ({ path: `bench/batch-${i}`, data: { value } })),
  ]);
  const platform = await createPlatform(database.db, 'bench');
  const actor = { platformId: platform.id, actor: 'bench', projectId: null };
  const connection = await createConnection(deps, actor, {
    name: 'bench',
    provider: 'vault',
    authMethod: 'token',
    scope: 'PLATFORM',
    config: { url: emulator.url, token: emulator.rootToken, kvMount: 'secret', kvVersion: 2 },
  });
  const handle = (await deps.connections.lookup(platform.id, [connection.id])).get(connection.id)!;
  const rows: Row[] = [];

  // 1. Cached resolve in-process versus a bare GET of a value of the same size.
  const redis = new Redis(REDIS_URL);
  cleanup.add('disconnect from Redis', async () => redis.disconnect());
  await redis.set(`${prefix}baseline`, JSON.stringify({ value }));
  await readThroughCache(deps, handle, 'secret/bench/hot');
  const [cached, bareGet] = await samplePair(5000, () => readThroughCache(deps, handle, 'secret/bench/hot'), () => redis.get(`${prefix}baseline`));
  rows.push(ratioRow('cached resolve in-process vs bare ioredis GET', cached, bareGet, (r) => atMost(r, 1.25)));
  rows.push(ratioRow('cached resolve in-process vs bare ioredis GET', cached, bareGet, (r) => atMost(r, 1.5), 99));
  const reference = `{{sm:${connection.id}:secret/bench/hot}}`;
  const [fullCall] = await samplePair(2000, () => resolveSecrets(deps, { ...actor, projectId: undefined, manager: null }, { references: [reference], onError: 'throw' }), () => redis.get(`${prefix}baseline`));
  rows.push(ratioRow('whole resolve call (with its audit row) vs bare GET', fullCall, bareGet, (r) => information(r)));

  // A warm call of 100 references to one connection against a warm call of 1 (issue 13): one store round trip for all.
  const context = { ...actor, projectId: undefined, manager: null };
  const batch = Array.from({ length: BATCH }, (_, i) => `{{sm:${connection.id}:secret/bench/batch-${i}}}`);
  await resolveSecrets(deps, context, { references: batch, onError: 'throw' });
  await cache.idle();
  const [hundred, one] = await samplePair(
    500,
    () => resolveSecrets(deps, context, { references: batch, onError: 'throw' }),
    () => resolveSecrets(deps, context, { references: [reference], onError: 'throw' }),
  );
  rows.push(ratioRow(`warm resolve call, ${BATCH} references on one connection vs 1 (with their audit rows)`, hundred, one, (r) => atMost(r, 3)));

  // 2. Cold resolve (cache miss, provider read through the adapter) versus a bare SDK call.
  // A cold resolve returns before its cache write; the write lands before the baseline runs.
  const writeLands = () => cache.idle();
  const sdk = vault({ apiVersion: 'v1', endpoint: emulator.url, token: emulator.rootToken });
  // Distinct paths, so every resolve misses the cache; the SDK reads other secrets of the same size.
  const [cold, bareSdk] = await samplePair(
    1000,
    (i) => readThroughCache(deps, handle, `secret/bench/cold-${i < 0 ? 2000 - i : i}`),
    (i) => sdk.read(`secret/data/bench/cold-${i < 0 ? 2500 - i : 1000 + i}`),
    100,
    writeLands,
  );
  rows.push(ratioRow('cold resolve vs bare node-vault read, provider on loopback (≈ 1 ms)', cold, bareSdk, (r) => information(r, 'see the floor below')));
  // The floor for any cache in front of the provider: one bare GET, then the bare SDK read.
  const [floor, bareSdkAgain] = await samplePair(
    1000,
    async (i) => {
      await redis.get(`${prefix}baseline`);
      await sdk.read(`secret/data/bench/cold-${i < 0 ? 2100 - i : i}`);
    },
    (i) => sdk.read(`secret/data/bench/cold-${i < 0 ? 2600 - i : 1000 + i}`),
    100,
  );
  rows.push(ratioRow('bare GET + bare node-vault read vs bare read (the floor of the row above)', floor, bareSdkAgain, (r) => information(r, 'the floor')));
  // The same with 5 ms added to each answer, as from a Vault across a network: the cache's
  // own cost (one Redis round trip, the adapter) is fixed, the provider's is not.
  await emulator.setLatency(5);
  const [coldFar, bareFar] = await samplePair(
    300,
    (i) => readThroughCache(deps, handle, `secret/bench/cold-${i < 0 ? 2300 - i : 1000 + i}`),
    (i) => sdk.read(`secret/data/bench/cold-${i < 0 ? 2700 - i : 1500 + i}`),
    30,
    writeLands,
  );
  await emulator.setLatency(0);
  rows.push(ratioRow('cold resolve vs bare node-vault read, provider 5 ms away', coldFar, bareFar, (r) => atMost(r, 1.1)));

  // 3. Clearing a connection with 100,000 cached entries versus one with 10.
  const big = { ...handle, id: 'con_bench_big' };
  const small = { ...handle, id: 'con_bench_small' };
  const fill = async (target: typeof handle, n: number) => {
    const scope = { platformId: platform.id, connectionId: target.id, stamp: '1' };
    for (let i = 0; i < n; i += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, n - i) }, (_, j) => cache.put(scope, 'value', `p${i + j}`, { value })));
    }
  };
  // A clear deletes nothing, so every round of the pair meets the same 100,000 entries.
  await fill(big, 100_000);
  await fill(small, 10);
  const [clearBig, clearSmall] = await samplePair(500, () => cache.clearConnections(platform.id, [big.id]), () => cache.clearConnections(platform.id, [small.id]));
  // ≈ 1: a clear costs the same whatever the connection holds; 2 leaves room for noise, not for a scan.
  rows.push(ratioRow('clear 100,000 entries vs 10 entries', clearBig, clearSmall, (r) => atMost(r, 2)));

  // 4. Provider calls under a 1,000-way herd on one uncached reference.
  await emulator.seed([{ path: 'bench/herd', data: { value } }]);
  await emulator.resetStats();
  await emulator.setLatency(20);
  await Promise.all(Array.from({ length: 1000 }, () => readThroughCache(deps, handle, 'secret/bench/herd')));
  await emulator.setLatency(0);
  const herdCalls = await emulator.reads();
  rows.push({ measure: 'provider calls for 1,000 concurrent misses', ours: String(herdCalls), baseline: '1', ratio: herdCalls, target: '1', met: herdCalls === 1 });

  return rows;
}

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
