import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import type { ConnectionDto } from '../../shared/connections.ts';
import { createApiKey } from '../../server/services/api-keys.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { hs256Token } from '../server/support/embed-tokens.ts';
import { startTestServer, type ApiClient, type TestServer } from '../server/support/server.ts';
import { startSeededVault, vaultTokenConfig } from '../server/support/vault.ts';

/**
 * The token matrix of README's "Tokens" table: for each kind of principal, which
 * procedures answer and which refuse. Project P1 is the bound principals' project; P2 is
 * another project of the same platform.
 */
const principals = ['adminKey', 'engineKey', 'engineKeyP1', 'embedAdmin', 'embedAdminP1', 'memberP1'] as const;
type PrincipalName = (typeof principals)[number];
/** 'ok' or the HTTP status of the refusal. */
type Outcome = 'ok' | number;
type Row = Record<PrincipalName, Outcome>;

let t: TestServer;
let vault: VaultEmulator;
let readToken: string;
let clients: Record<PrincipalName, ApiClient>;
let tokens: Record<PrincipalName, string>;
let admin: ApiClient;
let f: {
  p1: string;
  p2: string;
  platformWide: ConnectionDto;
  onlyP1: ConnectionDto;
  sharedP1P2: ConnectionDto;
  onlyP2: ConnectionDto;
  embedKeyId: string;
};

let names = 0;
const fresh = (prefix: string) => `${prefix} ${++names}`;
const vaultConfig = () => vaultTokenConfig(vault, readToken);
const makeConnection = (scope: 'PLATFORM' | 'PROJECT', projectIds?: string[]) =>
  admin.secretManagers.create.mutate({ name: fresh('conn'), provider: 'vault', authMethod: 'token', scope, ...(projectIds && { projectIds }), config: vaultConfig() });

async function outcome(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    await call();
    return 'ok';
  } catch (e) {
    if (e instanceof TRPCClientError) return (e.data as { httpStatus: number }).httpStatus;
    throw e;
  }
}

/** Runs `call` as every principal; the result reads like the expectation. */
async function matrix(call: (client: ApiClient, name: PrincipalName) => Promise<unknown>): Promise<Row> {
  const row = {} as Row;
  for (const name of principals) row[name] = await outcome(() => call(clients[name], name));
  return row;
}

const row = (adminKey: Outcome, engineKey: Outcome, engineKeyP1: Outcome, embedAdmin: Outcome, embedAdminP1: Outcome, memberP1: Outcome): Row => ({
  adminKey,
  engineKey,
  engineKeyP1,
  embedAdmin,
  embedAdminP1,
  memberP1,
});

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  t = await startTestServer({ database: 'postgres' });
  const platform = await t.newPlatform('capabilities');
  admin = platform.admin;
  const [p1, p2] = [await admin.projects.create.mutate({ name: 'P1' }), await admin.projects.create.mutate({ name: 'P2' })];
  const embedKey = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
  f = {
    p1: p1.id,
    p2: p2.id,
    platformWide: await makeConnection('PLATFORM'),
    onlyP1: await makeConnection('PROJECT', [p1.id]),
    sharedP1P2: await makeConnection('PROJECT', [p1.id, p2.id]),
    onlyP2: await makeConnection('PROJECT', [p2.id]),
    embedKeyId: embedKey.id,
  };
  const apiKey = async (role: 'engine', projectId?: string) =>
    (await createApiKey(t.database.db, { platformId: platform.platformId, role, ...(projectId && { projectId }) })).token;
  tokens = {
    adminKey: platform.adminToken,
    engineKey: await apiKey('engine'),
    engineKeyP1: await apiKey('engine', p1.id),
    // Lifetimes beyond the test's length, within the 3600 s maximum.
    embedAdmin: await hs256Token(embedKey, { role: 'admin' }, { lifetimeSeconds: 3600 }),
    embedAdminP1: await hs256Token(embedKey, { role: 'admin', projectId: p1.id }, { lifetimeSeconds: 3600 }),
    memberP1: await hs256Token(embedKey, { role: 'member', projectId: p1.id }, { lifetimeSeconds: 3600 }),
  };
  clients = Object.fromEntries(principals.map((name) => [name, t.client(tokens[name])])) as Record<PrincipalName, ApiClient>;
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

