import { generateKeyPair, exportSPKI, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import vault from 'node-vault';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedVaultDemo, startVaultEmulator, type VaultEmulator } from './index.ts';

let emulator: VaultEmulator;

const client = (token?: string, namespace?: string) =>
  vault({ apiVersion: 'v1', endpoint: emulator.url, token, namespace });

const rootClient = () => client(emulator.rootToken);

interface VaultFailure {
  status: number | undefined;
  message: string;
  body: { errors?: string[]; data?: unknown; warnings?: string[] } | undefined;
  code: string | undefined;
}

/** node-vault rejects with `err.message` = errors[0] (or `Status N`) and `err.response = { statusCode, body }`. */
async function failure(promise: Promise<unknown>): Promise<VaultFailure> {
  const err = await promise.then(
    () => {
      throw new Error('expected the Vault call to fail');
    },
    (e: { message: string; code?: string; response?: { statusCode: number; body: VaultFailure['body'] } }) => e,
  );
  return { status: err.response?.statusCode, message: err.message, body: err.response?.body, code: err.code };
}

const ACL_DENIED = '1 error occurred:\n\t* permission denied\n\n';

beforeAll(async () => {
  emulator = await startVaultEmulator();
  emulator.enableKv('secret', 2);
  emulator.enableKv('kv1', 1);
  emulator.putSecret('secret', 'app/db', { username: 'app', password: 'v1-pass' });
  emulator.putSecret('secret', 'app/db', { username: 'app', password: 'v2-pass' });
  emulator.putSecret('secret', 'app/nested/cache', { url: 'redis://cache' });
  emulator.putSecret('secret', 'admin/root-ca', { pem: 'not-for-apps' });
  emulator.putSecret('kv1', 'legacy/api', { api_key: 'legacy-key' });
});

afterAll(() => emulator.close());

afterEach(() => {
  Object.assign(emulator.faults, { latencyMs: 0, failNextRequests: 0, status5xx: 503, dropConnections: false, hang: false });
});

describe('token lookup', () => {
  it('describes the root token', async () => {
    const { data } = await rootClient().tokenLookupSelf();
    expect(data).toMatchObject({ id: emulator.rootToken, policies: ['root'], ttl: 0, renewable: false, type: 'service' });
  });

  it('describes a created token, with the default policy added like Vault does', async () => {
    const token = emulator.createToken({ policies: ['app-read'], ttlSeconds: 600 });
    const { data } = await client(token).tokenLookupSelf();
    expect(data).toMatchObject({ id: token, policies: ['app-read', 'default'], renewable: true, type: 'service' });
    expect(data.ttl).toBeGreaterThan(590);
    expect(data.ttl).toBeLessThanOrEqual(600);
    expect(typeof data.accessor).toBe('string');
    expect(Date.parse(data.expire_time)).toBeGreaterThan(Date.now());
  });

  it('refuses a missing or unknown token with a plain permission denied', async () => {
    for (const token of [undefined, 'hvs.unknown']) {
      const err = await failure(client(token).tokenLookupSelf());
      expect(err).toMatchObject({ status: 403, message: 'permission denied' });
    }
  });
});

