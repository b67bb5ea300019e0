import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { connectionLifecycle } from './support/lifecycle.ts';
import { rawRows, rejection, startTestServer, type ApiClient, type TestServer } from './support/server.ts';
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

const create = (admin: ApiClient, name: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  admin.secretManagers.create.mutate({ name, provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config, ...extra } as never);

describe('secret manager connections on PostgreSQL', () => {
  it('goes through the whole lifecycle', async () => {
    await connectionLifecycle(t, vault, readToken);
  });

  it('lists every provider with its auth methods, fields and path syntax', async () => {
    const { admin } = await t.newPlatform();
    const [vaultInfo] = await admin.providers.list.query();
    expect(vaultInfo).toMatchObject({ id: 'vault', name: 'HashiCorp Vault', path: { placeholder: expect.any(String), examples: expect.any(Array) } });
    expect(vaultInfo!.authMethods.map((m) => m.id)).toEqual(['token', 'approle', 'kubernetes']);
    const token = vaultInfo!.authMethods[0]!.fields;
    expect(token.find((f) => f.name === 'url')).toMatchObject({ kind: 'text', required: true, secret: false, label: 'Vault address' });
    expect(token.find((f) => f.name === 'token')).toMatchObject({ kind: 'secret', required: true, secret: true });
    expect(token.find((f) => f.name === 'kvVersion')).toMatchObject({ kind: 'select', required: false, options: [{ value: 2 }, { value: 1 }] });
    const k8s = vaultInfo!.authMethods[2]!.fields;
    expect(k8s.find((f) => f.name === 'mountPath')).toMatchObject({ required: true });
    expect(k8s.find((f) => f.name === 'jwt')).toMatchObject({ secret: true });
  });

  it('saves nothing when the test on save fails, and says why', async () => {
    const { admin } = await t.newPlatform();
    const unreachable = await rejection(create(admin, 'down', vaultTokenConfig(vault, readToken, { url: 'http://127.0.0.1:9' })));
    expect(unreachable.data).toMatchObject({ httpStatus: 502, secretManagerCode: 'CONNECTION_FAILED', title: expect.any(String) });

    vault.writePolicy('nothing', []);
    const weak = vault.createToken({ policies: ['nothing'] });
    const denied = await rejection(create(admin, 'denied', vaultTokenConfig(vault, weak, { testPath: 'secret/app/db' })));
    expect(denied.data).toMatchObject({ httpStatus: 422, secretManagerCode: 'PERMISSION_DENIED' });

    const missing = await rejection(create(admin, 'missing', vaultTokenConfig(vault, readToken, { testPath: 'secret/app/nope' })));
    expect(missing.data).toMatchObject({ secretManagerCode: 'SECRET_NOT_FOUND' });

    expect(await admin.secretManagers.list.query()).toEqual([]);
    for (const e of [unreachable, denied, missing]) expect(e.message).not.toContain(readToken);
  });

  it('drops the whitespace a pasted credential brings along (a token copied with its newline connects)', async () => {
    const { admin } = await t.newPlatform();
    const c = await create(admin, 'pasted', vaultTokenConfig(vault, `  ${readToken}\n`, { testPath: 'secret/app/db' }));
    expect(c.status).toMatchObject({ state: 'connected' });
    const blank = await rejection(create(admin, 'blank', vaultTokenConfig(vault, ' \n ')));
    expect(blank.data?.zodError?.issues).toEqual([expect.objectContaining({ path: 'config.token', message: 'Enter the Vault token' })]);
  });

  it('answers bad input with 400 and the issue per field', async () => {
    const { admin } = await t.newPlatform();
    const bad = await rejection(create(admin, '', { url: 'not a url', token: '' }));
    expect(bad.data.httpStatus).toBe(400);
    const paths = bad.data.zodError.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'config.url', 'config.token']));

    const unknownField = await rejection(create(admin, 'x', vaultTokenConfig(vault, readToken, { surprise: 1 })));
    expect(unknownField.data.httpStatus).toBe(400);
    const badMethod = await rejection(admin.secretManagers.create.mutate({ name: 'x', provider: 'vault', authMethod: 'ldap', scope: 'PLATFORM', config: {} }));
    expect(badMethod.data.zodError.issues[0]).toMatchObject({ path: 'authMethod', message: expect.stringContaining('token, approle, kubernetes') });
    const badProvider = await rejection(create(admin, 'x', {}, { provider: 'keepass' }));
    expect(badProvider.data.httpStatus).toBe(400);
  });

  it('checks the scope: at least one project, of this platform', async () => {
    const { admin } = await t.newPlatform();
    const other = await t.newPlatform();
    const foreign = await other.admin.projects.create.mutate({ name: 'theirs' });
    const config = vaultTokenConfig(vault, readToken);
    const empty = await rejection(create(admin, 'p', config, { scope: 'PROJECT', projectIds: [] }));
    expect(empty.data.zodError.issues[0]).toMatchObject({ path: 'projectIds', message: expect.stringContaining('at least one project') });
    const unknown = await rejection(create(admin, 'p', config, { scope: 'PROJECT', projectIds: ['prj_nope'] }));
    expect(unknown.data).toMatchObject({ httpStatus: 400 });
    expect(unknown.message).toContain('prj_nope');
    const cross = await rejection(create(admin, 'p', config, { scope: 'PROJECT', projectIds: [foreign.id] }));
    expect(cross.data.httpStatus).toBe(400);
    const platformWithProjects = await rejection(create(admin, 'p', config, { projectIds: [foreign.id] }));
    expect(platformWithProjects.data.httpStatus).toBe(400);
  });

  it('refuses a duplicate name with 409, on create and on rename', async () => {
    const { admin } = await t.newPlatform();
    const a = await create(admin, 'Vault', vaultTokenConfig(vault, readToken));
    expect((await rejection(create(admin, 'Vault', vaultTokenConfig(vault, readToken)))).data.httpStatus).toBe(409);
    const b = await create(admin, 'Other', vaultTokenConfig(vault, readToken));
    expect((await rejection(admin.secretManagers.update.mutate({ id: b.id, name: 'Vault' }))).data.httpStatus).toBe(409);
    expect((await admin.secretManagers.get.query({ id: a.id })).name).toBe('Vault');
  });

  it('keeps the stored credential on edit unless a new one is typed, and keeps everything when the new one fails', async () => {
    const { admin } = await t.newPlatform();
    const c = await create(admin, 'Edit me', vaultTokenConfig(vault, readToken));
    // A client may echo the `{ set: true }` it was given.
    await admin.secretManagers.update.mutate({ id: c.id, config: { url: vault.url, kvMount: 'secret', kvVersion: 2, token: { set: true } } });
    await expect(admin.secretManagers.test.mutate({ id: c.id })).resolves.toMatchObject({ ok: true });

    const failed = await rejection(admin.secretManagers.update.mutate({ id: c.id, name: 'Renamed', config: vaultTokenConfig(vault, 'hvs.wrong') }));
    expect(failed.data.secretManagerCode).toBe('AUTHENTICATION_FAILED');
    expect((await admin.secretManagers.get.query({ id: c.id })).name).toBe('Edit me');
    await expect(admin.secretManagers.test.mutate({ id: c.id })).resolves.toMatchObject({ ok: true });

    const newToken = vault.createToken({ policies: ['read-app'] });
    await admin.secretManagers.update.mutate({ id: c.id, config: vaultTokenConfig(vault, newToken) });
    await expect(admin.secretManagers.test.mutate({ id: c.id })).resolves.toMatchObject({ ok: true });

    // Switching the auth method needs that method's credentials.
    const switched = await rejection(admin.secretManagers.update.mutate({ id: c.id, authMethod: 'approle', config: { url: vault.url } }));
    expect(switched.data.secretManagerCode).toBe('CREDENTIALS_REQUIRED');
    expect(switched.data.zodError.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['config.roleId', 'config.secretId']));
  });

  it('asks for the credentials again, before any call or audit row, when an edit changes where they go', async () => {
    const { admin, platformId } = await t.newPlatform();
    const c = await create(admin, 'Bound', vaultTokenConfig(vault, readToken));
    const elsewhere = { url: 'http://127.0.0.1:9/exfil', kvMount: 'secret', kvVersion: 2 };
    for (const call of [() => admin.secretManagers.test.mutate({ id: c.id, config: elsewhere }), () => admin.secretManagers.update.mutate({ id: c.id, config: elsewhere })]) {
      const refused = await rejection(call());
      expect(refused.data).toMatchObject({ httpStatus: 400, code: 'BAD_REQUEST', secretManagerCode: 'CREDENTIALS_REQUIRED', title: 'Enter the credentials again' });
      expect(refused.message).toBe('Vault address changed, and stored credentials are only sent where they were entered. Enter Token again.');
      expect(refused.data.zodError.issues).toEqual([{ path: 'config.token', message: 'Enter Token again: Vault address changed.' }]);
      expect(JSON.stringify(refused)).not.toContain(readToken);
    }
    expect((await admin.secretManagers.get.query({ id: c.id })).config['url']).toBe(vault.url);
    const events = await rawRows<{ action: string }>(t.database, `select action from audit_events where platform_id = '${platformId}'`);
    expect(events.map((e) => e.action)).toEqual(['connection.create']);

    // Edits that leave the address alone keep the stored token; typing it again moves it.
    await expect(admin.secretManagers.test.mutate({ id: c.id, config: { url: ` ${vault.url} `, kvMount: 'secret', kvVersion: 2, testPath: 'secret/app/db' } })).resolves.toMatchObject({ ok: true });
    await expect(admin.secretManagers.update.mutate({ id: c.id, config: { url: `${vault.url}/`, kvMount: 'secret', kvVersion: 2, token: readToken } })).resolves.toMatchObject({
      config: { url: `${vault.url}/` },
    });
  });

  it('tests unsaved configs and saved connections with unsaved edits', async () => {
    const { admin } = await t.newPlatform();
    await expect(
      admin.secretManagers.test.mutate({ provider: 'vault', authMethod: 'token', config: vaultTokenConfig(vault, readToken) }),
    ).resolves.toMatchObject({ ok: true });
    const c = await create(admin, 'Saved', vaultTokenConfig(vault, readToken));
    const edited = await rejection(admin.secretManagers.test.mutate({ id: c.id, config: { url: vault.url, kvMount: 'secret', kvVersion: 2, testPath: 'secret/app/none' } }));
    expect(edited.data.secretManagerCode).toBe('SECRET_NOT_FOUND');
    expect((await rejection(admin.secretManagers.test.mutate({}))).data.httpStatus).toBe(400);
    expect((await rejection(admin.secretManagers.test.mutate({ id: 'con_unknown' }))).data.httpStatus).toBe(404);
  });

  it('stores no credential in plaintext anywhere in PostgreSQL, and logs none', async () => {
    const canaryToken = vault.createToken({ policies: ['read-app'] });
    const { admin } = await t.newPlatform();
    const c = await create(admin, 'Canary', vaultTokenConfig(vault, canaryToken));
    await admin.secretManagers.update.mutate({ id: c.id, name: 'Canary 2' });
    await admin.secretManagers.test.mutate({ id: c.id });
    await rejection(create(admin, 'Canary fail', vaultTokenConfig(vault, `${canaryToken}-x`)));
    const dump = JSON.stringify(
      await Promise.all(
        ['secret_manager_connections', 'connection_projects', 'audit_events', 'api_keys', 'platforms', 'projects'].map((table) =>
          rawRows(t.database, `select * from ${table}`),
        ),
      ),
    );
    expect(dump).toContain('Canary 2');
    expect(dump).not.toContain(canaryToken);
    expect(t.logs.join('\n')).not.toContain(canaryToken);
  });

  it('records an audit event for every create, update, delete and test, without credentials', async () => {
    const { admin, platformId } = await t.newPlatform();
    const c = await create(admin, 'Audited', vaultTokenConfig(vault, readToken));
    await admin.secretManagers.update.mutate({ id: c.id, name: 'Audited 2' });
    await admin.secretManagers.test.mutate({ id: c.id });
    await rejection(create(admin, 'Audited fail', vaultTokenConfig(vault, 'hvs.bad-canary')));
    await admin.secretManagers.delete.mutate({ id: c.id });
    const events = await rawRows<{ action: string; outcome: string; actor: string; details: Record<string, unknown> }>(
      t.database,
      `select actor, action, outcome, details from audit_events where platform_id = '${platformId}' order by at, id`,
    );
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'connection.create:success',
      'connection.update:success',
      'connection.test:success',
      'connection.create:failure',
      'connection.delete:success',
    ]);
    expect(events.every((e) => e.actor.startsWith('api-key:'))).toBe(true);
    expect(events[3]!.details).toMatchObject({ code: 'AUTHENTICATION_FAILED', name: 'Audited fail' });
    expect(JSON.stringify(events)).not.toContain('hvs.bad-canary');
    expect(JSON.stringify(events)).not.toContain(readToken);
  });

  it('answers unknown ids with 404', async () => {
    const { admin } = await t.newPlatform();
    // Thunks: a rejected promise must not sit unobserved while an earlier one is awaited.
    for (const call of [
      () => admin.secretManagers.get.query({ id: 'con_missing' }),
      () => admin.secretManagers.update.mutate({ id: 'con_missing', name: 'x' }),
      () => admin.secretManagers.delete.mutate({ id: 'con_missing' }),
      () => admin.projects.update.mutate({ id: 'prj_missing', name: 'x' }),
      () => admin.projects.delete.mutate({ id: 'prj_missing' }),
      () => admin.secretManagers.list.query({ projectId: 'prj_missing' }),
    ]) {
      expect((await rejection(call())).data.httpStatus).toBe(404);
    }
  });
});
