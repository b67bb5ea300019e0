import { TRPCClientError } from '@trpc/client';
import { expect } from 'vitest';
import type { VaultEmulator } from '../../emulators/vault/index.ts';
import { rawRows, type ApiClient, type TestServer } from './server.ts';
import { vaultTokenConfig } from './vault.ts';

/** PROJECT-scoped connections with no project: must always be none. */
export async function strandedConnections(t: TestServer): Promise<string[]> {
  const rows = await rawRows<{ id: string }>(
    t.database,
    `select c.id from secret_manager_connections c
      where c.scope = 'PROJECT' and not exists (select 1 from connection_projects cp where cp.connection_id = c.id)`,
  );
  return rows.map((r) => r.id);
}

/** 'ok', or the status of a typed refusal; a 5xx fails the test. */
async function settle(call: Promise<unknown>): Promise<'ok' | number> {
  try {
    await call;
    return 'ok';
  } catch (e) {
    if (!(e instanceof TRPCClientError)) throw e;
    const status = (e.data as { httpStatus: number }).httpStatus;
    expect(status, e.message).toBeLessThan(500);
    return status;
  }
}

/**
 * Deletes a project while, at the same moment, a connection is being assigned to only that
 * project, `rounds` times with varying head starts. Each round one of them wins; the other
 * gets a typed 4xx, and no PROJECT connection is ever left without a project.
 */
export async function raceProjectDeleteAgainstAssignment(t: TestServer, admin: ApiClient, vault: VaultEmulator, readToken: string, rounds: number) {
  const keeper = await admin.projects.create.mutate({ name: `keeper ${Date.now()}` });
  const outcomes = { deleted: 0, assigned: 0 };
  for (let round = 0; round < rounds; round++) {
    const project = await admin.projects.create.mutate({ name: `doomed ${round} ${Date.now()}` });
    const connection = await admin.secretManagers.create.mutate({
      name: `racer ${round} ${Date.now()}`,
      provider: 'vault',
      authMethod: 'token',
      scope: 'PROJECT',
      projectIds: [keeper.id],
      config: vaultTokenConfig(vault, readToken),
    });
    // The update asks Vault first (a few ms); the delete starts before, during or after that.
    const headStart = (round % 6) * 3;
    const [deleted, assigned] = await Promise.all([
      new Promise((r) => setTimeout(r, headStart)).then(() => settle(admin.projects.delete.mutate({ id: project.id }))),
      settle(admin.secretManagers.update.mutate({ id: connection.id, projectIds: [project.id] })),
    ]);
    expect([deleted, assigned], `round ${round}`).not.toEqual(['ok', 'ok']);
    if (deleted === 'ok') {
      expect([400, 409], `round ${round}: the assignment lost with ${assigned}`).toContain(assigned);
      outcomes.deleted++;
    } else {
      expect(deleted, `round ${round}`).toBe(409);
      expect(assigned).toBe('ok');
      outcomes.assigned++;
    }
    expect(await strandedConnections(t), `round ${round}`).toEqual([]);
  }
  return outcomes;
}