describe('KV v2', () => {
  it('reads the latest version with its metadata', async () => {
    const res = await rootClient().read('secret/data/app/db');
    expect(res.data.data).toEqual({ username: 'app', password: 'v2-pass' });
    expect(res.data.metadata).toMatchObject({ version: 2, deletion_time: '', destroyed: false, custom_metadata: null });
    expect(res).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, wrap_info: null });
  });

  it('reads an older version with ?version=N', async () => {
    const res = await rootClient().read('secret/data/app/db?version=1');
    expect(res.data.data.password).toBe('v1-pass');
    expect(res.data.metadata.version).toBe(1);
  });

  it('writes a new version, honouring check-and-set', async () => {
    const vc = rootClient();
    const first = await vc.write('secret/data/app/written', { data: { a: 1 } });
    expect(first.data).toMatchObject({ version: 1, destroyed: false });
    const casErr = await failure(vc.write('secret/data/app/written', { data: { a: 2 }, options: { cas: 0 } }));
    expect(casErr).toMatchObject({ status: 400, message: 'check-and-set parameter did not match the current version' });
    const second = await vc.write('secret/data/app/written', { data: { a: 2 }, options: { cas: 1 } });
    expect(second.data.version).toBe(2);
  });

  it('answers 404 for a soft-deleted version, with its metadata and no errors', async () => {
    emulator.putSecret('secret', 'app/rotated', { key: 'old' });
    emulator.putSecret('secret', 'app/rotated', { key: 'new' });
    emulator.deleteSecretVersion('secret', 'app/rotated', 1);
    const err = await failure(rootClient().read('secret/data/app/rotated?version=1'));
    expect(err).toMatchObject({ status: 404, message: 'Status 404' });
    expect(err.body).toMatchObject({ data: { data: null, metadata: { version: 1, destroyed: false } } });
    expect(err.body?.errors).toBeUndefined();
    expect((await rootClient().read('secret/data/app/rotated')).data.data).toEqual({ key: 'new' });
  });

  it('soft-deletes the latest version on DELETE', async () => {
    emulator.putSecret('secret', 'app/short-lived', { x: 1 });
    await rootClient().delete('secret/data/app/short-lived');
    expect((await failure(rootClient().read('secret/data/app/short-lived'))).status).toBe(404);
  });

  it('lists keys and folders with ?list=true', async () => {
    const res = await rootClient().read('secret/metadata/app?list=true');
    expect(res.data.keys).toEqual(expect.arrayContaining(['db', 'nested/']));
    const top = await rootClient().request({ path: '/secret/metadata/?list=true', method: 'GET' });
    expect(top.data.keys).toEqual(['admin/', 'app/']);
  });

  it('reports versions metadata', async () => {
    const res = await rootClient().read('secret/metadata/app/db');
    expect(res.data).toMatchObject({ current_version: 2, versions: { 1: { destroyed: false }, 2: { destroyed: false } } });
  });

  it('cannot serve node-vault list(), which sends the LIST method Node rejects, and says why', async () => {
    const err = await failure(rootClient().list('secret/metadata/app'));
    expect(err.status).toBe(400);
    expect(err.message).toContain('?list=true');
  });

  it('serves list() when node-vault is told to avoid custom verbs (it then sends GET ?list=1)', async () => {
    const vc = vault({ apiVersion: 'v1', endpoint: emulator.url, token: emulator.rootToken, noCustomHTTPVerbs: true });
    expect((await vc.list('secret/metadata/app')).data.keys).toContain('db');
  });
});

describe('KV v1', () => {
  it('reads, writes and lists', async () => {
    const vc = rootClient();
    const res = await vc.read('kv1/legacy/api');
    expect(res).toMatchObject({ data: { api_key: 'legacy-key' }, lease_duration: 2764800 });
    await vc.write('kv1/legacy/other', { token: 't' });
    expect((await vc.read('kv1/legacy/other')).data).toEqual({ token: 't' });
    expect((await vc.read('kv1/legacy?list=true')).data.keys).toEqual(['api', 'other']);
    expect(emulator.putSecret('kv1', 'legacy/again', { a: 1 })).toBe(1);
  });
});

describe('404 shapes', () => {
  it('answers a missing secret with an empty error list', async () => {
    for (const path of ['secret/data/app/none', 'kv1/none', 'secret/metadata/app/none', 'secret/metadata/none?list=true']) {
      expect(await failure(rootClient().read(path))).toMatchObject({ status: 404, message: 'Status 404', body: { errors: [] } });
    }
  });

  it('answers an unknown mount with no handler for route', async () => {
    const err = await failure(rootClient().read('nowhere/app'));
    expect(err).toMatchObject({ status: 404, message: 'no handler for route "nowhere/app". route entry not found.' });
  });

  it('warns when a KV v2 mount is read without data/', async () => {
    const err = await failure(rootClient().read('secret/app/db'));
    expect(err.status).toBe(404);
    expect(err.body?.warnings?.[0]).toContain('Invalid path for a versioned K/V secrets engine');
  });

  it('rejects a body that is not JSON with 400', async () => {
    const res = await fetch(`${emulator.url}/v1/secret/data/app/db`, {
      method: 'POST',
      headers: { 'X-Vault-Token': emulator.rootToken },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: string[] }).errors[0]).toMatch(/^failed to parse JSON input/);
  });
});

