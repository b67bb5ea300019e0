import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { connectionLifecycle } from './support/lifecycle.ts';
import { rawRows, rejection, startTestServer, type TestServer } from './support/server.ts';
import { raceProjectDeleteAgainstAssignment, strandedConnections } from './support/stranding.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

let t: TestServer;
let vault: VaultEmulator;
let readToken: string;

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  t = await startTestServer({ database: 'pglite' });
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

describe('the same procedures on embedded PGlite', () => {
  it('runs the connection lifecycle and stores no plaintext credential', async () => {
    await connectionLifecycle(t, vault, readToken);
    await t.flushAudit();
    const dump = JSON.stringify(await rawRows(t.database, 'select * from audit_events'));
    expect(dump).not.toContain(readToken);
  });

  it('keeps platforms apart and answers 409 and 404', async () => {
    const a = await t.newPlatform();
    const b = await t.newPlatform();
    const p = await a.admin.projects.create.mutate({ name: 'same' });
    expect((await rejection(a.admin.projects.create.mutate({ name: 'same' }))).data.httpStatus).toBe(409);
    await expect(b.admin.projects.create.mutate({ name: 'same' })).resolves.toMatchObject({ name: 'same' });
    expect((await rejection(b.admin.projects.delete.mutate({ id: p.id }))).data.httpStatus).toBe(404);
  });

  it('never leaves a project-scoped connection without a project: the trigger runs on PGlite too', async () => {
    const { admin } = await t.newPlatform();
    await raceProjectDeleteAgainstAssignment(t, admin, vault, readToken, 6);
    const project = await admin.projects.create.mutate({ name: 'only one' });
    const c = await admin.secretManagers.create.mutate({ name: 'scoped', provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds: [project.id], config: vaultTokenConfig(vault, readToken) });
    const everyone = await admin.secretManagers.create.mutate({ name: 'everyone', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
    for (const statement of [
      `delete from connection_projects where connection_id = '${c.id}'`,
      `delete from projects where id = '${project.id}'`,
      `update secret_manager_connections set scope = 'PROJECT' where id = '${everyone.id}'`,
    ]) {
      await expect(rawRows(t.database, statement), statement).rejects.toThrow();
    }
    expect(await strandedConnections(t)).toEqual([]);
  });
});
