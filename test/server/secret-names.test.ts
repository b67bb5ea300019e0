import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { hs256Token } from './support/embed-tokens.ts';
import { dropPrefix, REDIS_URL, testPrefix } from './support/redis.ts';
import { rejection, startTestServer, type ApiClient, type TestServer } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

const prefix = testPrefix();
let t: TestServer;
let vault: VaultEmulator;
let readToken: string;

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  for (const name of ['api', 'billing', 'cache', 'queue']) vault.putSecret('secret', `app/${name}`, { value: `names-canary-${name}` });
  vault.putSecret('secret', 'app/team/slack', { bot_token: 'names-canary-slack' });
  vault.putSecret('secret', 'other/hidden', { value: 'names-canary-hidden' });
  t = await startTestServer({ database: 'postgres', env: { REDIS_URL, SM_REDIS_KEY_PREFIX: prefix } });
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
  await dropPrefix(prefix);
});

/** A member's embed JWT for `projectId`, signed the way a host backend signs it. */
async function memberClient(admin: ApiClient, projectId: string): Promise<ApiClient> {
  const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
  return t.client(await hs256Token(key, { role: 'member', projectId }));
}

async function setup() {
  const { admin } = await t.newPlatform();
  const [pa, pb] = [await admin.projects.create.mutate({ name: 'A' }), await admin.projects.create.mutate({ name: 'B' })];
  const config = vaultTokenConfig(vault, readToken);
  const shared = await admin.secretManagers.create.mutate({ name: 'shared', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config });
  const onlyA = await admin.secretManagers.create.mutate({ name: 'only A', provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds: [pa.id], config });
  return { admin, pa, pb, shared, onlyA };
}

describe('secrets.list', () => {
  it('browses folder by folder: mounts, then a folder, filtered by what follows the last slash', async () => {
    const { admin, shared } = await setup();
    expect(await admin.secrets.list.query({ connectionId: shared.id })).toEqual({ names: ['secret/'] });
    expect(await admin.secrets.list.query({ connectionId: shared.id, prefix: 'secret/app/' })).toEqual({
      names: ['secret/app/api', 'secret/app/billing', 'secret/app/cache', 'secret/app/db', 'secret/app/queue', 'secret/app/team/'],
    });
    expect(await admin.secrets.list.query({ connectionId: shared.id, prefix: 'secret/app/b' })).toEqual({ names: ['secret/app/billing'] });
    expect(await admin.secrets.list.query({ connectionId: shared.id, prefix: 'secret/app/team/' })).toEqual({ names: ['secret/app/team/slack'] });
  });

  it('pages through long folders with the token it returns', async () => {
    const { admin, shared } = await setup();
    const first = await admin.secrets.list.query({ connectionId: shared.id, prefix: 'secret/app/', pageSize: 4 });
    expect(first.names).toEqual(['secret/app/api', 'secret/app/billing', 'secret/app/cache', 'secret/app/db']);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const second = await admin.secrets.list.query({ connectionId: shared.id, prefix: 'secret/app/', pageSize: 4, pageToken: first.nextPageToken });
    expect(second).toEqual({ names: ['secret/app/queue', 'secret/app/team/'] });
  });

  it('returns names, never values', async () => {
    const { admin, shared } = await setup();
    const pages = await Promise.all(['', 'secret/app/', 'secret/app/team/'].map((p) => admin.secrets.list.query({ connectionId: shared.id, prefix: p })));
    expect(JSON.stringify(pages)).not.toContain('canary');
  });

  it('reports a policy that refuses listing as PERMISSION_DENIED, with the hint the picker shows', async () => {
    const { admin, shared } = await setup();
    const e = await rejection(admin.secrets.list.query({ connectionId: shared.id, prefix: 'secret/other/' }));
    expect(e.data).toMatchObject({ httpStatus: 422, secretManagerCode: 'PERMISSION_DENIED', title: 'Permission denied', hint: expect.stringContaining('list') });
    expect(e.message).toContain('type the full path');
  });

  it('lets a member browse the connections of their project only (the rule of secretManagers.list)', async () => {
    const { admin, pa, pb, shared, onlyA } = await setup();
    const memberA = await memberClient(admin, pa.id);
    const memberB = await memberClient(admin, pb.id);
    const visible = async (member: ApiClient) => (await member.secretManagers.list.query()).map((c) => c.id).sort();

    expect(await visible(memberA)).toEqual([shared.id, onlyA.id].sort());
    expect((await memberA.secrets.list.query({ connectionId: onlyA.id, prefix: 'secret/app/d' })).names).toEqual(['secret/app/db']);
    expect((await memberA.secrets.list.query({ projectId: pa.id, connectionId: shared.id, prefix: 'secret/app/d' })).names).toEqual(['secret/app/db']);

    expect(await visible(memberB)).toEqual([shared.id]);
    expect((await rejection(memberB.secrets.list.query({ connectionId: onlyA.id }))).data.httpStatus).toBe(404);
    // A member's token is bound to its project: naming another one is refused, not ignored.
    expect((await rejection(memberB.secrets.list.query({ projectId: pa.id, connectionId: onlyA.id }))).data.httpStatus).toBe(403);
    // Admins see a project as its members do when they name it.
    expect((await rejection(admin.secrets.list.query({ projectId: pb.id, connectionId: onlyA.id }))).data.httpStatus).toBe(404);
  });

  it('refuses other platforms, unknown connections and missing or bad tokens without calling the provider', async () => {
    const { shared } = await setup();
    const other = await t.newPlatform();
    const before = vault.stats.requests;
    expect((await rejection(other.admin.secrets.list.query({ connectionId: shared.id }))).data.httpStatus).toBe(404);
    expect((await rejection(other.admin.secrets.list.query({ connectionId: 'con_unknown' }))).data.httpStatus).toBe(404);
    expect((await rejection(t.client(undefined).secrets.list.query({ connectionId: shared.id }))).data.httpStatus).toBe(401);
    expect((await rejection(t.client('smk_wrong').secrets.list.query({ connectionId: shared.id }))).data.httpStatus).toBe(401);
    expect((await rejection(other.admin.secrets.list.query({ connectionId: shared.id, pageSize: 1000 }))).data.httpStatus).toBe(400);
    expect(vault.stats.requests).toBe(before);
  });

  it('reports an unreachable provider as CONNECTION_FAILED', async () => {
    const { admin, shared } = await setup();
    vault.faults.dropConnections = true;
    try {
      const e = await rejection(admin.secrets.list.query({ connectionId: shared.id, prefix: 'secret/app/' }));
      expect(e.data).toMatchObject({ httpStatus: 502, secretManagerCode: 'CONNECTION_FAILED' });
    } finally {
      vault.faults.dropConnections = false;
    }
  });
});