describe('ACL policies', () => {
  let reader: ReturnType<typeof client>;

  beforeAll(() => {
    emulator.writePolicy('app-read', [
      { path: 'secret/data/app/*', capabilities: ['read'] },
      { path: 'secret/data/app/nested/*', capabilities: ['deny'] },
      { path: 'secret/data/+/db', capabilities: ['read'] },
      { path: 'kv1/legacy/*', capabilities: ['read', 'list'] },
    ]);
    emulator.writePolicy('app-write', [{ path: 'secret/data/app/new-*', capabilities: ['create'] }]);
    emulator.writePolicy('nested-read', [{ path: 'secret/data/app/nested/*', capabilities: ['read'] }]);
    reader = client(emulator.createToken({ policies: ['app-read', 'app-write', 'nested-read'] }));
  });

  it('allows reads under a glob', async () => {
    expect((await reader.read('secret/data/app/db')).data.data.username).toBe('app');
  });

  it('lets deny win over a broader grant, and over a grant of the same path in another policy', async () => {
    expect(await failure(reader.read('secret/data/app/nested/cache'))).toMatchObject({ status: 403, message: ACL_DENIED });
  });

  it('matches + against exactly one segment', async () => {
    emulator.putSecret('secret', 'admin/db', { pw: 'x' });
    expect((await reader.read('secret/data/admin/db')).data.data).toEqual({ pw: 'x' });
    expect((await failure(reader.read('secret/data/admin/root-ca'))).status).toBe(403);
  });

  it('separates read on data/ from list on metadata/', async () => {
    expect(await failure(reader.read('secret/metadata/app?list=true'))).toMatchObject({ status: 403, message: ACL_DENIED });
    expect((await reader.read('kv1/legacy?list=true')).data.keys).toContain('api');
  });

  it('needs create for a new key and update for an existing one', async () => {
    expect((await reader.write('secret/data/app/new-key', { data: { a: 1 } })).data.version).toBe(1);
    expect((await failure(reader.write('secret/data/app/new-key', { data: { a: 2 } }))).status).toBe(403);
  });

  it('denies paths no policy mentions, even on unknown mounts', async () => {
    expect((await failure(reader.read('nowhere/x'))).message).toBe(ACL_DENIED);
  });
});

describe('namespaces', () => {
  beforeAll(() => {
    emulator.enableKv('secret', 2, { namespace: 'team-a' });
    emulator.putSecret('secret', 'app/db', { owner: 'team-a' }, { namespace: 'team-a' });
    emulator.writePolicy('reader', [{ path: 'secret/data/*', capabilities: ['read'] }], { namespace: 'team-a' });
  });

  it('keeps mounts, secrets and tokens apart', async () => {
    const token = emulator.createToken({ policies: ['reader'], namespace: 'team-a' });
    expect((await client(token, 'team-a').read('secret/data/app/db')).data.data).toEqual({ owner: 'team-a' });
    expect((await client(emulator.rootToken, 'team-a').read('secret/data/app/db')).data.data.owner).toBe('team-a');
    expect((await rootClient().read('secret/data/app/db')).data.data.username).toBe('app');
    expect(await failure(client(token).read('secret/data/app/db'))).toMatchObject({ status: 403, message: 'permission denied' });
    expect((await failure(client(token, 'team-b').tokenLookupSelf())).status).toBe(403);
    expect((await failure(client(emulator.rootToken, 'team-b').read('secret/data/app/db'))).status).toBe(404);
  });
});

describe('AppRole', () => {
  let creds: { roleId: string; secretId: string };

  beforeAll(() => {
    emulator.writePolicy('approle-read', [{ path: 'secret/data/app/*', capabilities: ['read'] }]);
    emulator.enableAppRole('approle-ci');
    creds = emulator.createAppRole('ci', { policies: ['approle-read'], tokenTtlSeconds: 900, mount: 'approle-ci' });
  });

  it('logs in, and node-vault then uses the new token', async () => {
    const vc = client();
    const res = await vc.approleLogin({ role_id: creds.roleId, secret_id: creds.secretId, mount_point: 'approle-ci' });
    expect(res.auth).toMatchObject({
      policies: ['approle-read', 'default'],
      token_policies: ['approle-read', 'default'],
      lease_duration: 900,
      renewable: true,
      metadata: { role_name: 'ci' },
    });
    expect(vc.token).toBe(res.auth.client_token);
    expect((await vc.read('secret/data/app/db')).data.data.username).toBe('app');
  });

  it('refuses a wrong secret ID or role ID', async () => {
    for (const body of [
      { role_id: creds.roleId, secret_id: 'wrong' },
      { role_id: 'wrong', secret_id: creds.secretId },
    ]) {
      const err = await failure(client().approleLogin({ ...body, mount_point: 'approle-ci' }));
      expect(err).toMatchObject({ status: 400, message: 'invalid role or secret ID' });
    }
  });

  it('names the missing field', async () => {
    const err = await failure(client().write('auth/approle-ci/login', { secret_id: creds.secretId }));
    expect(err).toMatchObject({ status: 400, message: 'missing role_id' });
  });
});

