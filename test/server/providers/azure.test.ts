/**
 * The Azure Key Vault adapter beyond the contract suite: each auth method, sign-in
 * failures, the operator's policy and the cloud's host rules, path aliases, browsing
 * with a prefix over many provider pages, retries and dropped connections through the
 * SDK, TLS, token reuse — all through the official SDK against the emulator.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeFields } from '../../../shared/fields.ts';
import { azureAuthSchemas, azureDescriptor, type AzureConfig } from '../../../shared/providers/azure.ts';
import { parseSecretPath } from '../../../shared/secret-path.ts';
import { azureAdapter } from '../../../server/providers/azure/index.ts';
import { createLogger } from '../../../server/logger.ts';
import type { ProviderClient, ProviderPolicy } from '../../../server/providers/types.ts';
import { createClientCertificate, startAzureEmulator, type AzureEmulator, type ClientCertificate } from '../../emulators/azure/index.ts';
import { failureCollector } from './failures.ts';
import { testEgress } from '../../support/egress.ts';

const customHostsAllowed: ProviderPolicy = { allowAmbientCredentials: false, allowCustomHosts: true };
const strictPolicy: ProviderPolicy = { allowAmbientCredentials: false, allowCustomHosts: false };

const logs: string[] = [];
const logger = createLogger('trace', new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }));
const { messages, failure } = failureCollector();
const canaries: string[] = [];
const clients: ProviderClient[] = [];

let azure: AzureEmulator;
let secretApp: { clientId: string; clientSecret: string };
let certApp: { clientId: string; certificate: ClientCertificate };
let limitedApp: { clientId: string; clientSecret: string };
let firstStripeVersion: string;

function registerSecretApp(access: { get: '*' | string[]; list: boolean }) {
  const app = { clientId: randomUUID(), clientSecret: `test~${randomUUID()}` };
  azure.addApplication({ clientId: app.clientId, clientSecrets: [app.clientSecret] });
  azure.setAccess(app.clientId, access);
  canaries.push(app.clientSecret);
  return app;
}

/** Emulator endpoints and CA; the cloud stays `public`, so the vault and authority are custom hosts. */
function emulated() {
  return { vaultUrl: azure.url, cloud: 'public' as const, authorityHost: azure.url, caCert: azure.caCert };
}

function secretConfig(app = secretApp, extra: Partial<AzureConfig> = {}): AzureConfig {
  return { authMethod: 'clientSecret', ...emulated(), tenantId: azure.tenantId, ...app, ...extra } as AzureConfig;
}

function connect(config: AzureConfig, timeoutMs = 5_000): ProviderClient {
  const client = azureAdapter.connect(config, { timeoutMs, logger, policy: customHostsAllowed, egress: testEgress() });
  clients.push(client);
  return client;
}


function path(input: string) {
  const parsed = parseSecretPath(input);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.path;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  azure = await startAzureEmulator();
  secretApp = registerSecretApp({ get: '*', list: true });
  limitedApp = registerSecretApp({ get: ['prod-database'], list: false });
  certApp = { clientId: randomUUID(), certificate: createClientCertificate() };
  azure.addApplication({ clientId: certApp.clientId, certificates: [certApp.certificate.certificate] });
  azure.setAccess(certApp.clientId, { get: '*', list: true });
  canaries.push(...certApp.certificate.pem.split('\n').filter((line) => line.length >= 32));

  azure.setSecret('prod-database', JSON.stringify({ username: 'app_user', password: 'db-password-value' }));
  firstStripeVersion = azure.setSecret('prod-stripe-api-key', 'sk_test_version_1');
  azure.setSecret('prod-stripe-api-key', 'sk_test_version_2');
  azure.setSecret('disabled-secret', 'nobody reads this', { enabled: false });
  azure.setSecret('multi-line', '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\nünïcødé ✓\n');
  // 30 names on each side of the prefix, so its matches span the second and third provider pages (25 each).
  for (let i = 0; i < 30; i++) {
    const n = String(i).padStart(2, '0');
    azure.setSecret(`browse-a-${n}`, 'a');
    azure.setSecret(`browse-b-${n}`, 'b');
    azure.setSecret(`browse-c-${n}`, 'c');
  }
});

afterEach(() => {
  Object.assign(azure.faults, { latencyMs: 0, failNextRequests: 0, status5xx: 503, retryAfterSeconds: 0, dropConnections: false });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await azure?.close();
});

