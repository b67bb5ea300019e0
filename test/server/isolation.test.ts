import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { hs256Token } from './support/embed-tokens.ts';
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

describe('isolation', () => {
  it('shows and changes nothing of one platform to another, in every procedure', async () => {
    const a = await t.newPlatform('A');
    const b = await t.newPlatform('B');
    const projectA = await a.admin.projects.create.mutate({ name: 'A1' });
    const connA = await a.admin.secretManagers.create.mutate({
      name: 'A vault',
      provider: 'vault',
      authMethod: 'token',
      scope: 'PROJECT',
      projectIds: [projectA.id],
      config: vaultTokenConfig(vault, readToken),
    });
    const keyA = await a.admin.embedKeys.create.mutate({ name: 'a', algorithm: 'HS256' });

    expect(await b.admin.secretManagers.list.query()).toEqual([]);
    expect(await b.admin.projects.list.query()).toEqual([]);
    expect(await b.admin.embedKeys.list.query()).toEqual([]);
    for (const call of [
      () => b.admin.secretManagers.get.query({ id: connA.id }),
      () => b.admin.secretManagers.update.mutate({ id: connA.id, name: 'taken over' }),
      () => b.admin.secretManagers.delete.mutate({ id: connA.id }),
      () => b.admin.secretManagers.test.mutate({ id: connA.id }),
      () => b.admin.secretManagers.list.query({ projectId: projectA.id }),
      () => b.admin.projects.update.mutate({ id: projectA.id, name: 'taken over' }),
      () => b.admin.projects.delete.mutate({ id: projectA.id }),
      () => b.admin.embedKeys.revoke.mutate({ id: keyA.id }),
    ]) {
      expect((await rejection(call())).data.httpStatus).toBe(404);
    }
    const crossProject = await rejection(
      b.admin.secretManagers.create.mutate({ name: 'x', provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds: [projectA.id], config: vaultTokenConfig(vault, readToken) }),
    );
    expect(crossProject.data.httpStatus).toBe(400);
    // A JWT minted with platform A's key claiming platform B's project is refused.
    const projectB = await b.admin.projects.create.mutate({ name: 'B1' });
    const jwt = await hs256Token(keyA, { role: 'member', projectId: projectB.id });
    expect((await rejection(t.client(jwt).secretManagers.list.query())).data.httpStatus).toBe(401);

    const still = await a.admin.secretManagers.get.query({ id: connA.id });
    expect(still).toMatchObject({ name: 'A vault', projects: [{ id: projectA.id, name: 'A1' }] });
    expect((await a.admin.projects.list.query()).map((p) => p.name)).toEqual(['A1']);
  });

  it('shows a project platform-scoped connections plus those assigned to it', async () => {
    const { admin } = await t.newPlatform();
    const [p1, p2] = await Promise.all([admin.projects.create.mutate({ name: 'P1' }), admin.projects.create.mutate({ name: 'P2' })]);
    const make = (name: string, scope: 'PLATFORM' | 'PROJECT', projectIds?: string[]) =>
      admin.secretManagers.create.mutate({ name, provider: 'vault', authMethod: 'token', scope, ...(projectIds && { projectIds }), config: vaultTokenConfig(vault, readToken) });
    await make('everyone', 'PLATFORM');
    await make('only p1', 'PROJECT', [p1!.id]);
    await make('p1 and p2', 'PROJECT', [p1!.id, p2!.id]);
    await make('only p2', 'PROJECT', [p2!.id]);

    const names = async (projectId?: string) => (await admin.secretManagers.list.query(projectId ? { projectId } : undefined)).map((c) => c.name);
    expect(await names()).toEqual(['everyone', 'only p1', 'only p2', 'p1 and p2']);
    expect(await names(p1!.id)).toEqual(['everyone', 'only p1', 'p1 and p2']);
    expect(await names(p2!.id)).toEqual(['everyone', 'only p2', 'p1 and p2']);
    // In a project context, other projects' names are not shown.
    const shared = (await admin.secretManagers.list.query({ projectId: p1!.id })).find((c) => c.name === 'p1 and p2');
    expect(shared!.projects).toEqual([{ id: p1!.id, name: 'P1' }]);
  });

  it('will not delete a project that is the last one of a connection', async () => {
    const { admin } = await t.newPlatform();
    const p = await admin.projects.create.mutate({ name: 'last' });
    const c = await admin.secretManagers.create.mutate({ name: 'c', provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds: [p.id], config: vaultTokenConfig(vault, readToken) });
    const refused = await rejection(admin.projects.delete.mutate({ id: p.id }));
    expect(refused.data.httpStatus).toBe(409);
    expect(refused.message).toContain('"c"');
    await admin.secretManagers.update.mutate({ id: c.id, scope: 'PLATFORM' });
    await expect(admin.projects.delete.mutate({ id: p.id })).resolves.toEqual({ id: p.id });
  });
});
