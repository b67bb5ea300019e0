import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../server/cache/redis-store.ts';
import { SecretCache } from '../../server/cache/secret-cache.ts';
import type { EntryAddress, StoreRead } from '../../server/cache/store.ts';
import { loadConfig } from '../../server/config.ts';
import { KeyRing } from '../../server/crypto/keyring.ts';
import { openPglite, type Database } from '../../server/db/client.ts';
import { createLogger } from '../../server/logger.ts';
import { createMetrics, type Metrics } from '../../server/metrics.ts';
import { EgressGuard } from '../../server/providers/egress/egress-guard.ts';
import { ProviderClientPool } from '../../server/providers/registry.ts';
import { assembleDeps } from '../../server/services/assemble-deps.ts';
import { createConnection } from '../../server/services/connections.ts';
import type { ServiceDeps } from '../../server/services/deps.ts';
import { createPlatform } from '../../server/services/platforms.ts';
import { createProject } from '../../server/services/projects.ts';
import { resolveSecrets } from '../../server/services/resolution.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { LOOPBACK_NETWORKS } from '../support/egress.ts';
import { dropPrefix, REDIS_URL, testPrefix } from './support/redis.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

/** The real Redis store, counting its round trips: what a warm call costs is how many it makes. */
class CountingStore extends RedisStore {
  gets = 0;
  getManys: number[] = [];
  override get(a: EntryAddress): Promise<StoreRead> {
    this.gets += 1;
    return super.get(a);
  }
  override getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]> {
    this.getManys.push(addresses.length);
    return super.getMany(addresses);
  }
  reset() {
    this.gets = 0;
    this.getManys = [];
  }
}

const prefix = testPrefix();
let vault: VaultEmulator;
let readToken: string;
let database: Database;
let store: CountingStore;
let metrics: Metrics;
let deps: ServiceDeps;
let platformId: string;

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  for (let i = 0; i < 100; i++) vault.putSecret('secret', `app/batch-${i}`, { value: `batch-${i}` });
  const logger = createLogger('silent');
  const keyRing = KeyRing.parse(KeyRing.generateKey(1));
  const config = loadConfig({ LOG_LEVEL: 'silent', SM_PROVIDER_ALLOWED_NETWORKS: LOOPBACK_NETWORKS });
  database = await openPglite(undefined);
  metrics = createMetrics();
  store = new CountingStore(new Redis(REDIS_URL), prefix);
  const cache = new SecretCache(store, keyRing.deriveKey('sm-cache-v1'), { ttlSeconds: 3600, staleSeconds: 0, logger, metrics });
  const clients = new ProviderClientPool({ timeoutMs: 5000, logger, policy: config.providerPolicy, egress: new EgressGuard(config.allowedNetworks) });
  deps = assembleDeps({ db: database.db, keyRing, clients, logger, config, cache, metrics });
  platformId = (await createPlatform(database.db, 'batching')).id;
});
afterAll(async () => {
  await deps?.clients.closeAll();
  await deps?.audit.close(10_000);
  await deps?.cache.close();
  await database?.close();
  await vault?.close();
  await dropPrefix(prefix);
});

const admin = () => ({ platformId, actor: 'test', projectId: null });
const engine = (projectId?: string) => ({ platformId, actor: 'engine', projectId, manager: null });
const ref = (connectionId: string, path: string) => `{{sm:${connectionId}:${path}}}`;
const reads = () => vault.stats.byRoute['GET kv-read'] ?? 0;

async function newConnection(name: string, projectIds?: string[]) {
  return createConnection(deps, admin(), {
    name,
    provider: 'vault',
    authMethod: 'token',
    scope: projectIds ? 'PROJECT' : 'PLATFORM',
    ...(projectIds && { projectIds }),
    config: vaultTokenConfig(vault, readToken),
  });
}

async function lookups(): Promise<{ hit: number; miss: number }> {
  const { values } = await metrics.cacheLookups.get();
  const count = (result: string) => values.filter((v) => v.labels.kind === 'value' && v.labels.result === result).reduce((n, v) => n + v.value, 0);
  return { hit: count('hit'), miss: count('miss') };
}