describe('auth methods', () => {
  it('signs in with a client secret: check names the app and lists', async () => {
    const info = await connect(secretConfig()).check();
    expect(info.identity).toBe(`app ${secretApp.clientId} in tenant ${azure.tenantId}`);
    expect(info.details).toMatchObject({ authMethod: 'clientSecret', listAllowed: true, tenantId: azure.tenantId });
  });

  it('signs in with a client certificate (PS256 assertion with x5t#S256)', async () => {
    const client = connect({ authMethod: 'clientCertificate', ...emulated(), tenantId: azure.tenantId, clientId: certApp.clientId, certificate: certApp.certificate.pem });
    await expect(client.read(path('prod-database#password'))).resolves.toMatchObject({ value: 'db-password-value', keys: ['username', 'password'] });
  });

  it('rejects a certificate the app registration does not have', async () => {
    const other = createClientCertificate('not registered');
    canaries.push(...other.pem.split('\n').filter((line) => line.length >= 32));
    const client = connect({ authMethod: 'clientCertificate', ...emulated(), tenantId: azure.tenantId, clientId: certApp.clientId, certificate: other.pem });
    const error = await failure(client.check(), 'AUTHENTICATION_FAILED');
    expect(error.message).toMatch(/rejected the certificate.*AADSTS700027/);
  });

  it('refuses a key that does not belong to its certificate before sending anything', async () => {
    const other = createClientCertificate('other key');
    canaries.push(...other.pem.split('\n').filter((line) => line.length >= 32));
    const keyOnly = other.pem.slice(0, other.pem.indexOf('-----BEGIN CERTIFICATE-----'));
    azure.stats.reset();
    const client = connect({
      authMethod: 'clientCertificate',
      ...emulated(),
      tenantId: azure.tenantId,
      clientId: certApp.clientId,
      certificate: `${keyOnly}${certApp.certificate.certificate}`,
    });
    const error = await failure(client.check(), 'AUTHENTICATION_FAILED');
    expect(error.message).toMatch(/private key does not belong to the certificate/);
    expect(azure.stats.requests).toBe(0);
  });

  it('maps a wrong client secret to AUTHENTICATION_FAILED (AADSTS7000215)', async () => {
    const wrong = `wrong~${randomUUID()}`;
    canaries.push(wrong);
    const error = await failure(connect(secretConfig({ clientId: secretApp.clientId, clientSecret: wrong })).check(), 'AUTHENTICATION_FAILED');
    expect(error.message).toMatch(/rejected the client secret.*AADSTS7000215/);
    expect(error.hint).toMatch(/Value \(not its Secret ID\)/);
  });

  it('maps an unknown client id to AUTHENTICATION_FAILED (AADSTS700016)', async () => {
    const error = await failure(connect(secretConfig({ clientId: randomUUID(), clientSecret: secretApp.clientSecret })).check(), 'AUTHENTICATION_FAILED');
    expect(error.message).toMatch(/does not know app .* in tenant .*AADSTS700016/);
  });

  it('explains a tenant id that is not the vault’s', async () => {
    const error = await failure(connect(secretConfig(secretApp, { tenantId: randomUUID() })).check(), 'AUTHENTICATION_FAILED');
    expect(error.message).toContain(`The vault belongs to directory (tenant) ${azure.tenantId}`);
  });

  it('maps a tenant the authority does not know to AUTHENTICATION_FAILED (AADSTS90002)', async () => {
    const ghost = randomUUID();
    azure.challengeTenantId = ghost;
    try {
      const error = await failure(connect(secretConfig(secretApp, { tenantId: ghost })).check(), 'AUTHENTICATION_FAILED');
      expect(error.message).toMatch(new RegExp(`has no tenant ${ghost}.*AADSTS90002`));
    } finally {
      azure.challengeTenantId = azure.tenantId;
    }
  });

  it('maps an unreachable authority to CONNECTION_FAILED', async () => {
    const error = await failure(connect(secretConfig(secretApp, { authorityHost: `https://127.0.0.1:${await closedPort()}` })).check(), 'CONNECTION_FAILED');
    expect(error.message).toMatch(/Entra ID authority .* refused the connection/);
  });
});

