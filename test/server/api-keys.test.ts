import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKeyToken } from '../../server/auth/api-key-token.ts';
import { rawRows, rejection, startTestServer, type TestServer } from './support/server.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ database: 'postgres' });
});
afterAll(async () => {
  await t?.stop();
});

describe('apiKeys', () => {
  it('creates keys (the token shown once), lists them without token or hash, revokes them at once', async () => {
    const { admin, platformId } = await t.newPlatform();
    const project = await admin.projects.create.mutate({ name: 'P' });
    const engine = await admin.apiKeys.create.mutate({ name: 'flows of P', role: 'engine', projectId: project.id });
    expect(engine).toMatchObject({ name: 'flows of P', role: 'engine', projectId: project.id, revokedAt: null, token: expect.stringMatching(/^smk_/) });
    const second = await admin.apiKeys.create.mutate({ name: 'second admin', role: 'admin' });

    const listed = await admin.apiKeys.list.query();
    expect(listed.map((k) => k.name)).toEqual(expect.arrayContaining(['flows of P', 'second admin']));
    const text = JSON.stringify(listed);
    for (const token of [engine.token, second.token]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(hashApiKeyToken(token));
    }
    expect(listed.every((k) => !('token' in k) && !('tokenHash' in k))).toBe(true);

    // The engine key works in its project, until it is revoked.
    const asEngine = t.client(engine.token);
    await expect(asEngine.secretManagers.list.query()).resolves.toEqual([]);
    await expect(admin.apiKeys.revoke.mutate({ id: engine.id })).resolves.toEqual({ id: engine.id });
    expect((await rejection(asEngine.secretManagers.list.query())).data.httpStatus).toBe(401);
    expect((await admin.apiKeys.list.query()).find((k) => k.id === engine.id)?.revokedAt).toEqual(expect.any(String));
    expect((await rejection(admin.apiKeys.revoke.mutate({ id: engine.id }))).data.httpStatus).toBe(404);

    const audit = await rawRows<{ action: string; target_id: string; details: unknown }>(
      t.database,
      `select action, target_id, details from audit_events where platform_id = '${platformId}' and action like 'api-key.%' order by at`,
    );
    expect(audit.map((a) => [a.action, a.target_id])).toEqual([
      ['api-key.create', engine.id],
      ['api-key.create', second.id],
      ['api-key.revoke', engine.id],
    ]);
    expect(JSON.stringify(audit)).not.toContain(engine.token);
    expect(JSON.stringify(audit)).not.toContain(hashApiKeyToken(engine.token));
  });

  it('refuses bad input with a 400, other platforms\' keys with a 404, and keeps the last admin key', async () => {
    const { admin } = await t.newPlatform();
    const other = await t.newPlatform();
    const project = await admin.projects.create.mutate({ name: 'P' });
    const theirProject = await other.admin.projects.create.mutate({ name: 'Q' });
    for (const input of [
      { name: 'x', role: 'admin' as const, projectId: project.id },
      { name: 'x', role: 'engine' as const, projectId: theirProject.id },
      { name: '', role: 'engine' as const },
      { name: 'x', role: 'root' as 'admin' },
    ]) {
      expect((await rejection(admin.apiKeys.create.mutate(input))).data.httpStatus).toBe(400);
    }
    const theirs = await other.admin.apiKeys.create.mutate({ name: 'theirs', role: 'engine' });
    expect((await rejection(admin.apiKeys.revoke.mutate({ id: theirs.id }))).data.httpStatus).toBe(404);
    expect((await admin.apiKeys.list.query()).map((k) => k.id)).not.toContain(theirs.id);

    // The platform's only admin key: revoking it would lock every admin out.
    const [own] = (await admin.apiKeys.list.query()).filter((k) => k.role === 'admin');
    const last = await rejection(admin.apiKeys.revoke.mutate({ id: own!.id }));
    expect(last.data.httpStatus).toBe(409);
    expect(last.message).toMatch(/last active admin key/);
    const spare = await admin.apiKeys.create.mutate({ name: 'spare', role: 'admin' });
    await expect(admin.apiKeys.revoke.mutate({ id: own!.id })).resolves.toEqual({ id: own!.id });
    // The revoking key itself is gone now; the spare one carries on.
    expect((await rejection(admin.apiKeys.list.query())).data.httpStatus).toBe(401);
    await expect(t.client(spare.token).apiKeys.list.query()).resolves.toHaveLength(2);
  });
});