describe('Kubernetes auth', () => {
  let rsaKey: CryptoKey;
  let ecKey: CryptoKey;
  let strangerKey: CryptoKey;
  const now = () => Math.floor(Date.now() / 1000);

  const projectedClaims = (namespace: string, name: string): JWTPayload => ({
    sub: `system:serviceaccount:${namespace}:${name}`,
    'kubernetes.io': { namespace, serviceaccount: { name, uid: 'uid-1' } },
  });

  const sign = (claims: JWTPayload, key: CryptoKey, alg = 'RS256', exp: number | null = now() + 300) => {
    const jwt = new SignJWT(claims).setProtectedHeader({ alg }).setIssuer('kubernetes/serviceaccount');
    return (exp === null ? jwt : jwt.setExpirationTime(exp)).sign(key);
  };

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    rsaKey = rsa.privateKey;
    ecKey = ec.privateKey;
    strangerKey = (await generateKeyPair('RS256')).privateKey;
    emulator.writePolicy('k8s-read', [{ path: 'secret/data/app/*', capabilities: ['read'] }]);
    emulator.enableKubernetes('k8s', { publicKeyPem: await exportSPKI(rsa.publicKey) });
    emulator.enableKubernetes('k8s-ec', { publicKeyPem: await exportSPKI(ec.publicKey) });
    for (const mount of ['k8s', 'k8s-ec']) {
      emulator.createKubernetesRole('web', {
        mount,
        boundServiceAccountNames: ['web'],
        boundNamespaces: ['prod'],
        policies: ['k8s-read'],
        tokenTtlSeconds: 300,
      });
    }
  });

  it('logs in with a projected service-account token', async () => {
    const vc = client();
    const res = await vc.kubernetesLogin({ role: 'web', jwt: await sign(projectedClaims('prod', 'web'), rsaKey), mount_point: 'k8s' });
    expect(res.auth).toMatchObject({ policies: ['default', 'k8s-read'], lease_duration: 300, renewable: true });
    expect(res.auth.metadata).toMatchObject({ service_account_name: 'web', service_account_namespace: 'prod' });
    expect((await vc.read('secret/data/app/db')).data.data.username).toBe('app');
  });

  it('accepts the legacy flat claims, ES256, and no exp', async () => {
    const legacy = {
      'kubernetes.io/serviceaccount/namespace': 'prod',
      'kubernetes.io/serviceaccount/service-account.name': 'web',
    };
    const res = await client().kubernetesLogin({ role: 'web', jwt: await sign(legacy, ecKey, 'ES256', null), mount_point: 'k8s-ec' });
    expect(res.auth.client_token).toMatch(/^hvs\./);
  });

  it('refuses a bad signature, an expired token and an unbound service account with 403', async () => {
    const jwts = [
      await sign(projectedClaims('prod', 'web'), strangerKey),
      await sign(projectedClaims('prod', 'web'), rsaKey, 'RS256', now() - 60),
      await sign(projectedClaims('prod', 'batch'), rsaKey),
      await sign(projectedClaims('dev', 'web'), rsaKey),
      'not-a-jwt',
    ];
    for (const jwt of jwts) {
      expect(await failure(client().kubernetesLogin({ role: 'web', jwt, mount_point: 'k8s' }))).toMatchObject({
        status: 403,
        message: 'permission denied',
      });
    }
  });

  it('refuses an unknown role with 400', async () => {
    const jwt = await sign(projectedClaims('prod', 'web'), rsaKey);
    const err = await failure(client().kubernetesLogin({ role: 'x', jwt, mount_point: 'k8s' }));
    expect(err).toMatchObject({ status: 400, message: 'invalid role name "x"' });
  });

  it('answers 404 to node-vault posting to auth//login when mount_point is omitted', async () => {
    const err = await failure(client().kubernetesLogin({ role: 'web', jwt: 'x' }));
    expect(err).toMatchObject({ status: 404, message: 'no handler for route "auth//login". route entry not found.' });
  });
});

