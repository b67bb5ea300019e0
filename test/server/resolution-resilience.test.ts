import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeyToken } from '../../server/auth/api-key-token.ts';
import { createApiKey } from '../../server/services/api-keys.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { startSeededVault } from './support/vault.ts';

const METRICS_TOKEN = 'metrics-token-of-this-test-0123456789';

let vault: VaultEmulator;
let approle: { roleId: string; secretId: string };
const servers: TestServer[] = [];

beforeAll(async () => {
  ({ vault } = await startSeededVault());
  vault.enableAppRole();
  approle = vault.createAppRole('engine', { policies: ['read-app'], tokenTtlSeconds: 3600 });
  for (let i = 0; i < 20; i++) vault.putSecret('secret', `app/batch-${i}`, { value: `batch-${i}` });
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  await vault?.close();
});

async function serverWith(env: Record<string, string>) {
  const t = await startTestServer({ database: 'postgres', env });
  servers.push(t);
  const { admin, platformId } = await t.newPlatform();
  const connection = await admin.secretManagers.create.mutate({
    name: 'approle',
    provider: 'vault',
    authMethod: 'approle',
    scope: 'PLATFORM',
    config: { url: vault.url, kvMount: 'secret', kvVersion: 2, ...approle },
  });
  const engine = t.client((await createApiKey(t.database.db, { platformId, role: 'engine', token: generateApiKeyToken() })).token);
  return { t, engine, connection };
}

describe('resolution under load and outages', () => {
  it('logs in once for a batch of references to one connection, fetching distinct paths concurrently', async () => {
    const { engine, connection } = await serverWith({});
    vault.stats.reset();
    const references = Array.from({ length: 20 }, (_, i) => `{{sm:${connection.id}:secret/app/batch-${i}}}`);
    const out = await engine.secrets.resolve.mutate({ references });
    expect(out.values).toEqual(references.map((_, i) => `batch-${i}`));
    expect(vault.stats.logins).toBe(1);
    expect(vault.stats.byRoute['GET kv-read']).toBe(20);
  });

  it('resolves straight from the provider when Redis is unreachable from the start', async () => {
    const { t, engine, connection } = await serverWith({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, SM_METRICS_TOKEN: METRICS_TOKEN });
    const reference = `{{sm:${connection.id}:secret/app/db#username}}`;
    for (let i = 0; i < 3; i++) expect((await engine.secrets.resolve.mutate({ references: [reference] })).values).toEqual(['app']);
    expect(t.logs.filter((l) => l.includes('not reachable at start'))).toHaveLength(1);
    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    expect(metrics).toMatch(/sm_cache_errors_total\{operation="get"\} [1-9]/);
  });

  it('serves a recently expired value flagged stale when the provider is down and stale-if-error is on', async () => {
    const { engine, connection } = await serverWith({ SM_CACHE_TTL_SECONDS: '1', SM_STALE_IF_ERROR_SECONDS: '600' });
    const reference = `{{sm:${connection.id}:secret/app/db#username}}`;
    expect((await engine.secrets.resolve.mutate({ references: [reference] })).values).toEqual(['app']);
    await new Promise((r) => setTimeout(r, 1100));
    vault.faults.dropConnections = true;
    try {
      const out = await engine.secrets.resolve.mutate({ references: [reference], onError: 'report' });
      expect(out.results).toEqual([{ reference, ok: true, value: 'app', stale: true }]);
    } finally {
      vault.faults.dropConnections = false;
    }
  });
});
