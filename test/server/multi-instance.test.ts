import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeyToken } from '../../server/auth/api-key-token.ts';
import { KeyRing } from '../../server/crypto/keyring.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { dropPrefix, REDIS_URL, testPrefix } from './support/redis.ts';
import { apiClient, rejection } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';
import postgres from 'postgres';
import { hs256Token } from './support/embed-tokens.ts';
import { TcpProxy } from './support/tcp-proxy.ts';
import { LOOPBACK_NETWORKS } from '../support/egress.ts';

const cli = join(import.meta.dirname, '../../bin/secret-managers.js');
const prefix = testPrefix();
const adminToken = `bootstrap-${generateApiKeyToken()}`;
let db: TestDatabase;
let vault: VaultEmulator;
let readToken: string;
const processes: ChildProcess[] = [];
/** The two instances the first test starts; the tests after it reuse them. */
let instances: [string, string] | undefined;
let instanceEnv: Record<string, string>;

/** A real `secret-managers serve` process; resolves to its base URL once it is ready. */
async function serve(env: Record<string, string>): Promise<string> {
  const port = await closedPort();
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { PATH: process.env.PATH!, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  processes.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return url;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  vault.putSecret('secret', 'app/shared', { value: 'one' });
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  await vault?.close();
  await db?.drop();
  await dropPrefix(prefix);
});

