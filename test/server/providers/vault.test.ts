/**
 * The Vault adapter through node-vault against the Vault emulator: auth methods,
 * namespaces, KV v1/v2 reads and lists, and how each failure is classified.
 * Token lifecycle and transport faults are in vault-lifecycle.test.ts.
 */
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultConfig } from '../../../shared/providers/vault.ts';
import type { ProviderClient } from '../../../server/providers/types.ts';
import { vaultAdapter } from '../../../server/providers/vault/index.ts';
import { startVaultEmulator, type VaultEmulator } from '../../emulators/vault/index.ts';
import { failureCollector } from './failures.ts';
import { testEgress } from '../../support/egress.ts';

const logger = pino({ level: 'silent' });
/** The operator's policy: Vault is always a custom host. */
const providerPolicy = { allowAmbientCredentials: false, allowCustomHosts: true };
/** Every token, secret ID and JWT given to the adapter, and every message it produced. */
const credentials: string[] = [];
const { messages, failure } = failureCollector();
const clients: ProviderClient[] = [];
const SECRET_VALUES = ['canary-db-v1', 'canary-db-v2', 'canary-api', 'canary-legacy', 'canary-ns'];

let vault: VaultEmulator;
let tokens: { reader: string; noDiscovery: string; narrow: string; uiBlocked: string };
let k8sKey: CryptoKey;

function connect(config: VaultConfig): ProviderClient {
  credentials.push(config.authMethod === 'token' ? config.token : config.authMethod === 'approle' ? config.secretId : config.jwt);
  const client = vaultAdapter.connect(config, { timeoutMs: 5_000, logger, policy: providerPolicy, egress: testEgress() });
  clients.push(client);
  return client;
}

const withToken = (token: string, extra: Partial<VaultConfig> = {}) =>
  connect({ authMethod: 'token', url: vault.url, token, ...extra } as VaultConfig);


function serviceAccountJwt(key: CryptoKey, name = 'secret-managers', namespace = 'apps'): Promise<string> {
  return new SignJWT({ 'kubernetes.io': { namespace, serviceaccount: { name, uid: 'a1b2' } } })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer('kubernetes/serviceaccount')
    .setSubject(`system:serviceaccount:${namespace}:${name}`)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}