describe('operator policy and cloud host rules', () => {
  const base = { vaultUrl: 'https://my-vault.vault.azure.net', cloud: 'public' as const, tenantId: randomUUID(), clientId: randomUUID(), clientSecret: 'x' };
  const config = (extra: Partial<AzureConfig>) => ({ authMethod: 'clientSecret', ...base, ...extra }) as AzureConfig;

  it('refuses the server’s managed identity unless ambient credentials are allowed', () => {
    const mi: AzureConfig = { authMethod: 'managedIdentity', vaultUrl: base.vaultUrl, cloud: 'public' };
    expect(azureAdapter.checkPolicy!(mi, strictPolicy)).toMatchObject({ field: 'authMethod', message: expect.stringMatching(/managed identity/) });
    expect(azureAdapter.checkPolicy!(mi, { ...strictPolicy, allowAmbientCredentials: true })).toBeUndefined();
  });

  it.each([
    ['public', 'https://my-vault.vault.azure.net', true],
    ['usgov', 'https://my-vault.vault.usgovcloudapi.net', true],
    ['china', 'https://my-vault.vault.azure.cn', true],
    ['usgov', 'https://my-vault.vault.azure.net', false],
    ['public', 'https://my-vault.vault.azure.cn', false],
    ['public', 'https://vault.azure.net', false],
    ['public', 'https://vault.azure.net.evil.example', false],
    ['public', 'https://127.0.0.1:8443', false],
  ] as const)('cloud %s, vault %s: allowed without custom hosts = %s', (cloud, vaultUrl, allowed) => {
    const violation = azureAdapter.checkPolicy!(config({ cloud, vaultUrl }), strictPolicy);
    if (allowed) expect(violation).toBeUndefined();
    else expect(violation).toMatchObject({ field: 'vaultUrl' });
    expect(azureAdapter.checkPolicy!(config({ cloud, vaultUrl }), customHostsAllowed)).toBeUndefined();
  });

  it('allows the official authorities only, unless custom hosts are allowed', () => {
    expect(azureAdapter.checkPolicy!(config({ authorityHost: 'https://login.microsoftonline.com' }), strictPolicy)).toBeUndefined();
    expect(azureAdapter.checkPolicy!(config({ cloud: 'usgov', vaultUrl: 'https://v.vault.usgovcloudapi.net', authorityHost: 'https://login.microsoftonline.us/' }), strictPolicy)).toBeUndefined();
    expect(azureAdapter.checkPolicy!(config({ authorityHost: 'https://login.evil.example' }), strictPolicy)).toMatchObject({ field: 'authorityHost' });
    expect(azureAdapter.checkPolicy!(config({ authorityHost: 'https://login.evil.example' }), customHostsAllowed)).toBeUndefined();
  });

  it('requires https and a bare address for the vault and the authority', () => {
    const schema = azureAuthSchemas.clientSecret;
    const valid = { ...base };
    expect(schema.safeParse(valid).success).toBe(true);
    expect(schema.parse(valid).cloud).toBe('public');
    for (const vaultUrl of ['http://my-vault.vault.azure.net', 'https://my-vault.vault.azure.net/secrets/x', 'https://user:pw@my-vault.vault.azure.net', 'my-vault']) {
      expect(schema.safeParse({ ...valid, vaultUrl }).success, vaultUrl).toBe(false);
    }
    expect(schema.safeParse({ ...valid, authorityHost: 'http://127.0.0.1:1' }).success).toBe(false);
    expect(schema.safeParse({ ...valid, cloud: 'germany' }).success).toBe(false);
    expect(schema.safeParse({ ...valid, clientId: 'not-a-guid' }).success).toBe(false);
  });

  it('describes a form for each auth method, credentials write-only', () => {
    const forms = Object.fromEntries(Object.entries(azureDescriptor.authMethods).map(([id, m]) => [id, describeFields(m.schema)]));
    const secretFields = (id: string) => forms[id]!.filter((f) => f.secret).map((f) => f.name);
    expect(secretFields('clientSecret')).toEqual(['clientSecret']);
    expect(secretFields('clientCertificate')).toEqual(['certificate']);
    expect(secretFields('managedIdentity')).toEqual([]);
    expect(forms['clientSecret']!.find((f) => f.name === 'cloud')).toMatchObject({ kind: 'select', required: false });
    expect(forms['clientSecret']!.filter((f) => f.advanced).map((f) => f.name)).toEqual(['authorityHost', 'caCert']);
  });

  it('requires both the key and the certificate for certificate auth', () => {
    const schema = azureAuthSchemas.clientCertificate;
    const { clientSecret: _unused, ...rest } = base;
    expect(schema.safeParse({ ...rest, certificate: certApp.certificate.pem }).success).toBe(true);
    expect(schema.safeParse({ ...rest, certificate: certApp.certificate.certificate }).success).toBe(false);
  });
});