describe('several server instances on one PostgreSQL and one Redis', () => {
  it('see a cache clear made through another instance at once', async () => {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      SM_REDIS_KEY_PREFIX: prefix,
      SM_ENCRYPTION_KEYS: KeyRing.generateKey(1),
      SM_BOOTSTRAP_ADMIN_TOKEN: adminToken,
      SM_PROVIDER_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
    };
    instanceEnv = env;
    // Started together: migrations and bootstrap must not trip over each other.
    const [a, b] = await Promise.all([serve(env), serve(env)]);
    instances = [a, b];
    const onA = apiClient(a, adminToken);
    const onB = apiClient(b, adminToken);
    const connection = await onA.secretManagers.create.mutate({ name: 'shared', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
    const reference = `{{sm:${connection.id}:secret/app/shared}}`;
    const resolveOnB = async () => (await onB.secrets.resolve.mutate({ references: [reference] })).values![0];

    expect(await resolveOnB()).toBe('one');
    vault.putSecret('secret', 'app/shared', { value: 'two' });
    expect(await resolveOnB()).toBe('one');
    const cleared = await fetch(`${a}/api/v1/secret-managers/cache?connectionId=${connection.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(cleared.status).toBe(204);
    expect(await resolveOnB()).toBe('two');
    expect((await onB.secretManagers.list.query()).map((c) => c.name)).toEqual(['shared']);
  }, 60_000);

  it('refuse an API key revoked through another instance from the next request on', async () => {
    const [a, b] = instances!;
    const key = await apiClient(a, adminToken).apiKeys.create.mutate({ name: 'short-lived engine', role: 'engine' });
    const onB = apiClient(b, key.token);
    await expect(onB.secretManagers.list.query()).resolves.toEqual(expect.any(Array));
    await apiClient(a, adminToken).apiKeys.revoke.mutate({ id: key.id });
    // No wait, no retry: the very next request on the other instance is refused.
    expect((await rejection(onB.secretManagers.list.query())).data.httpStatus).toBe(401);
    const raw = await fetch(`${b}/trpc/secretManagers.list`, { headers: { authorization: `Bearer ${key.token}` } });
    expect(raw.status).toBe(401);
  });

  it('refuse an embed key revoked through another instance from the next request on', async () => {
    const [a, b] = instances!;
    const admin = apiClient(a, adminToken);
    const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
    const onB = apiClient(b, await hs256Token(key, { role: 'admin' }));
    await expect(onB.secretManagers.list.query()).resolves.toEqual(expect.any(Array));
    await admin.embedKeys.revoke.mutate({ id: key.id });
    expect((await rejection(onB.secretManagers.list.query())).data.httpStatus).toBe(401);
  });

  it('stop resolving through a connection the moment another instance re-scopes it, deletes its project or deletes it', async () => {
    const [a, b] = instances!;
    const admin = apiClient(a, adminToken);
    const [kept, dropped] = [await admin.projects.create.mutate({ name: 'kept' }), await admin.projects.create.mutate({ name: 'dropped' })];
    const connection = await admin.secretManagers.create.mutate({
      name: 'scoped',
      provider: 'vault',
      authMethod: 'token',
      scope: 'PROJECT',
      projectIds: [kept.id, dropped.id],
      config: vaultTokenConfig(vault, readToken),
    });
    const reference = `{{sm:${connection.id}:secret/app/shared}}`;
    const engineOf = async (projectId: string) => apiClient(b, (await admin.apiKeys.create.mutate({ name: `engine ${projectId}`, role: 'engine', projectId })).token);
    const [keptEngine, droppedEngine] = [await engineOf(kept.id), await engineOf(dropped.id)];
    const member = apiClient(b, await hs256Token(await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' }), { role: 'member', projectId: dropped.id }));
    const resolveAs = async (engine: typeof keptEngine) => (await engine.secrets.resolve.mutate({ references: [reference] })).values![0];
    // Warm on B: the value, the connection and both principals are in its memory now.
    for (const engine of [keptEngine, droppedEngine]) expect(await resolveAs(engine)).toEqual(expect.any(String));
    const memberSees = async () => (await member.secretManagers.list.query()).map((c) => c.id);
    expect(await memberSees()).toContain(connection.id);

    await admin.secretManagers.update.mutate({ id: connection.id, projectIds: [kept.id] });
    expect((await rejection(resolveAs(droppedEngine))).data.httpStatus).toBe(404);
    expect(await memberSees()).not.toContain(connection.id);
    expect(await resolveAs(keptEngine)).toEqual(expect.any(String));

    await admin.secretManagers.update.mutate({ id: connection.id, projectIds: [kept.id, dropped.id] });
    expect(await memberSees()).toContain(connection.id);
    await admin.projects.delete.mutate({ id: dropped.id });
    // Its engine key went with it (cascade), and the member's token names a project that is gone.
    expect((await rejection(resolveAs(droppedEngine))).data.httpStatus).toBe(401);
    expect((await rejection(member.secretManagers.list.query())).data.httpStatus).toBe(401);

    await admin.secretManagers.delete.mutate({ id: connection.id });
    expect((await rejection(resolveAs(keptEngine))).data.httpStatus).toBe(404);
  });

  it('answer a warm resolve without the database: the tables of keys, projects and connections locked meanwhile', async () => {
    const [a, b] = instances!;
    const admin = apiClient(a, adminToken);
    const connection = await admin.secretManagers.create.mutate({ name: 'hot', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
    const engine = apiClient(b, (await admin.apiKeys.create.mutate({ name: 'hot engine', role: 'engine' })).token);
    const references = [`{{sm:${connection.id}:secret/app/shared}}`];
    const warm = (await engine.secrets.resolve.mutate({ references })).values;
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const answers = await sql.begin(async (tx) => {
        // Any read of these by the server now waits for this transaction, until its statement timeout.
        await tx.unsafe('lock table api_keys, embed_signing_keys, projects, secret_manager_connections, connection_projects in access exclusive mode');
        return Promise.all(Array.from({ length: 20 }, () => engine.secrets.resolve.mutate({ references })));
      });
      expect(answers.map((answer) => answer.values)).toEqual(Array.from({ length: 20 }, () => warm));
    } finally {
      await sql.end();
    }
  });

  it('read the database instead of trusting memory while Redis cannot tell them of changes', async () => {
    const [a] = instances!;
    const redis = await TcpProxy.start(REDIS_URL);
    try {
      const c = await serve({ ...instanceEnv, REDIS_URL: redis.via(REDIS_URL) });
      const admin = apiClient(a, adminToken);
      const key = await admin.apiKeys.create.mutate({ name: 'engine seen by C', role: 'engine' });
      const onC = apiClient(c, key.token);
      await expect(onC.secretManagers.list.query()).resolves.toEqual(expect.any(Array));
      await redis.cut();
      await admin.apiKeys.revoke.mutate({ id: key.id });
      // C cannot read the new generation: it asks the database, which says "revoked".
      expect((await rejection(onC.secretManagers.list.query())).data.httpStatus).toBe(401);
      await expect(apiClient(c, adminToken).secretManagers.list.query()).resolves.toEqual(expect.any(Array));
    } finally {
      await redis.cut();
    }
  });
});
