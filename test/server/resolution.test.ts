import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeyToken } from '../../server/auth/api-key-token.ts';
import { createApiKey } from '../../server/services/api-keys.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { dropPrefix, REDIS_URL, testPrefix } from './support/redis.ts';
import { hs256Token } from './support/embed-tokens.ts';
import { rawRows, rejection, startTestServer, type ApiClient, type TestServer } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

const prefix = testPrefix();
let t: TestServer;
let vault: VaultEmulator;
let readToken: string;

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  vault.putSecret('secret', 'app/plain', { value: 'plain-canary-91ab' });
  vault.putSecret('secret', 'app/rotating', { value: 'rotating-v1' });
  t = await startTestServer({ database: 'postgres', env: { REDIS_URL, SM_REDIS_KEY_PREFIX: prefix } });
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
  await dropPrefix(prefix);
});

const reads = () => vault.stats.byRoute['GET kv-read'] ?? 0;

async function setup() {
  const { admin, platformId, adminToken } = await t.newPlatform();
  const [pa, pb] = [await admin.projects.create.mutate({ name: 'A' }), await admin.projects.create.mutate({ name: 'B' })];
  const shared = await admin.secretManagers.create.mutate({ name: 'shared', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
  const onlyA = await admin.secretManagers.create.mutate({ name: 'only A', provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds: [pa.id], config: vaultTokenConfig(vault, readToken) });
  const engineA = t.client((await createApiKey(t.database.db, { platformId, role: 'engine', projectId: pa.id, token: generateApiKeyToken() })).token);
  const engineB = t.client((await createApiKey(t.database.db, { platformId, role: 'engine', projectId: pb.id, token: generateApiKeyToken() })).token);
  return { admin, adminToken, platformId, pa, pb, shared, onlyA, engineA, engineB };
}

const ref = (connectionId: string, path: string) => `{{sm:${connectionId}:${path}}}`;

describe('secrets.resolve', () => {
  it('resolves references, and every reference inside a JSON value, leaving the rest untouched', async () => {
    const { shared, engineA } = await setup();
    const password = ref(shared.id, 'secret/app/db#password');
    const out = await engineA.secrets.resolve.mutate({
      references: [password, ref(shared.id, 'secret/app/plain')],
      value: { auth: { password, header: `Bearer ${ref(shared.id, 'secret/app/plain')}` }, port: 5432, list: ['plain', password], nothing: null },
    });
    expect(out.values).toEqual(['vault-value-canary-7c1e', 'plain-canary-91ab']);
    expect(out.value).toEqual({
      auth: { password: 'vault-value-canary-7c1e', header: 'Bearer plain-canary-91ab' },
      port: 5432,
      list: ['plain', 'vault-value-canary-7c1e'],
      nothing: null,
    });
  });

  it('fails the call on the first failing reference, naming it, and never passes the literal on', async () => {
    const { shared, engineA } = await setup();
    const missing = ref(shared.id, 'secret/app/missing');
    const e = await rejection(engineA.secrets.resolve.mutate({ value: { token: missing } }));
    expect(e.data).toMatchObject({ secretManagerCode: 'SECRET_NOT_FOUND', httpStatus: 422 });
    expect(e.message).toContain(missing);
    const broken = await rejection(engineA.secrets.resolve.mutate({ value: { token: `{{sm:${shared.id}:}}` } }));
    expect(broken.data.secretManagerCode).toBe('INVALID_PATH');
  });

  it('reports per reference in report mode', async () => {
    const { shared, onlyA, engineB } = await setup();
    const out = await engineB.secrets.resolve.mutate({
      references: [ref(shared.id, 'secret/app/db#username'), ref(shared.id, 'secret/app/db#nope'), ref(onlyA.id, 'secret/app/db'), 'plain text'],
      onError: 'report',
    });
    expect(out.values).toEqual(['app', null, null, null]);
    expect(out.results).toEqual([
      { reference: ref(shared.id, 'secret/app/db#username'), ok: true, value: 'app' },
      { reference: ref(shared.id, 'secret/app/db#nope'), ok: false, code: 'KEY_NOT_FOUND', message: expect.any(String) },
      // Project B cannot use a connection scoped to project A.
      { reference: ref(onlyA.id, 'secret/app/db'), ok: false, code: 'CONNECTION_NOT_FOUND', message: expect.any(String) },
      { reference: 'plain text', ok: false, code: 'INVALID_PATH', message: expect.any(String) },
    ]);
  });

  it('applies the visibility rules, and never resolves for a member', async () => {
    const { admin, shared, onlyA, engineA, pa, platformId } = await setup();
    await expect(engineA.secrets.resolve.mutate({ references: [ref(onlyA.id, 'secret/app/db#username')] })).resolves.toEqual({ values: ['app'] });
    // Admins act in the platform context unless they name a project.
    await expect(admin.secrets.resolve.mutate({ references: [ref(onlyA.id, 'secret/app/db#username')] })).resolves.toEqual({ values: ['app'] });
    const other = await t.newPlatform();
    const foreign = await rejection(other.admin.secrets.resolve.mutate({ references: [ref(shared.id, 'secret/app/db')] }));
    expect(foreign.data.httpStatus).toBe(404);
    expect((await rejection(engineA.secrets.resolve.mutate({ projectId: 'prj_other', references: [ref(shared.id, 'secret/app/db')] }))).data.httpStatus).toBe(403);

    const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
    const jwt = await hs256Token(key, { role: 'member', projectId: pa.id });
    expect((await rejection(t.client(jwt).secrets.resolve.mutate({ references: [ref(shared.id, 'secret/app/db')] }))).data.httpStatus).toBe(403);
    await t.flushAudit();
    const events = await rawRows<{ outcome: string; details: { connectionIds: string[]; paths: string[] } }>(
      t.database,
      `select outcome, details from audit_events where platform_id = '${platformId}' and action = 'secrets.resolve' order by at`,
    );
    expect(events[0]).toMatchObject({ outcome: 'success', details: { connectionIds: [onlyA.id], paths: ['secret/app/db#username'] } });
    expect(JSON.stringify(events)).not.toContain('vault-value-canary');
  });

  it('serves repeated reads from the cache, and a rotated value after a clear (tRPC and REST)', async () => {
    const { admin, adminToken, shared, engineA } = await setup();
    const rotating = ref(shared.id, 'secret/app/rotating');
    const resolveOnce = async () => (await engineA.secrets.resolve.mutate({ references: [rotating] })).values![0];
    const before = reads();
    expect(await resolveOnce()).toBe('rotating-v1');
    expect(await resolveOnce()).toBe('rotating-v1');
    expect(reads() - before).toBe(1);

    vault.putSecret('secret', 'app/rotating', { value: 'rotating-v2' });
    expect(await resolveOnce()).toBe('rotating-v1');
    await admin.secretManagers.clearCache.mutate({ connectionId: shared.id });
    expect(await resolveOnce()).toBe('rotating-v2');

    vault.putSecret('secret', 'app/rotating', { value: 'rotating-v3' });
    const curl = (query: string, token = adminToken) =>
      fetch(`${t.url}/api/v1/secret-managers/cache${query}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect((await curl(`?connectionId=${shared.id}`)).status).toBe(204);
    expect(await resolveOnce()).toBe('rotating-v3');

    vault.putSecret('secret', 'app/rotating', { value: 'rotating-v4' });
    expect((await curl('')).status).toBe(204);
    expect(await resolveOnce()).toBe('rotating-v4');
    expect(reads() - before).toBe(4);
  });

  it('answers the REST clear with 401, 403 and 404 as documented, without calling a provider', async () => {
    const { shared, platformId } = await setup();
    const engine = (await createApiKey(t.database.db, { platformId, role: 'engine', token: generateApiKeyToken() })).token;
    const other = await t.newPlatform();
    const curl = (query: string, token?: string) =>
      fetch(`${t.url}/api/v1/secret-managers/cache${query}`, { method: 'DELETE', headers: token ? { authorization: `Bearer ${token}` } : {} });
    const before = vault.stats.requests;
    expect((await curl('')).status).toBe(401);
    expect((await curl('', 'smk_wrong')).status).toBe(401);
    expect((await curl('', engine)).status).toBe(403);
    expect((await curl(`?connectionId=${shared.id}`, other.adminToken)).status).toBe(404);
    expect((await curl('?connectionId=con_unknown', other.adminToken)).status).toBe(404);
    expect(vault.stats.requests).toBe(before);
  });

  // 1,000 HTTP calls with their auth lookups and audit rows: tens of seconds on a busy machine.
  it('makes one provider call for 1,000 concurrent resolves of one reference', { timeout: 120_000 }, async () => {
    const { shared, engineA } = await setup();
    vault.putSecret('secret', 'app/herd', { value: 'herd' });
    const herd = ref(shared.id, 'secret/app/herd');
    const before = reads();
    vault.faults.latencyMs = 100;
    try {
      const results = await Promise.all(Array.from({ length: 1000 }, () => engineA.secrets.resolve.mutate({ references: [herd] })));
      expect(new Set(results.map((r) => r.values![0]))).toEqual(new Set(['herd']));
    } finally {
      vault.faults.latencyMs = 0;
    }
    expect(reads() - before).toBe(1);
  });

  it('clears a connection\'s cache when it is edited or deleted', async () => {
    const { admin, shared, engineA } = await setup();
    vault.putSecret('secret', 'app/edited', { value: 'e1' });
    const edited = ref(shared.id, 'secret/app/edited');
    expect((await engineA.secrets.resolve.mutate({ references: [edited] })).values).toEqual(['e1']);
    vault.putSecret('secret', 'app/edited', { value: 'e2' });
    await admin.secretManagers.update.mutate({ id: shared.id, name: 'shared renamed' });
    expect((await engineA.secrets.resolve.mutate({ references: [edited] })).values).toEqual(['e2']);
    await admin.secretManagers.delete.mutate({ id: shared.id });
    const gone = await rejection(engineA.secrets.resolve.mutate({ references: [edited] }));
    expect(gone.data.httpStatus).toBe(404);
  });

  it('shows each connection\'s status from the last check, without a provider call per row', async () => {
    const { admin, shared, onlyA } = await setup();
    const before = vault.stats.requests;
    const list = await admin.secretManagers.list.query();
    expect(vault.stats.requests).toBe(before);
    expect(list.find((c) => c.id === shared.id)!.status).toMatchObject({ state: 'connected' });
    vault.writePolicy('read-app', [{ path: 'secret/data/app/*', capabilities: ['read'] }, { path: 'secret/metadata/app/*', capabilities: ['list', 'read'] }]);
    await admin.secretManagers.update.mutate({ id: onlyA.id, config: vaultTokenConfig(vault, readToken, { testPath: 'secret/app/db' }) });
    expect((await admin.secretManagers.get.query({ id: onlyA.id })).status).toMatchObject({ state: 'connected' });
  });

  it('never puts a secret value in a log line', () => {
    const logs = t.logs.join('\n');
    for (const canary of ['vault-value-canary-7c1e', 'plain-canary-91ab', 'rotating-v1', readToken]) expect(logs).not.toContain(canary);
  });
});

describe('secrets.check', () => {
  it('says whether a path resolves, with version and keys, never the value — members included', async () => {
    const { admin, shared, onlyA, pa, pb } = await setup();
    const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
    const memberOf = async (projectId: string): Promise<ApiClient> =>
      t.client(await hs256Token(key, { role: 'member', projectId }));
    const member = await memberOf(pa.id);
    const found = await member.secrets.check.query({ connectionId: shared.id, path: 'secret/app/db' });
    expect(found).toEqual({ exists: true, version: '1', keys: ['username', 'password'] });
    expect(JSON.stringify(found)).not.toContain('canary');
    expect(await member.secrets.check.query({ connectionId: shared.id, path: 'secret/app/none' })).toMatchObject({ exists: false, code: 'SECRET_NOT_FOUND' });
    expect(await member.secrets.check.query({ connectionId: shared.id, path: 'secret' })).toMatchObject({ exists: false, code: 'INVALID_PATH' });
    await expect(member.secrets.check.query({ connectionId: onlyA.id, path: 'secret/app/db' })).resolves.toMatchObject({ exists: true });
    const memberB = await memberOf(pb.id);
    expect((await rejection(memberB.secrets.check.query({ connectionId: onlyA.id, path: 'secret/app/db' }))).data.httpStatus).toBe(404);
  });
});