describe('paths', () => {
  const rule = azureDescriptor.pathRule;
  const parse = (input: string) => parseSecretPath(input, rule);

  it('accepts name, @version, #key and normalises name/version', () => {
    const version = 'ABCDEF0123456789abcdef0123456789';
    expect(parse(`prod-db/${version}#password`)).toEqual({ ok: true, path: { name: 'prod-db', version: version.toLowerCase(), key: 'password' } });
    expect(parse(`prod-db@${version}`)).toEqual({ ok: true, path: { name: 'prod-db', version: version.toLowerCase() } });
    expect(parse('prod-db/')).toEqual({ ok: true, path: { name: 'prod-db' } });
  });

  it.each([
    ['prod/database', /"database" is not a Key Vault version id/],
    ['a/b/c', /more than one "\/"/],
    ['prod_database', /not a Key Vault secret name.*letters, digits and dashes/],
    ['x'.repeat(128), /not a Key Vault secret name/],
    [`prod-db/${'a'.repeat(32)}@${'b'.repeat(32)}`, /Give the version once/],
    ['prod-db@3', /not a Key Vault version id/],
    ['https://my-vault.vault.azure.net/secrets/prod-db', /not its URL/],
  ])('explains why %s is invalid', (input, message) => {
    const result = parse(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(message);
      if (!/once|URL/.test(result.message)) expect(result.message).toMatch(/e\.g\. prod-database#password/);
    }
  });

  it('applies the rule to paths parsed without it (portal form, pinned version)', async () => {
    const client = connect(secretConfig());
    await expect(client.read(path(`prod-stripe-api-key/${firstStripeVersion.toUpperCase()}`))).resolves.toEqual({ value: 'sk_test_version_1', version: firstStripeVersion });
    const error = await failure(client.read(path('prod_database')), 'INVALID_PATH');
    expect(error.message).toMatch(/letters, digits and dashes/);
  });

  it('reads case-insensitively, keeps multi-line and non-ASCII values intact', async () => {
    const client = connect(secretConfig());
    await expect(client.read(path('PROD-STRIPE-API-KEY'))).resolves.toMatchObject({ value: 'sk_test_version_2' });
    await expect(client.read(path('multi-line'))).resolves.toMatchObject({ value: '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\nünïcødé ✓\n' });
  });

  it('says a disabled secret is disabled', async () => {
    const error = await failure(connect(secretConfig()).read(path('disabled-secret')), 'PERMISSION_DENIED');
    expect(error.message).toMatch(/"disabled-secret" is disabled/);
  });
});

describe('browsing', () => {
  it('fills each page from several provider pages, prefix applied client-side', async () => {
    const client = connect(secretConfig());
    azure.stats.reset();
    const names: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.list({ prefix: 'browse-b-', pageSize: 7, ...(pageToken && { pageToken }) });
      expect(page.names.length).toBeLessThanOrEqual(7);
      if (page.nextPageToken) expect(page.names).toHaveLength(7);
      names.push(...page.names);
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken && pages < 20);
    expect(names).toEqual(Array.from({ length: 30 }, (_, i) => `browse-b-${String(i).padStart(2, '0')}`));
    expect(pages).toBe(5);
    expect(azure.stats.byOperation['listSecrets']).toBeGreaterThanOrEqual(3);
  });

  it('refuses page tokens it did not issue, without sending the token elsewhere', async () => {
    const client = connect(secretConfig());
    azure.stats.reset();
    const foreign = Buffer.from(JSON.stringify({ link: 'https://attacker.example/secrets?api-version=7.6', skip: 0 })).toString('base64url');
    for (const pageToken of [foreign, 'not-a-token', Buffer.from('{"skip":-1}').toString('base64url')]) {
      await failure(client.list({ pageToken }), 'INVALID_PATH');
    }
    expect(azure.stats.requests).toBe(0);
  });

  it('tells a reader without list permission that browsing is not allowed; its check still passes', async () => {
    const client = connect(secretConfig(limitedApp, { testSecretName: 'prod-database' }));
    const error = await failure(client.list({}), 'PERMISSION_DENIED');
    expect(error.message).toMatch(/may not list the secrets.*browsing is not available/);
    await expect(client.check()).resolves.toMatchObject({ details: { listAllowed: false, testSecretName: 'prod-database' } });
    const denied = await failure(client.read(path('prod-stripe-api-key')), 'PERMISSION_DENIED');
    expect(denied.message).toMatch(/may not read the secret "prod-stripe-api-key"/);
  });

  it('fails the check when the test secret is missing', async () => {
    await failure(connect(secretConfig(secretApp, { testSecretName: 'no-such-secret' })).check(), 'SECRET_NOT_FOUND');
  });
});