beforeAll(async () => {
  vault = await startVaultEmulator();
  vault.enableKv('secret', 2);
  vault.enableKv('kv1', 1);
  vault.putSecret('secret', 'app/db', { username: 'app', password: 'canary-db-v1' });
  vault.putSecret('secret', 'app/db', { username: 'app', password: 'canary-db-v2' });
  vault.putSecret('secret', 'app/api', { key: 'canary-api' });
  vault.putSecret('secret', 'app/nested', { config: { port: 5432, hosts: ['a', 'b'] } });
  vault.putSecret('secret', 'app/rotated', { v: 1 });
  vault.putSecret('secret', 'app/rotated', { v: 2 });
  vault.deleteSecretVersion('secret', 'app/rotated', 1);
  for (const name of ['a', 'b', 'c', 'd', 'e']) vault.putSecret('secret', `paged/item-${name}`, { n: name });
  vault.putSecret('secret', 'paged/sub/deep', { n: 'deep' });
  vault.putSecret('kv1', 'legacy/api', { token: 'canary-legacy' });

  const kvRules = [
    { path: 'secret/data/*', capabilities: ['read' as const] },
    { path: 'secret/metadata/*', capabilities: ['list' as const] },
    { path: 'kv1/*', capabilities: ['read' as const, 'list' as const] },
  ];
  vault.writePolicy('reader-no-discovery', kvRules);
  vault.writePolicy('reader', [
    ...kvRules,
    { path: 'sys/internal/ui/mounts', capabilities: ['read'] },
    { path: 'sys/internal/ui/mounts/*', capabilities: ['read'] },
    { path: 'sys/mounts', capabilities: ['read'] },
  ]);
  vault.writePolicy('narrow', [{ path: 'secret/data/app/db', capabilities: ['read'] }]);
  // As behind a proxy that blocks Vault's UI endpoints: refused, and no read on sys/mounts.
  vault.writePolicy('ui-blocked', [...kvRules, { path: 'sys/internal/ui/mounts', capabilities: ['deny'] }]);
  tokens = {
    reader: vault.createToken({ policies: ['reader'] }),
    noDiscovery: vault.createToken({ policies: ['reader-no-discovery'] }),
    narrow: vault.createToken({ policies: ['narrow'] }),
    uiBlocked: vault.createToken({ policies: ['ui-blocked'] }),
  };

  const keys = await generateKeyPair('RS256');
  k8sKey = keys.privateKey;
  vault.enableKubernetes('k8s-prod', { publicKeyPem: await exportSPKI(keys.publicKey) });
  vault.createKubernetesRole('secret-managers', {
    mount: 'k8s-prod',
    boundServiceAccountNames: ['secret-managers'],
    boundNamespaces: ['apps'],
    policies: ['reader'],
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await vault.close();
  // Never a credential nor a secret value in what users are shown.
  expect(messages.length).toBeGreaterThan(10);
  for (const message of messages) {
    for (const secret of [...credentials, ...SECRET_VALUES]) expect(message).not.toContain(secret);
  }
});

describe('authentication', () => {
  it('reads with a token and reports non-secret facts from lookup-self on check', async () => {
    const client = withToken(tokens.reader, { testPath: 'secret/app/db#password' });
    const info = await client.check();
    expect(info.details).toMatchObject({ authMethod: 'token', policies: ['default', 'reader'], renewable: true, testPathVersion: '2' });
    expect(JSON.stringify(info)).not.toContain(tokens.reader);
    expect(JSON.stringify(info)).not.toContain('canary');
    expect((await client.read({ name: 'secret/app/db', key: 'password' })).value).toBe('canary-db-v2');
  });

  it('logs in with AppRole on a custom mount', async () => {
    vault.enableAppRole('ci');
    const { roleId, secretId } = vault.createAppRole('deployer', { policies: ['reader'], mount: 'ci' });
    const client = connect({ authMethod: 'approle', url: vault.url, roleId, secretId, mountPath: 'ci' });
    expect((await client.read({ name: 'secret/app/api' })).value).toBe('canary-api');
    expect((await client.check()).identity).toBe('approle');
  });

  it('logs in with a Kubernetes service account JWT at an explicit mount', async () => {
    const jwt = await serviceAccountJwt(k8sKey);
    const client = connect({ authMethod: 'kubernetes', url: vault.url, role: 'secret-managers', jwt, mountPath: 'k8s-prod' });
    expect((await client.read({ name: 'kv1/legacy/api' })).value).toBe('canary-legacy');
    expect(vault.stats.byRoute['POST unknown']).toBeUndefined();
  });

  it('classifies rejected credentials as AUTHENTICATION_FAILED', async () => {
    const badToken = withToken('hvs.canary-not-a-real-token');
    await failure(badToken.check(), 'AUTHENTICATION_FAILED');
    await failure(badToken.read({ name: 'secret/app/db' }), 'AUTHENTICATION_FAILED');

    vault.enableAppRole();
    const { roleId } = vault.createAppRole('app', { policies: ['reader'] });
    const badSecret = connect({ authMethod: 'approle', url: vault.url, roleId, secretId: 'canary-wrong-secret-id' });
    const error = await failure(badSecret.read({ name: 'secret/app/db' }), 'AUTHENTICATION_FAILED');
    expect(error.message).toContain('invalid role or secret ID');

    const otherKey = (await generateKeyPair('RS256')).privateKey;
    const forged = connect({ authMethod: 'kubernetes', url: vault.url, role: 'secret-managers', jwt: await serviceAccountJwt(otherKey), mountPath: 'k8s-prod' });
    await failure(forged.check(), 'AUTHENTICATION_FAILED');
    const unbound = connect({ authMethod: 'kubernetes', url: vault.url, role: 'secret-managers', jwt: await serviceAccountJwt(k8sKey, 'intruder'), mountPath: 'k8s-prod' });
    await failure(unbound.check(), 'AUTHENTICATION_FAILED');
    const noRole = connect({ authMethod: 'kubernetes', url: vault.url, role: 'nope', jwt: await serviceAccountJwt(k8sKey), mountPath: 'k8s-prod' });
    expect((await failure(noRole.check(), 'AUTHENTICATION_FAILED')).message).toContain('invalid role name');
  });

  it('sends the namespace, where the same paths hold other secrets', async () => {
    vault.enableKv('secret', 2, { namespace: 'team-a' });
    vault.putSecret('secret', 'app/db', { password: 'canary-ns' }, { namespace: 'team-a' });
    vault.writePolicy('ns-reader', [{ path: 'secret/data/*', capabilities: ['read'] }], { namespace: 'team-a' });
    const token = vault.createToken({ policies: ['ns-reader'], namespace: 'team-a' });
    const client = withToken(token, { namespace: 'team-a', kvMount: 'secret', kvVersion: 2 });
    expect((await client.read({ name: 'secret/app/db' })).value).toBe('canary-ns');
    expect((await client.check()).details).toMatchObject({ namespace: 'team-a' });
    await failure(withToken(token).read({ name: 'secret/app/db' }), 'AUTHENTICATION_FAILED');
  });
});

describe('reading KV secrets', () => {
  it('uses a stated mount and version without any discovery call', async () => {
    vault.stats.reset();
    const client = withToken(tokens.noDiscovery, { kvMount: 'secret', kvVersion: 2 });
    expect((await client.read({ name: 'secret/app/db', key: 'username' })).value).toBe('app');
    expect(vault.stats.byRoute['GET ui-mounts']).toBeUndefined();
  });

  it('discovers each mount once and reads KV v1 and v2', async () => {
    vault.stats.reset();
    const client = withToken(tokens.reader);
    const latest = await client.read({ name: 'secret/app/db' });
    expect(latest.version).toBe('2');
    expect(JSON.parse(latest.value)).toEqual({ username: 'app', password: 'canary-db-v2' });
    expect(latest.keys).toEqual(['username', 'password']);
    await client.read({ name: 'secret/app/api' });
    const v1 = await client.read({ name: 'kv1/legacy/api' });
    expect(v1).toEqual({ value: 'canary-legacy', keys: ['token'] });
    expect(vault.stats.byRoute['GET ui-mounts']).toBe(2);
  });

  it('falls back to the first segment when discovery is refused, trying KV v2 then v1', async () => {
    const client = withToken(tokens.noDiscovery);
    expect((await client.read({ name: 'secret/app/api' })).value).toBe('canary-api');
    expect((await client.read({ name: 'kv1/legacy/api' })).value).toBe('canary-legacy');
    const missing = await failure(withToken(tokens.noDiscovery).read({ name: 'secret/app/missing' }), 'SECRET_NOT_FOUND');
    expect(missing.hint).toContain('KV mount and KV version');
  });

  it('accepts the mount/data/path form of KV v2', async () => {
    const client = withToken(tokens.reader);
    expect((await client.read({ name: 'secret/data/app/db', key: 'password' })).value).toBe('canary-db-v2');
  });

  it('pins versions and names the missing or deleted one', async () => {
    const client = withToken(tokens.reader);
    expect(await client.read({ name: 'secret/app/db', version: '1', key: 'password' })).toMatchObject({ value: 'canary-db-v1', version: '1' });
    expect((await failure(client.read({ name: 'secret/app/db', version: '9' }), 'SECRET_NOT_FOUND')).message).toBe('Version 9 of "secret/app/db" does not exist.');
    expect((await failure(client.read({ name: 'secret/app/rotated', version: '1' }), 'SECRET_NOT_FOUND')).message).toContain('was deleted');
    expect((await client.read({ name: 'secret/app/rotated' })).value).toBe('2');
    const v1 = await failure(client.read({ name: 'kv1/legacy/api', version: '1' }), 'INVALID_PATH');
    expect(v1.message).toContain('KV version 1');
  });

  it('selects JSON keys, the only field, or the whole map', async () => {
    const client = withToken(tokens.reader);
    expect((await client.read({ name: 'secret/app/api' })).value).toBe('canary-api');
    expect((await client.read({ name: 'secret/app/nested', key: 'config.port' })).value).toBe('5432');
    expect((await client.read({ name: 'secret/app/nested', key: 'config.hosts.1' })).value).toBe('b');
    const missingKey = await failure(client.read({ name: 'secret/app/db', key: 'pass' }), 'KEY_NOT_FOUND');
    expect(missingKey.message).toContain('username, password');
  });

  it('reports missing secrets and refused reads with the path', async () => {
    const client = withToken(tokens.narrow, { kvMount: 'secret', kvVersion: 2 });
    expect((await failure(client.read({ name: 'secret/app/gone' }), 'PERMISSION_DENIED')).message).toContain('"secret/app/gone"');
    const reader = withToken(tokens.reader);
    expect((await failure(reader.read({ name: 'secret/app/gone' }), 'SECRET_NOT_FOUND')).message).toBe('There is no secret at "secret/app/gone".');
    vault.enableKv('team/kv', 2);
    expect((await failure(reader.read({ name: 'team/kv' }), 'INVALID_PATH')).message).toContain('names the mount');
  });
});

describe('listing', () => {
  it('lists a folder as full paths, filtered by what was typed after the last slash', async () => {
    const client = withToken(tokens.reader);
    expect((await client.list({ prefix: 'secret/app/' })).names).toEqual(['secret/app/api', 'secret/app/db', 'secret/app/nested', 'secret/app/rotated']);
    expect((await client.list({ prefix: 'secret/app/r' })).names).toEqual(['secret/app/rotated']);
    expect((await client.list({ prefix: 'secret/data/app/a' })).names).toEqual(['secret/data/app/api']);
    expect((await client.list({ prefix: 'kv1/' })).names).toEqual(['kv1/legacy/']);
    expect(await client.list({ prefix: 'secret/nothing-here/' })).toEqual({ names: [] });
  });

  it('pages in memory with an opaque token', async () => {
    const client = withToken(tokens.reader);
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.list({ prefix: 'secret/paged/', pageSize: 2, ...(pageToken ? { pageToken } : {}) });
      expect(page.names.length).toBeLessThanOrEqual(2);
      seen.push(...page.names);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e'].map((n) => `secret/paged/item-${n}`).concat('secret/paged/sub/'));
    expect((await client.list({ prefix: 'secret/paged/' })).nextPageToken).toBeUndefined();
  });

  it('lists the KV mounts when nothing or no slash was typed', async () => {
    const client = withToken(tokens.reader);
    expect((await client.list({})).names).toEqual(expect.arrayContaining(['secret/', 'kv1/']));
    expect((await client.list({ prefix: 'se' })).names).toEqual(['secret/']);
    // Vault shows any token the mounts its policies reach, without a policy on the endpoint.
    expect((await withToken(tokens.noDiscovery).list({})).names).toEqual(['kv1/', 'secret/']);
    expect((await withToken(tokens.narrow).list({})).names).toEqual(['secret/']);
  });

  it('falls back to the configured KV mount, or says so, when the mounts cannot be listed', async () => {
    expect((await withToken(tokens.uiBlocked, { kvMount: 'secret' }).list({ prefix: '' })).names).toEqual(['secret/']);
    const error = await failure(withToken(tokens.uiBlocked).list({}), 'PERMISSION_DENIED');
    expect(error.message).toContain('type the mount and path');
  });

  it('says listing is not allowed when the policy refuses it', async () => {
    const client = withToken(tokens.narrow, { kvMount: 'secret', kvVersion: 2 });
    const error = await failure(client.list({ prefix: 'secret/app/' }), 'PERMISSION_DENIED');
    expect(error.message).toContain('does not allow listing "secret/app/"');
    expect(error.hint).toContain('secret/metadata/app/');
  });
});
