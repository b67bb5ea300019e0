/**
 * Faults of what the server depends on, while it runs: its Redis killed and restarted, a
 * provider answering 503 (sealed) or 429 (throttling). Each time the user gets a typed
 * answer (never a 500, never the infrastructure's words), and nothing is lost: the
 * connections, an audit row per call, and clearing the cache once Redis is back.
 * (PostgreSQL faults: test/server/database-faults.test.ts; a hanging provider: the resolve deadline tests.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { DisposableRedis } from './support/redis.ts';
import { rawRows, rejection, startTestServer, type ApiClient, type TestServer } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

let vault: VaultEmulator;
let readToken: string;
let redis: DisposableRedis;
let t: TestServer;
let admin: ApiClient;
let adminToken: string;
let engine: ApiClient;
let connectionId: string;
const reference = () => `{{sm:${connectionId}:secret/app/db#password}}`;

async function auditCount(action: string): Promise<number> {
  await t.flushAudit();
  const [row] = await rawRows<{ n: string }>(t.database, `select count(*) as n from audit_events where action = '${action}'`);
  return Number(row!.n);
}

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  redis = await DisposableRedis.start();
  t = await startTestServer({ database: 'postgres', env: { REDIS_URL: redis.url } });
  ({ admin, adminToken } = await t.newPlatform());
  engine = t.client((await admin.apiKeys.create.mutate({ name: 'engine', role: 'engine' })).token);
  connectionId = (await admin.secretManagers.create.mutate({ name: 'Vault', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) })).id;
});
afterAll(async () => {
  await t?.stop();
  await redis?.kill();
  await vault?.close();
});

describe('Redis killed and restarted', () => {
  it('keeps resolving from the provider, refuses to pretend a clear happened, and uses the cache again once back', async () => {
    expect((await engine.secrets.resolve.mutate({ references: [reference()] })).values).toEqual(['vault-value-canary-7c1e']);
    const resolvesBefore = await auditCount('secrets.resolve');
    await redis.kill();

    vault.stats.reset();
    for (let i = 0; i < 3; i++) expect((await engine.secrets.resolve.mutate({ references: [reference()] })).values).toEqual(['vault-value-canary-7c1e']);
    expect(vault.stats.byRoute['GET kv-read']).toBe(3);
    const refused = await rejection(admin.secretManagers.clearCache.mutate({ connectionId }));
    expect(refused.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
    expect(refused.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4,5}\b/);
    const rest = await fetch(`${t.url}/api/v1/secret-managers/cache?connectionId=${connectionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(rest.status).toBe(503);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);

    await redis.restart();
    // Reconnecting takes the client a moment: resolves go on meanwhile, and then use the cache.
    let cached = false;
    for (let i = 0; i < 50 && !cached; i++) {
      vault.stats.reset();
      await engine.secrets.resolve.mutate({ references: [reference()] });
      await engine.secrets.resolve.mutate({ references: [reference()] });
      cached = (vault.stats.byRoute['GET kv-read'] ?? 0) < 2;
      if (!cached) await new Promise((r) => setTimeout(r, 100));
    }
    expect(cached, 'the cache serves again after Redis is back').toBe(true);
    await expect(admin.secretManagers.clearCache.mutate({ connectionId })).resolves.toEqual({ cleared: connectionId });

    // Nothing lost: every resolve audited, the connection as it was.
    expect(await auditCount('secrets.resolve')).toBeGreaterThanOrEqual(resolvesBefore + 5);
    expect((await admin.secretManagers.list.query()).map((c) => c.id)).toEqual([connectionId]);
    expect(t.logs.join('\n')).not.toContain(readToken);
  });
});

describe('a provider that refuses for now', () => {
  it.each([
    [503, 'sealed'],
    [429, 'throttling'],
  ])('answers a typed error for a Vault answering %i (%s), audits it, and recovers', async (status) => {
    await admin.secretManagers.clearCache.mutate({ connectionId });
    vault.faults.status5xx = status;
    vault.faults.failNextRequests = 100;
    try {
      const failed = await engine.secrets.resolve.mutate({ references: [reference()], onError: 'report' });
      expect(failed.results).toEqual([expect.objectContaining({ ok: false, code: expect.stringMatching(/^(PROVIDER_ERROR|CONNECTION_FAILED)$/) })]);
      const thrown = await rejection(engine.secrets.resolve.mutate({ references: [reference()] }));
      expect(thrown.data.httpStatus).toBe(502);
      await t.flushAudit();
      const [audit] = await rawRows<{ outcome: string }>(t.database, `select outcome from audit_events where action = 'secrets.resolve' order by at desc limit 1`);
      expect(audit!.outcome).toBe('failure');
    } finally {
      vault.faults.failNextRequests = 0;
      vault.faults.status5xx = 503;
    }
    expect((await engine.secrets.resolve.mutate({ references: [reference()] })).values).toEqual(['vault-value-canary-7c1e']);
  });
});