const ref = (c: ConnectionDto) => `{{sm:${c.id}:secret/app/db#password}}`;

describe('what each kind of token may do', () => {
  it('secret values go to API keys only: every embed token gets 403, whatever its role', async () => {
    expect(await matrix((c) => c.secrets.resolve.mutate({ references: [ref(f.platformWide)] }))).toEqual(row('ok', 'ok', 'ok', 403, 403, 403));
    expect(await matrix((c) => c.secrets.resolve.mutate({ projectId: f.p1, references: [ref(f.onlyP1)] }))).toEqual(row('ok', 'ok', 'ok', 403, 403, 403));
    // A bound engine key resolves in its project only.
    expect(await matrix((c) => c.secrets.resolve.mutate({ references: [ref(f.onlyP2)] }))).toEqual(row('ok', 'ok', 404, 403, 403, 403));
    expect(await matrix((c) => c.secrets.resolve.mutate({ projectId: f.p2, references: [ref(f.onlyP2)] }))).toEqual(row('ok', 'ok', 403, 403, 403, 403));
  });

  it('embed keys and API keys are managed with admin API keys only', async () => {
    expect(await matrix((c) => c.embedKeys.list.query())).toEqual(row('ok', 403, 403, 403, 403, 403));
    expect(await matrix((c) => c.embedKeys.create.mutate({ name: fresh('key'), algorithm: 'HS256' }))).toEqual(row('ok', 403, 403, 403, 403, 403));
    expect(
      await matrix(async (c) => c.embedKeys.revoke.mutate({ id: (await admin.embedKeys.create.mutate({ name: fresh('key'), algorithm: 'HS256' })).id })),
    ).toEqual(row('ok', 403, 403, 403, 403, 403));
    expect(await matrix((c) => c.apiKeys.list.query())).toEqual(row('ok', 403, 403, 403, 403, 403));
    expect(await matrix((c) => c.apiKeys.create.mutate({ name: fresh('key'), role: 'engine' }))).toEqual(row('ok', 403, 403, 403, 403, 403));
    expect(await matrix(async (c) => c.apiKeys.revoke.mutate({ id: (await admin.apiKeys.create.mutate({ name: fresh('key'), role: 'admin' })).id }))).toEqual(
      row('ok', 403, 403, 403, 403, 403),
    );
    // The embed key every embed principal here uses was never revoked by them.
    await expect(clients.memberP1.providers.list.query()).resolves.toBeDefined();
  });

  it('projects: listed by admins (a project admin sees its own), managed by platform admins only', async () => {
    expect(await matrix((c) => c.projects.list.query())).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));
    expect((await clients.embedAdminP1.projects.list.query()).map((p) => p.id)).toEqual([f.p1]);
    expect((await clients.embedAdmin.projects.list.query()).map((p) => p.id).sort()).toEqual([f.p1, f.p2].sort());
    expect(await matrix((c) => c.projects.create.mutate({ name: fresh('project') }))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix((c) => c.projects.update.mutate({ id: f.p1, name: 'P1' }))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(
      await matrix(async (c) => c.projects.delete.mutate({ id: (await admin.projects.create.mutate({ name: fresh('project') })).id })),
    ).toEqual(row('ok', 403, 403, 'ok', 403, 403));
  });

  it('lists what each context may use: a project context never names other projects', async () => {
    const listed: Record<string, string[]> = {};
    for (const name of principals) listed[name] = (await clients[name].secretManagers.list.query()).map((c) => c.id).sort();
    const all = [f.platformWide, f.onlyP1, f.sharedP1P2, f.onlyP2].map((c) => c.id);
    const inP1 = [f.platformWide, f.onlyP1, f.sharedP1P2].map((c) => c.id);
    for (const name of ['adminKey', 'engineKey', 'embedAdmin'] as const) expect(listed[name]).toEqual(expect.arrayContaining(all));
    for (const name of ['engineKeyP1', 'embedAdminP1', 'memberP1'] as const) expect(listed[name]).toEqual(inP1.sort());

    const asProjectAdmin = await clients.embedAdminP1.secretManagers.list.query();
    expect(JSON.stringify(asProjectAdmin)).not.toContain('"P2"');
    const byId = new Map(asProjectAdmin.map((c) => [c.id, c]));
    expect(byId.get(f.onlyP1.id)).toMatchObject({ canManage: true, projects: [{ id: f.p1, name: 'P1' }], config: { token: { set: true } } });
    expect(byId.get(f.sharedP1P2.id)).toMatchObject({ canManage: false, projects: [{ id: f.p1, name: 'P1' }], config: {} });
    expect(byId.get(f.platformWide.id)).toMatchObject({ canManage: false, config: {}, createdBy: '' });
    expect((await clients.memberP1.secretManagers.list.query()).every((c) => !c.canManage && Object.keys(c.config).length === 0)).toBe(true);

    expect(await matrix((c) => c.secretManagers.list.query({ projectId: f.p2 }))).toEqual(row('ok', 'ok', 403, 'ok', 403, 403));
    expect(await matrix((c) => c.secretManagers.list.query({ projectId: 'prj_unknown' }))).toEqual(row(404, 404, 403, 404, 403, 403));
  });

  it('gets a connection: 404 when the project cannot see it, the member view when it is not its own', async () => {
    expect(await matrix((c) => c.secretManagers.get.query({ id: f.onlyP1.id }))).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));
    expect(await matrix((c) => c.secretManagers.get.query({ id: f.platformWide.id }))).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));
    expect(await matrix((c) => c.secretManagers.get.query({ id: f.onlyP2.id }))).toEqual(row('ok', 403, 403, 'ok', 404, 403));
    expect(await matrix((c) => c.secretManagers.get.query({ id: 'con_unknown' }))).toEqual(row(404, 403, 403, 404, 404, 403));
    const shared = await clients.embedAdminP1.secretManagers.get.query({ id: f.sharedP1P2.id });
    expect(shared).toMatchObject({ canManage: false, config: {}, projects: [{ id: f.p1, name: 'P1' }] });
  });

  it('creates: a project admin only connections scoped to its own project alone', async () => {
    const create = (c: ApiClient, scope: 'PLATFORM' | 'PROJECT', projectIds?: string[]) =>
      c.secretManagers.create.mutate({ name: fresh('conn'), provider: 'vault', authMethod: 'token', scope, ...(projectIds && { projectIds }), config: vaultConfig() });
    expect(await matrix((c) => create(c, 'PROJECT', [f.p1]))).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));
    expect(await matrix((c) => create(c, 'PLATFORM'))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix((c) => create(c, 'PROJECT', [f.p1, f.p2]))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix((c) => create(c, 'PROJECT', [f.p2]))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    const refused = await clients.embedAdminP1.secretManagers.create.mutate({ name: fresh('conn'), provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultConfig() }).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/bound to a project cannot make a platform-scoped connection/);
  });

  it('updates, tests, clears and deletes: its own connections for a project admin; 403 for shared ones, 404 for unseen ones', async () => {
    const update = (id: string) => (c: ApiClient) => c.secretManagers.update.mutate({ id, config: { url: vault.url, kvMount: 'secret', kvVersion: 2 } });
    expect(await matrix(update(f.onlyP1.id))).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));
    expect(await matrix(update(f.sharedP1P2.id))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix(update(f.platformWide.id))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix(update(f.onlyP2.id))).toEqual(row('ok', 403, 403, 'ok', 404, 403));
    // Its own connection may not be widened: to the platform, or to another project.
    expect(await outcome(() => clients.embedAdminP1.secretManagers.update.mutate({ id: f.onlyP1.id, scope: 'PLATFORM' }))).toBe(403);
    expect(await outcome(() => clients.embedAdminP1.secretManagers.update.mutate({ id: f.onlyP1.id, projectIds: [f.p1, f.p2] }))).toBe(403);
    expect(await outcome(() => clients.embedAdminP1.secretManagers.update.mutate({ id: f.onlyP1.id, projectIds: [f.p1] }))).toBe('ok');

    const test = (id: string) => (c: ApiClient) => c.secretManagers.test.mutate({ id });
    expect(await matrix(test(f.onlyP1.id))).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));
    expect(await matrix(test(f.sharedP1P2.id))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix(test(f.onlyP2.id))).toEqual(row('ok', 403, 403, 'ok', 404, 403));
    // An unsaved config (the dialog's "Test connection" before creating) is anyone's with the admin role.
    expect(await matrix((c) => c.secretManagers.test.mutate({ provider: 'vault', authMethod: 'token', config: vaultConfig() }))).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));

    const clear = (connectionId?: string) => (c: ApiClient) => c.secretManagers.clearCache.mutate(connectionId ? { connectionId } : undefined);
    expect(await matrix(clear())).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix(clear(f.onlyP1.id))).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));
    expect(await matrix(clear(f.sharedP1P2.id))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix(clear(f.onlyP2.id))).toEqual(row('ok', 403, 403, 'ok', 404, 403));

    expect(await matrix(async (c) => c.secretManagers.delete.mutate({ id: (await makeConnection('PROJECT', [f.p1])).id }))).toEqual(row('ok', 403, 403, 'ok', 'ok', 403));
    expect(await matrix(async (c) => c.secretManagers.delete.mutate({ id: (await makeConnection('PLATFORM')).id }))).toEqual(row('ok', 403, 403, 'ok', 403, 403));
    expect(await matrix(async (c) => c.secretManagers.delete.mutate({ id: (await makeConnection('PROJECT', [f.p2])).id }))).toEqual(row('ok', 403, 403, 'ok', 404, 403));
  });

  it('the cache REST route follows the same rules', async () => {
    const status = async (name: PrincipalName, connectionId?: string) =>
      (
        await fetch(`${t.url}/api/v1/secret-managers/cache${connectionId ? `?connectionId=${connectionId}` : ''}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${tokens[name]}` },
        })
      ).status;
    const rest = async (connectionId?: string) => Object.fromEntries(await Promise.all(principals.map(async (n) => [n, await status(n, connectionId)])));
    expect(await rest()).toEqual(row(204, 403, 403, 204, 403, 403));
    expect(await rest(f.onlyP1.id)).toEqual(row(204, 403, 403, 204, 204, 403));
    expect(await rest(f.onlyP2.id)).toEqual(row(204, 403, 403, 204, 404, 403));
  });

  it('names and checks: anyone in its project, never beyond it', async () => {
    const check = (connectionId: string) => (c: ApiClient) => c.secrets.check.query({ connectionId, path: 'secret/app/db' });
    expect(await matrix(check(f.onlyP1.id))).toEqual(row('ok', 'ok', 'ok', 'ok', 'ok', 'ok'));
    expect(await matrix(check(f.onlyP2.id))).toEqual(row('ok', 'ok', 404, 'ok', 404, 404));
    expect(await matrix((c) => c.secrets.check.query({ projectId: f.p2, connectionId: f.onlyP2.id, path: 'secret/app/db' }))).toEqual(row('ok', 'ok', 403, 'ok', 403, 403));
    expect(await matrix((c) => c.secrets.list.query({ connectionId: f.sharedP1P2.id, prefix: 'secret/app/' }))).toEqual(row('ok', 'ok', 'ok', 'ok', 'ok', 'ok'));
    expect(await matrix((c) => c.providers.list.query())).toEqual(row('ok', 'ok', 'ok', 'ok', 'ok', 'ok'));
  });
});