describe('resilience', () => {
  it('does not fail the sign-in it shared with another read when the first caller gives up', async () => {
    const client = connect(secretConfig());
    azure.stats.reset();
    azure.faults.latencyMs = 300;
    const leaving = new AbortController();
    const first = client.read(path('prod-database#username'), leaving.signal);
    const second = client.read(path('prod-database#password'));
    // Both reads wait for the one token request the SDK shares, started with the first one's signal.
    await expect.poll(() => azure.stats.byOperation['token'] ?? 0).toBe(1);
    leaving.abort(new Error('the first caller left'));
    await expect(first).rejects.toThrow('the first caller left');
    await expect(second).resolves.toMatchObject({ value: 'db-password-value' });
    expect(azure.stats.byOperation['token']).toBe(1);
  });

  it.each([503, 500, 429])('retries HTTP %i through the SDK, then succeeds', async (status) => {
    const client = connect(secretConfig());
    await client.read(path('prod-database'));
    azure.stats.reset();
    Object.assign(azure.faults, { failNextRequests: 2, status5xx: status });
    await expect(client.read(path('prod-database#username'))).resolves.toMatchObject({ value: 'app_user' });
    expect(azure.stats.byOperation['getSecret']).toBe(3);
  });

  it('gives up after the retries with the provider’s answer', async () => {
    Object.assign(azure.faults, { failNextRequests: 10, status5xx: 500 });
    const error = await failure(connect(secretConfig()).read(path('prod-database')), 'PROVIDER_ERROR');
    expect(error.message).toMatch(/answered HTTP 500/);
  });

  it('maps dropped connections to CONNECTION_FAILED', async () => {
    azure.faults.dropConnections = true;
    const error = await failure(connect(secretConfig()).read(path('prod-database')), 'CONNECTION_FAILED');
    expect(error.message).toMatch(/closed the connection/);
  });

  it('reuses one token for many reads', async () => {
    const client = connect(secretConfig());
    azure.stats.reset();
    for (let i = 0; i < 5; i++) await client.read(path('prod-database#password'));
    await client.list({ prefix: 'prod-' });
    expect(azure.stats.byOperation).toMatchObject({ challenge: 1, token: 1, getSecret: 5 });
  });

  it('says how long it waited when the vault is slow', async () => {
    azure.faults.latencyMs = 5_000;
    const error = await failure(connect(secretConfig(), 300).read(path('prod-database')), 'CONNECTION_FAILED');
    expect(error.message).toMatch(/did not answer within 0.3 s/);
  });

  it('verifies TLS: without the CA the certificate is refused', async () => {
    const { caCert: _ca, ...withoutCa } = secretConfig();
    const error = await failure(connect(withoutCa as AzureConfig).check(), 'CONNECTION_FAILED');
    expect(error.message).toMatch(/TLS connection to Azure Key Vault/);
    expect(error.hint).toMatch(/CA certificate/);
  });

  it('refuses a CA certificate it cannot parse', async () => {
    const error = await failure(connect(secretConfig(secretApp, { caCert: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' })).check(), 'CONNECTION_FAILED');
    expect(error.message).toMatch(/CA certificate of this connection cannot be used/);
  });
});

it('never puts a credential in an error message or a log line', () => {
  const text = [...messages, ...logs].join('\n');
  expect(messages.length).toBeGreaterThan(20);
  for (const canary of canaries) expect(text).not.toContain(canary);
});
