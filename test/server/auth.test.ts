import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeyToken } from '../../server/auth/api-key-token.ts';
import { createApiKey } from '../../server/services/api-keys.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { EMBED_AUDIENCE, hs256Token } from './support/embed-tokens.ts';
import { rejection, startTestServer, type TestServer } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

let t: TestServer;
let vault: VaultEmulator;
let readToken: string;

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  t = await startTestServer({ database: 'postgres' });
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

describe('authentication', () => {
  it('answers 401 without a token, with an unknown one, or a revoked embed key', async () => {
    for (const token of [undefined, 'smk_unknown', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln']) {
      const e = await rejection(t.client(token).providers.list.query());
      expect(e.data.httpStatus).toBe(401);
    }
    const res = await fetch(`${t.url}/trpc/providers.list`, { headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
  });

  it('accepts embed JWTs signed with a registered HS256 key, until they expire or the key is revoked', async () => {
    const { admin } = await t.newPlatform();
    const project = await admin.projects.create.mutate({ name: 'Flows', externalId: 'host-project-1' });
    const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
    expect(key.secret).toEqual(expect.any(String));
    expect(JSON.stringify(await admin.embedKeys.list.query())).not.toContain(key.secret!);

    const member = t.client(await hs256Token(key, { sub: 'user-1', role: 'member', projectId: project.id }));
    await expect(member.secretManagers.list.query()).resolves.toEqual([]);
    // Hosts may name the project by their own id.
    const byExternal = t.client(await hs256Token(key, { sub: 'user-1', role: 'member', projectId: 'host-project-1' }));
    await expect(byExternal.secretManagers.list.query({ projectId: project.id })).resolves.toEqual([]);

    const expired = await rejection(
      t.client(await hs256Token(key, { role: 'member', projectId: project.id }, { issuedAt: Math.floor(Date.now() / 1000) - 70, lifetimeSeconds: 60 })).providers.list.query(),
    );
    expect(expired.data.httpStatus).toBe(401);
    expect(expired.message).toMatch(/expired/);

    const forged = await rejection(t.client(await hs256Token({ id: key.id, secret: 'not-the-secret' }, { role: 'admin' })).providers.list.query());
    expect(forged.data.httpStatus).toBe(401);
    const noRole = await rejection(t.client(await hs256Token(key, { role: 'owner' })).providers.list.query());
    expect(noRole.data.httpStatus).toBe(401);
    const memberWithoutProject = await rejection(t.client(await hs256Token(key, { role: 'member' })).providers.list.query());
    expect(memberWithoutProject.message).toMatch(/projectId/);

    await admin.embedKeys.revoke.mutate({ id: key.id });
    expect((await rejection(member.secretManagers.list.query())).data.httpStatus).toBe(401);
  });

  it('accepts embed JWTs signed with a host key whose public JWK is registered', async () => {
    const { admin } = await t.newPlatform();
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const key = await admin.embedKeys.create.mutate({ name: 'host es256', algorithm: 'ES256', publicJwk: (await exportJWK(publicKey)) as Record<string, unknown> });
    expect(key).not.toHaveProperty('secret');
    const jwt = await new SignJWT({ role: 'admin' })
      .setSubject('ops@host')
      .setProtectedHeader({ alg: 'ES256', kid: key.id })
      .setAudience(EMBED_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect(t.client(jwt).projects.list.query()).resolves.toEqual([]);

    const privateJwk = (await exportJWK(privateKey)) as Record<string, unknown>;
    const leaked = await rejection(admin.embedKeys.create.mutate({ name: 'bad', algorithm: 'ES256', publicJwk: privateJwk }));
    expect(leaked.data.httpStatus).toBe(400);
  });

  it('lets only admins manage connections and projects (403 for members and engine keys)', async () => {
    const { admin, platformId } = await t.newPlatform();
    const project = await admin.projects.create.mutate({ name: 'P' });
    const c = await admin.secretManagers.create.mutate({ name: 'V', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
    const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
    const member = t.client(await hs256Token(key, { role: 'member', projectId: project.id }));
    const engine = t.client((await createApiKey(t.database.db, { platformId, role: 'engine', projectId: project.id, token: generateApiKeyToken() })).token);

    for (const client of [member, engine]) {
      for (const call of [
        () => client.secretManagers.create.mutate({ name: 'x', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) }),
        () => client.secretManagers.update.mutate({ id: c.id, name: 'x' }),
        () => client.secretManagers.delete.mutate({ id: c.id }),
        () => client.secretManagers.get.query({ id: c.id }),
        () => client.secretManagers.test.mutate({ id: c.id }),
        () => client.projects.list.query(),
        () => client.projects.create.mutate({ name: 'x' }),
        () => client.embedKeys.list.query(),
      ]) {
        expect((await rejection(call())).data.httpStatus).toBe(403);
      }
      // In their own project they see the connections they may use, without config.
      const visible = await client.secretManagers.list.query({ projectId: project.id });
      expect(visible).toMatchObject([{ id: c.id, name: 'V', provider: 'vault', config: {} }]);
    }
    const other = await admin.projects.create.mutate({ name: 'Q' });
    expect((await rejection(member.secretManagers.list.query({ projectId: other.id }))).data.httpStatus).toBe(403);
  });

  it('seeds platform "default" from SM_BOOTSTRAP_ADMIN_TOKEN on an empty database only', async () => {
    const token = `bootstrap-${generateApiKeyToken()}`;
    const first = await startTestServer({ database: 'pglite', env: { SM_BOOTSTRAP_ADMIN_TOKEN: token } });
    try {
      await expect(first.client(token).projects.list.query()).resolves.toEqual([]);
      const { createServer } = await import('../../server/server.ts');
      const { loadConfig } = await import('../../server/config.ts');
      const again = await createServer(loadConfig({ PORT: '0', SM_BOOTSTRAP_ADMIN_TOKEN: `${token}-other`, LOG_LEVEL: 'silent' }), {
        database: first.database,
        keyRing: first.keyRing,
      });
      await again.stop();
      const { rawRows } = await import('./support/server.ts');
      expect(await rawRows(first.database, 'select name from platforms')).toEqual([{ name: 'default' }]);
      expect((await rejection(first.client(`${token}-other`).projects.list.query())).data.httpStatus).toBe(401);
    } finally {
      await first.stop();
    }
  });
});