describe('a warm resolve call', () => {
  it('reads all its references from the cache in one round trip, each distinct path once', async () => {
    const connection = await newConnection('warm');
    // The last entry names the first path again, written another way: one entry, read once.
    const references = [...Array.from({ length: 100 }, (_, i) => ref(connection.id, `secret/app/batch-${i}`)), ref(connection.id, ' secret/app/batch-0')];
    const expected = [...references.slice(0, 100).map((_, i) => `batch-${i}`), 'batch-0'];
    vault.stats.reset();
    expect((await resolveSecrets(deps, engine(), { references, onError: 'throw' })).values).toEqual(expected);
    expect(reads(), 'cold: each distinct path from the provider once').toBe(100);
    await deps.cache.idle();

    vault.stats.reset();
    store.reset();
    const before = await lookups();
    expect((await resolveSecrets(deps, engine(), { references, onError: 'throw' })).values).toEqual(expected);
    expect(store.getManys).toEqual([100]);
    expect(store.gets).toBe(0);
    expect(reads()).toBe(0);
    const after = await lookups();
    expect({ hit: after.hit - before.hit, miss: after.miss - before.miss }).toEqual({ hit: 100, miss: 0 });
  });

  it('loads what a partly warm call misses once each, through the usual path, and serves the rest from the one read', async () => {
    const connection = await newConnection('partly warm');
    const warmRefs = Array.from({ length: 50 }, (_, i) => ref(connection.id, `secret/app/batch-${i}`));
    await resolveSecrets(deps, engine(), { references: warmRefs, onError: 'throw' });
    await deps.cache.idle();

    const coldRefs = Array.from({ length: 50 }, (_, i) => ref(connection.id, `secret/app/batch-${50 + i}`));
    // Interleaved, with a cold path named twice.
    const references = [...warmRefs.flatMap((w, i) => [w, coldRefs[i]!]), ref(connection.id, ' secret/app/batch-99')];
    vault.stats.reset();
    store.reset();
    const before = await lookups();
    const out = await resolveSecrets(deps, engine(), { references, onError: 'report' });
    expect(out.results?.every((r) => r.ok)).toBe(true);
    expect(out.values).toEqual([...Array.from({ length: 50 }, (_, i) => [`batch-${i}`, `batch-${50 + i}`]).flat(), 'batch-99']);
    expect(store.getManys).toEqual([100]);
    expect(reads(), 'each missing path from the provider once').toBe(50);
    const after = await lookups();
    expect({ hit: after.hit - before.hit, miss: after.miss - before.miss }).toEqual({ hit: 50, miss: 50 });
    // Only the misses went through getOrLoad: one read each (the second spelling of a path joins the first's load, or reads its write).
    expect(store.gets).toBeGreaterThanOrEqual(50);
    expect(store.gets).toBeLessThanOrEqual(52);
  });

  it('reads nothing from the cache for a connection the caller does not see', async () => {
    const [a, b] = [await createProject(database.db, platformId, { name: 'A' }), await createProject(database.db, platformId, { name: 'B' })];
    const onlyA = await newConnection('only A', [a.id]);
    const shared = await newConnection('shared');
    const references = [ref(onlyA.id, 'secret/app/batch-1'), ref(shared.id, 'secret/app/batch-1'), ref(shared.id, 'secret/app/batch-2')];
    await resolveSecrets(deps, engine(a.id), { references, onError: 'throw' });
    await deps.cache.idle();

    store.reset();
    const out = await resolveSecrets(deps, engine(b.id), { references, onError: 'report' });
    expect(out.results?.map((r) => (r.ok ? r.value : r.code))).toEqual(['CONNECTION_NOT_FOUND', 'batch-1', 'batch-2']);
    expect(store.getManys, 'only the two entries of the shared connection').toEqual([2]);
    expect(store.gets).toBe(0);
  });
});