describe('token TTL and renewal', () => {
  it('expires tokens on the wall clock', async () => {
    const vc = client(emulator.createToken({ policies: [], ttlSeconds: 1 }));
    expect((await vc.tokenLookupSelf()).data.ttl).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await failure(vc.tokenLookupSelf())).toMatchObject({ status: 403, message: 'permission denied' });
  });

  it('renews by the increment, capped by the max TTL with a warning', async () => {
    const vc = client(emulator.createToken({ policies: [], ttlSeconds: 60, maxTtlSeconds: 120 }));
    const before = emulator.stats.renewals;
    const res = await vc.tokenRenewSelf({ increment: '1h' });
    expect(res.auth).toMatchObject({ renewable: true, policies: ['default'], token_policies: ['default'] });
    expect(res.auth.lease_duration).toBeGreaterThan(110);
    expect(res.auth.lease_duration).toBeLessThanOrEqual(120);
    expect(res.warnings[0]).toContain('max_ttl');
    expect((await vc.tokenRenewSelf({ increment: 30 })).auth.lease_duration).toBe(30);
    expect(emulator.stats.renewals).toBe(before + 2);
  });

  it('refuses to renew a non-renewable token', async () => {
    const vc = client(emulator.createToken({ policies: [], ttlSeconds: 60, renewable: false }));
    expect(await failure(vc.tokenRenewSelf())).toMatchObject({ status: 400, message: 'lease is not renewable' });
  });

  it('creates child tokens for root, and within the parent policies for others', async () => {
    const res = await rootClient().tokenCreate({ policies: ['app-read'], ttl: '10m' });
    expect(res.auth).toMatchObject({ policies: ['app-read', 'default'], lease_duration: 600 });
    expect((await failure(client(res.auth.client_token).tokenCreate({ policies: [] }))).status).toBe(403);

    emulator.writePolicy('token-maker', [{ path: 'auth/token/create', capabilities: ['update'] }]);
    const maker = client(emulator.createToken({ policies: ['token-maker', 'app-read'] }));
    const child = await maker.write('auth/token/create', { policies: ['app-read'] });
    expect(child.auth.policies).toEqual(['app-read', 'default']);
    const err = await failure(maker.write('auth/token/create', { policies: ['root'] }));
    expect(err).toMatchObject({ status: 400, message: 'child policies must be subset of parent' });
  });
});

describe('mount discovery', () => {
  it('describes the mount of a path for a privileged token', async () => {
    const res = await rootClient().read('sys/internal/ui/mounts/secret/app/db');
    expect(res.data).toMatchObject({ path: 'secret/', type: 'kv', options: { version: '2' } });
    const v1 = await rootClient().read('sys/internal/ui/mounts/kv1/legacy/api');
    expect(v1.data).toMatchObject({ path: 'kv1/', options: { version: '1' } });
    const mounts = await rootClient().read('sys/mounts');
    expect(mounts.data['secret/']).toMatchObject({ type: 'kv', options: { version: '2' } });
  });

  it('refuses a token without the privilege, as restricted Vault tokens are', async () => {
    const vc = client(emulator.createToken({ policies: ['app-read'] }));
    expect((await failure(vc.read('sys/internal/ui/mounts/secret/app/db'))).status).toBe(403);
    expect((await failure(vc.read('sys/mounts'))).status).toBe(403);
  });

  it('allows it through a policy on sys/internal/ui/mounts/*', async () => {
    emulator.writePolicy('discover', [{ path: 'sys/internal/ui/mounts/*', capabilities: ['read'] }]);
    const vc = client(emulator.createToken({ policies: ['discover'] }));
    expect((await vc.read('sys/internal/ui/mounts/secret/x')).data.path).toBe('secret/');
  });

  it('lists to any token the secrets engines its policies reach, and nothing else', async () => {
    const all = await rootClient().read('sys/internal/ui/mounts');
    expect(Object.keys(all.data.secret)).toEqual(expect.arrayContaining(['secret/', 'kv1/']));
    expect(all.data.secret['secret/']).toMatchObject({ type: 'kv', path: 'secret/', options: { version: '2' } });

    emulator.writePolicy('only-kv1', [{ path: 'kv1/legacy/*', capabilities: ['read'] }]);
    emulator.writePolicy('denied-secret', [{ path: 'secret/*', capabilities: ['deny'] }]);
    const kv1Only = await client(emulator.createToken({ policies: ['only-kv1', 'denied-secret'] })).read('sys/internal/ui/mounts');
    expect(Object.keys(kv1Only.data.secret)).toEqual(['kv1/']);
    emulator.writePolicy('glob', [{ path: 'sec*', capabilities: ['list'] }]);
    const globbed = await client(emulator.createToken({ policies: ['glob'] })).read('sys/internal/ui/mounts');
    expect(Object.keys(globbed.data.secret)).toEqual(['secret/']);
    expect((await failure(client('not-a-token').read('sys/internal/ui/mounts'))).status).toBe(403);
  });
});

