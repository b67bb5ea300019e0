import { expect } from 'vitest';
import type { VaultEmulator } from '../../emulators/vault/index.ts';
import { rejection, type TestServer } from './server.ts';
import { vaultTokenConfig } from './vault.ts';

/**
 * The connection lifecycle every database must support: create (tested on save),
 * list, edit keeping the stored credential, project scoping, delete. Returns the
 * planted credential so the caller can scan storage for it.
 */
export async function connectionLifecycle(t: TestServer, vault: VaultEmulator, readToken: string) {
  const { admin } = await t.newPlatform();
  const project = await admin.projects.create.mutate({ name: 'Project A', externalId: 'host-a' });

  const created = await admin.secretManagers.create.mutate({
    name: 'Vault prod',
    provider: 'vault',
    authMethod: 'token',
    scope: 'PLATFORM',
    config: vaultTokenConfig(vault, readToken, { testPath: 'secret/app/db' }),
  });
  expect(created).toMatchObject({ name: 'Vault prod', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', projects: [] });
  expect(created.config).toEqual({ url: vault.url, kvMount: 'secret', kvVersion: 2, testPath: 'secret/app/db', token: { set: true } });
  expect(JSON.stringify(created)).not.toContain(readToken);

  const failing = await rejection(
    admin.secretManagers.create.mutate({
      name: 'Vault broken',
      provider: 'vault',
      authMethod: 'token',
      scope: 'PLATFORM',
      config: vaultTokenConfig(vault, 'hvs.not-a-real-token'),
    }),
  );
  expect(failing.data).toMatchObject({ httpStatus: 422, secretManagerCode: 'AUTHENTICATION_FAILED' });
  expect(failing.data.hint).toEqual(expect.any(String));

  // Edit without the token: the stored one is kept and still works.
  const renamed = await admin.secretManagers.update.mutate({
    id: created.id,
    name: 'Vault production',
    scope: 'PROJECT',
    projectIds: [project.id],
    config: { url: vault.url, kvMount: 'secret', kvVersion: 2 },
  });
  expect(renamed).toMatchObject({ name: 'Vault production', scope: 'PROJECT', projects: [{ id: project.id, name: 'Project A' }] });
  expect(renamed.config).toEqual({ url: vault.url, kvMount: 'secret', kvVersion: 2, token: { set: true } });
  await expect(admin.secretManagers.test.mutate({ id: created.id })).resolves.toMatchObject({ ok: true });

  const list = await admin.secretManagers.list.query();
  expect(list.map((c) => c.name)).toEqual(['Vault production']);
  expect((await admin.secretManagers.list.query({ projectId: project.id })).map((c) => c.id)).toEqual([created.id]);

  await admin.secretManagers.delete.mutate({ id: created.id });
  expect((await rejection(admin.secretManagers.get.query({ id: created.id }))).data.httpStatus).toBe(404);
  expect(await admin.secretManagers.list.query()).toEqual([]);
  return { admin, project };
}
