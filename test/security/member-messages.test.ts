/**
 * Attack: a member (or an engine, or a project admin looking at a platform connection)
 * learns where the platform's secret managers live — an internal address, a vault, an
 * account — from the failures it is shown: connection statuses, `secrets.check`,
 * `secrets.list`, and resolve errors.
 *
 * It must not reveal: the provider's address in any answer to a caller who may not manage
 * the connection. Such callers learn what failed (the code, its title and general hint).
 * Positive controls: the provider's own message does name the address, and an admin who
 * manages the connection still reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { hs256Token } from '../server/support/embed-tokens.ts';
import { rejection, startTestServer, type ApiClient, type TestServer } from '../server/support/server.ts';
import { startSeededVault, vaultTokenConfig } from '../server/support/vault.ts';

let t: TestServer;
let vault: VaultEmulator;
let address: string;
let admin: ApiClient;
let member: ApiClient;
let projectAdmin: ApiClient;
let engine: ApiClient;
let projectId: string;
let connectionId: string;
const reference = () => `{{sm:${connectionId}:secret/app/db#password}}`;

beforeAll(async () => {
  const seeded = await startSeededVault();
  vault = seeded.vault;
  address = new URL(vault.url).host;
  t = await startTestServer({ database: 'postgres' });
  ({ admin } = await t.newPlatform());
  projectId = (await admin.projects.create.mutate({ name: 'Marketing' })).id;
  const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
  member = t.client(await hs256Token(key, { role: 'member', projectId }));
  projectAdmin = t.client(await hs256Token(key, { role: 'admin', projectId }));
  engine = t.client((await admin.apiKeys.create.mutate({ name: 'engine', role: 'engine' })).token);
  connectionId = (
    await admin.secretManagers.create.mutate({ name: 'Vault', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, seeded.readToken) })
  ).id;
  // The vault goes away: every call now fails with a message that names its address.
  await vault.close();
});

afterAll(() => t?.stop());

describe('failures shown to those who may not manage the connection', () => {
  it("name the address only to the connection's admins (positive control)", async () => {
    const failed = await rejection(admin.secretManagers.test.mutate({ id: connectionId }));
    expect(failed.data.secretManagerCode).toBe('CONNECTION_FAILED');
    expect(failed.message).toContain(address);
    const [own] = await admin.secretManagers.list.query();
    expect(own!.status).toMatchObject({ state: 'failed', code: 'CONNECTION_FAILED' });
    expect(JSON.stringify(own!.status)).toContain(address);
  });

  it("keep the address out of a member's and a project admin's connection statuses", async () => {
    for (const caller of [member, projectAdmin]) {
      const [seen] = await caller.secretManagers.list.query({ projectId });
      expect(seen!.status).toEqual({ state: 'failed', code: 'CONNECTION_FAILED', message: 'Could not reach the secret manager.', checkedAt: expect.any(String) });
    }
  });

  it('keep the address out of secrets.check and secrets.list for members and project admins', async () => {
    for (const caller of [member, projectAdmin]) {
      const checked = await caller.secrets.check.query({ projectId, connectionId, path: 'secret/app/db' });
      expect(checked).toMatchObject({ exists: false, code: 'CONNECTION_FAILED' });
      expect(JSON.stringify(checked)).not.toContain(address);
      const listed = await rejection(caller.secrets.list.query({ projectId, connectionId, prefix: 'secret/' }));
      expect(listed.data.secretManagerCode).toBe('CONNECTION_FAILED');
      expect(JSON.stringify(listed)).not.toContain(address);
    }
  });

  it("keep the address out of an engine's resolve errors, in both modes, and keep it in an admin key's", async () => {
    const reported = await engine.secrets.resolve.mutate({ references: [reference()], onError: 'report' });
    expect(reported.results).toEqual([{ reference: reference(), ok: false, code: 'CONNECTION_FAILED', message: 'Could not reach the secret manager.' }]);
    const thrown = await rejection(engine.secrets.resolve.mutate({ references: [reference()] }));
    expect(thrown.data.secretManagerCode).toBe('CONNECTION_FAILED');
    expect(JSON.stringify(thrown)).not.toContain(address);

    const forAdmin = await admin.secrets.resolve.mutate({ references: [reference()], onError: 'report' });
    expect(JSON.stringify(forAdmin)).toContain(address);
  });
});
