import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { rawRows, rejection, startTestServer, type TestServer } from './support/server.ts';
import { raceProjectDeleteAgainstAssignment, strandedConnections } from './support/stranding.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

/** DESIGN.md: a PROJECT-scoped connection has at least one project, whatever runs concurrently. */
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

describe('project-scoped connections never end up without a project (PostgreSQL)', () => {
  it('a project deleted while a connection is being assigned to only that project: one wins, the other gets a 4xx', async () => {
    const { admin } = await t.newPlatform();
    const outcomes = await raceProjectDeleteAgainstAssignment(t, admin, vault, readToken, 24);
    expect(outcomes.deleted + outcomes.assigned).toBe(24);
  });

  it('the database itself refuses, even to two transactions that each remove one of the last two projects at once', async () => {
    const { admin } = await t.newPlatform();
    // Two raw connections, as two instances or a careless script would hold them: no application code in between.
    const [{ name }] = (await rawRows<{ name: string }>(t.database, 'select current_database() as name')) as [{ name: string }];
    const [one, two] = [postgres(`postgres://postgres@127.0.0.1:5432/${name}`, { max: 1 }), postgres(`postgres://postgres@127.0.0.1:5432/${name}`, { max: 1 })];
    try {
      for (let round = 0; round < 24; round++) {
        const [p, q] = [await admin.projects.create.mutate({ name: `p${round}` }), await admin.projects.create.mutate({ name: `q${round}` })];
        const c = await admin.secretManagers.create.mutate({
          name: `both ${round}`,
          provider: 'vault',
          authMethod: 'token',
          scope: 'PROJECT',
          projectIds: [p.id, q.id],
          config: vaultTokenConfig(vault, readToken),
        });
        // Even rounds unassign, odd rounds delete the projects (the assignment goes by cascade).
        const removeOne = (sql: postgres.Sql, projectId: string) =>
          sql
            .begin((tx) =>
              round % 2 === 0 ? tx`delete from connection_projects where connection_id = ${c.id} and project_id = ${projectId}` : tx`delete from projects where id = ${projectId}`,
            )
            .then(
              () => 'committed',
              (e: { code?: string }) => e.code,
            );
        const results = await Promise.all([removeOne(one, p.id), removeOne(two, q.id)]);
        expect(results.sort(), `round ${round}`).toEqual(['23514', 'committed']);
        expect(await strandedConnections(t), `round ${round}`).toEqual([]);
      }
    } finally {
      await Promise.all([one.end(), two.end()]);
    }
  });

  it('refuses an update that leaves a project-scoped connection without projects with a 400, before asking the provider', async () => {
    const { admin } = await t.newPlatform();
    const project = await admin.projects.create.mutate({ name: 'P' });
    const scoped = await admin.secretManagers.create.mutate({ name: 'scoped', provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds: [project.id], config: vaultTokenConfig(vault, readToken) });
    const everyone = await admin.secretManagers.create.mutate({ name: 'everyone', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
    const before = vault.stats.requests;
    for (const call of [
      () => admin.secretManagers.update.mutate({ id: scoped.id, projectIds: [] }),
      () => admin.secretManagers.update.mutate({ id: scoped.id, scope: 'PROJECT', projectIds: [] }),
      () => admin.secretManagers.update.mutate({ id: everyone.id, scope: 'PROJECT' }),
      () => admin.secretManagers.update.mutate({ id: everyone.id, scope: 'PROJECT', projectIds: [] }),
    ]) {
      const refused = await rejection(call());
      expect(refused.data.httpStatus).toBe(400);
      expect(refused.data.zodError.issues).toEqual([expect.objectContaining({ path: 'projectIds', message: expect.stringMatching(/at least one project/) })]);
    }
    expect(vault.stats.requests).toBe(before);
    expect((await admin.secretManagers.get.query({ id: scoped.id })).projects).toEqual([{ id: project.id, name: 'P' }]);
  });

  it('names the connections that keep a project from being deleted', async () => {
    const { admin } = await t.newPlatform();
    const [p, q] = [await admin.projects.create.mutate({ name: 'P' }), await admin.projects.create.mutate({ name: 'Q' })];
    const make = (name: string, projectIds: string[]) =>
      admin.secretManagers.create.mutate({ name, provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds, config: vaultTokenConfig(vault, readToken) });
    await make('only p (b)', [p.id]);
    await make('only p (a)', [p.id]);
    await make('p and q', [p.id, q.id]);
    const refused = await rejection(admin.projects.delete.mutate({ id: p.id }));
    expect(refused.data.httpStatus).toBe(409);
    expect(refused.message).toContain('"only p (a)", "only p (b)"');
    expect(refused.message).not.toContain('p and q');
    // Q may go: "p and q" keeps P.
    await expect(admin.projects.delete.mutate({ id: q.id })).resolves.toEqual({ id: q.id });
  });
});