describe('faults', () => {
  it('delays responses by latencyMs', async () => {
    emulator.faults.latencyMs = 200;
    const started = performance.now();
    await rootClient().tokenLookupSelf();
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('answers the next N requests with a 5xx, then recovers', async () => {
    emulator.faults.failNextRequests = 2;
    const vc = rootClient();
    for (let i = 0; i < 2; i++) {
      expect(await failure(vc.read('secret/data/app/db'))).toMatchObject({ status: 503, message: 'Vault is sealed' });
    }
    expect(emulator.faults.failNextRequests).toBe(0);
    expect((await vc.read('secret/data/app/db')).data.data.username).toBe('app');
  });

  it('uses status5xx for the injected failures', async () => {
    Object.assign(emulator.faults, { failNextRequests: 1, status5xx: 500 });
    const err = await failure(rootClient().tokenLookupSelf());
    expect(err).toMatchObject({ status: 500, message: 'local node not active but active cluster node not found' });
  });

  it('hangs without answering, and counts the requests their clients gave up on', async () => {
    emulator.faults.hang = true;
    emulator.stats.reset();
    const gaveUp = new AbortController();
    const pending = fetch(`${emulator.url}/v1/auth/token/lookup-self`, { headers: { 'x-vault-token': emulator.rootToken }, signal: gaveUp.signal });
    await expect.poll(() => emulator.stats.requests).toBe(1);
    expect(emulator.stats.abandoned).toBe(0);
    gaveUp.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => emulator.stats.abandoned).toBe(1);
  });

  it('drops connections without answering', async () => {
    emulator.faults.dropConnections = true;
    const err = await failure(rootClient().tokenLookupSelf());
    expect(err.status).toBeUndefined();
    expect(err.code).toBe('ECONNRESET');
  });
});

describe('stats', () => {
  it('counts requests, logins and routes', async () => {
    emulator.enableAppRole();
    const { roleId, secretId } = emulator.createAppRole('stats', { policies: [] });
    emulator.stats.reset();
    const vc = client();
    await vc.approleLogin({ role_id: roleId, secret_id: secretId });
    await failure(vc.read('secret/data/app/db'));
    expect(emulator.stats).toMatchObject({
      requests: 2,
      logins: 1,
      renewals: 0,
      byRoute: { 'POST approle-login': 1, 'GET kv-read': 1 },
    });
  });
});

describe('seedVaultDemo', () => {
  it('seeds secrets, a read-only token and an AppRole that work through node-vault', async () => {
    const demo = await startVaultEmulator();
    try {
      const { token, roleId, secretId } = seedVaultDemo(demo);
      const vc = vault({ apiVersion: 'v1', endpoint: demo.url, token });
      expect((await vc.read('secret/data/app/database')).data.data).toHaveProperty('password');
      expect((await vc.read('secret/data/app/stripe?version=1')).data.metadata.version).toBe(1);
      expect((await vc.read('secret/data/app/stripe')).data.metadata.version).toBe(2);
      expect((await vc.read('kv1/legacy/api')).data).toHaveProperty('api_key');
      expect((await vc.read('secret/metadata/app?list=true')).data.keys).toEqual(['database', 'slack', 'stripe']);
      expect((await failure(vc.write('secret/data/app/database', { data: {} }))).status).toBe(403);
      const login = vault({ apiVersion: 'v1', endpoint: demo.url });
      await login.approleLogin({ role_id: roleId, secret_id: secretId });
      expect((await login.read('sys/internal/ui/mounts/secret/app/slack')).data.options.version).toBe('2');
    } finally {
      await demo.close();
    }
  });
});
