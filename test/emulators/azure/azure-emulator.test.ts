/**
 * The emulator against the official SDK (and raw HTTPS where the wire shape itself is the
 * point): the Entra endpoints MSAL uses, Key Vault's challenge, secrets, paging, access
 * denials, and each fault switch.
 */
import { createHash, createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { Agent, request } from 'node:https';
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClientCertificate, startAzureEmulator, type AzureEmulator, type ClientCertificate } from './index.ts';

let azure: AzureEmulator;
let agent: Agent;
const reader = { clientId: randomUUID(), clientSecret: `reader~${randomUUID()}` };
const limited = { clientId: randomUUID(), clientSecret: `limited~${randomUUID()}` };
const certApp = { clientId: randomUUID() };
let certificate: ClientCertificate;

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function raw(method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${azure.url}${path}`, { method, agent, headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const form = (fields: Record<string, string>) => ({
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

const tokenPath = (tenant = azure.tenantId) => `/${tenant}/oauth2/v2.0/token`;
const scope = 'https://vault.azure.net/.default';

function credentialOptions() {
  return { authorityHost: azure.url, disableInstanceDiscovery: true, agent, retryOptions: { maxRetries: 2, retryDelayInMs: 20 } };
}

function secretClient(app = reader): SecretClient {
  const credential = new ClientSecretCredential(azure.tenantId, app.clientId, app.clientSecret, credentialOptions());
  return new SecretClient(azure.url, credential, { agent, disableChallengeResourceVerification: true, retryOptions: { maxRetries: 3, retryDelayInMs: 20 } });
}

async function rejection(promise: Promise<unknown>): Promise<Error & { statusCode?: number; code?: string; details?: unknown }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );
}

/** A client assertion as MSAL builds it, with parts overridable to break it. */
async function assertion(overrides: { claims?: JWTPayload; key?: Parameters<SignJWT['sign']>[0]; alg?: 'PS256' | 'RS256'; thumbprint?: 'x5t' | 'x5t#S256' } = {}) {
  const cert = new X509Certificate(certificate.certificate);
  const thumbprintHeader = overrides.thumbprint ?? 'x5t#S256';
  const digest = createHash(thumbprintHeader === 'x5t' ? 'sha1' : 'sha256').update(cert.raw).digest('base64url');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ aud: `${azure.url}${tokenPath()}`, iss: certApp.clientId, sub: certApp.clientId, jti: randomUUID(), nbf: now, exp: now + 600, ...overrides.claims })
    .setProtectedHeader({ alg: overrides.alg ?? 'PS256', typ: 'JWT', [thumbprintHeader]: digest })
    .sign(overrides.key ?? createPrivateKey(certificate.pem));
}

const assertionForm = (clientAssertion: string) =>
  form({
    client_id: certApp.clientId,
    scope,
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion,
  });

beforeAll(async () => {
  azure = await startAzureEmulator();
  agent = new Agent({ keepAlive: true, ca: azure.caCert });
  certificate = createClientCertificate();
  azure.addApplication({ clientId: reader.clientId, clientSecrets: [reader.clientSecret] });
  azure.addApplication({ clientId: limited.clientId, clientSecrets: [limited.clientSecret] });
  azure.addApplication({ clientId: certApp.clientId, certificates: [certificate.certificate] });
  azure.setAccess(reader.clientId, { get: '*', list: true, set: true });
  azure.setAccess(limited.clientId, { get: ['Open-Secret'] });
  azure.setAccess(certApp.clientId, { get: '*' });
  azure.setSecret('open-secret', 'first');
  azure.setSecret('disabled', 'x', { enabled: false });
  for (const name of ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']) azure.setSecret(name, name);
});

afterEach(() => {
  Object.assign(azure.faults, { latencyMs: 0, failNextRequests: 0, status5xx: 503, retryAfterSeconds: 0, dropConnections: false });
});

afterAll(async () => {
  agent?.destroy();
  await azure?.close();
});

describe('Entra ID authority', () => {
  it('serves the OpenID configuration MSAL needs, and 400 AADSTS90002 for an unknown tenant', async () => {
    const ok = await raw('GET', `/${azure.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      token_endpoint: `${azure.url}${tokenPath()}`,
      issuer: `${azure.url}/${azure.tenantId}/v2.0`,
      authorization_endpoint: expect.any(String),
      jwks_uri: expect.any(String),
    });
    const unknown = await raw('GET', '/no-such-tenant/v2.0/.well-known/openid-configuration');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'invalid_tenant', error_codes: [90002], error_description: expect.stringMatching(/^AADSTS90002: Tenant 'no-such-tenant' not found/) });
  });

  it('issues a bearer token for the client credentials grant with a secret', async () => {
    const answer = await raw('POST', tokenPath(), form({ client_id: reader.clientId, client_secret: reader.clientSecret, scope, grant_type: 'client_credentials' }));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
  });

  it.each([
    ['a wrong secret', () => ({ client_id: reader.clientId, client_secret: 'wrong' }), tokenPath, 401, 'invalid_client', 7000215],
    ['an unknown client', () => ({ client_id: randomUUID(), client_secret: 'x' }), tokenPath, 400, 'unauthorized_client', 700016],
    ['an unknown tenant', () => ({ client_id: reader.clientId, client_secret: reader.clientSecret }), () => tokenPath('ghost'), 400, 'invalid_request', 90002],
    ['no credential', () => ({ client_id: reader.clientId }), tokenPath, 401, 'invalid_client', 7000218],
  ])('answers %s as Entra does', async (_label, fields, pathOf, status, error, code) => {
    const answer = await raw('POST', pathOf(), form({ ...fields(), scope, grant_type: 'client_credentials' }));
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error, error_codes: [code], error_description: expect.stringMatching(new RegExp(`^AADSTS${code}: .*Trace ID: `)) });
  });

  it('refuses a scope other than the vault’s', async () => {
    const answer = await raw('POST', tokenPath(), form({ client_id: reader.clientId, client_secret: reader.clientSecret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' }));
    expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
  });

  it('accepts certificate assertions signed with the registered key (PS256 + x5t#S256, RS256 + x5t)', async () => {
    expect((await raw('POST', tokenPath(), assertionForm(await assertion()))).status).toBe(200);
    expect((await raw('POST', tokenPath(), assertionForm(await assertion({ alg: 'RS256', thumbprint: 'x5t' })))).status).toBe(200);
    const credential = new ClientCertificateCredential(azure.tenantId, certApp.clientId, { certificate: certificate.pem }, credentialOptions());
    await expect(credential.getToken(scope)).resolves.toMatchObject({ token: expect.any(String) });
  });

  it.each([
    ['signed by another key', async () => assertion({ key: (await generateKeyPair('PS256')).privateKey }), 700027, /failed signature validation/],
    ['expired', async () => assertion({ claims: { exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 4000 } }), 700024, /valid time range/],
    ['for another audience', async () => assertion({ claims: { aud: 'https://login.microsoftonline.com/x/oauth2/v2.0/token' } }), 50027, /invalid or malformed/],
    ['issued for another client', async () => assertion({ claims: { iss: randomUUID() } }), 700021, /doesn't match 'client_id'/],
  ])('refuses an assertion %s', async (_label, build, code, text) => {
    const answer = await raw('POST', tokenPath(), assertionForm(await build()));
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'invalid_client', error_codes: [code], error_description: expect.stringMatching(text) });
  });

  it('refuses an assertion from a certificate the app does not have', async () => {
    const other = createClientCertificate('unregistered');
    const credential = new ClientCertificateCredential(azure.tenantId, certApp.clientId, { certificate: other.pem }, credentialOptions());
    const error = await rejection(credential.getToken(scope));
    expect(error.message).toMatch(/AADSTS700027: The certificate with identifier used to sign the client assertion is not registered/);
  });
});

describe('Key Vault', () => {
  it('challenges a request without a token, naming the authority and the vault resource', async () => {
    const answer = await raw('GET', '/secrets/open-secret/?api-version=7.6');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe(`Bearer authorization="${azure.url}/${azure.tenantId}", resource="https://vault.azure.net"`);
    expect(answer.body).toEqual({ error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
  });

  it('challenges a token it did not issue', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ tid: azure.tenantId, appid: reader.clientId }).setProtectedHeader({ alg: 'ES256' }).setAudience('https://vault.azure.net').setExpirationTime('1h').sign(privateKey);
    const answer = await raw('GET', '/secrets/open-secret/?api-version=7.6', { headers: { Authorization: `Bearer ${forged}` } });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer authorization=/);
  });

  it('keeps versions: set makes a new current one, older ones stay readable by id', async () => {
    const client = secretClient();
    const first = await client.getSecret('open-secret');
    // A PUT: the SDK's first attempt goes without token and body, then again with both.
    const second = await client.setSecret('open-secret', 'second');
    expect(second.properties.version).toMatch(/^[0-9a-f]{32}$/);
    await expect(client.getSecret('open-secret')).resolves.toMatchObject({ value: 'second' });
    await expect(client.getSecret('OPEN-SECRET', { version: first.properties.version! })).resolves.toMatchObject({ value: 'first', name: 'open-secret' });
    const missing = await rejection(client.getSecret('open-secret', { version: '0'.repeat(32) }));
    expect(missing).toMatchObject({ statusCode: 404, code: 'SecretNotFound', message: expect.stringContaining(`(name/id) open-secret/${'0'.repeat(32)} was not found`) });
    await expect(rejection(client.getSecret('never-written'))).resolves.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
  });

  it('pages lists with maxresults and nextLink, up to 25 per page', async () => {
    const client = secretClient();
    const pages: string[][] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 2 })) pages.push(page.map((p) => p.name));
    expect(pages.flat()).toEqual(['disabled', 'open-secret', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);

    const token = await new ClientSecretCredential(azure.tenantId, reader.clientId, reader.clientSecret, credentialOptions()).getToken(scope);
    const auth = { headers: { Authorization: `Bearer ${token.token}` } };
    const first = await raw('GET', '/secrets?api-version=7.6&maxresults=3', auth);
    expect(first.body['nextLink']).toMatch(new RegExp(`^${azure.url}/secrets\\?api-version=7\\.6&\\$skiptoken=[\\w-]+&maxresults=3$`));
    expect((first.body['value'] as unknown[])[0]).toEqual({ id: `${azure.url}/secrets/disabled`, attributes: expect.objectContaining({ enabled: false }) });
    expect(await raw('GET', '/secrets?api-version=7.6&maxresults=26', auth)).toMatchObject({ status: 400, body: { error: { code: 'BadParameter' } } });
  });

  it('denies by client id, in Key Vault’s RBAC shape', async () => {
    const client = secretClient(limited);
    await expect(client.getSecret('open-secret')).resolves.toMatchObject({ value: expect.any(String) });
    const denied = await rejection(client.getSecret('page-1'));
    expect(denied).toMatchObject({ statusCode: 403, code: 'Forbidden', details: { error: { innerError: { code: 'ForbiddenByRbac' } } } });
    expect(denied.message).toMatch(/Caller is not authorized.*\r?\n.*/);
    await expect(rejection(client.listPropertiesOfSecrets().byPage().next())).resolves.toMatchObject({ statusCode: 403 });
    await expect(rejection(client.setSecret('page-1', 'x'))).resolves.toMatchObject({ statusCode: 403 });
  });

  it('refuses to read a disabled secret', async () => {
    const error = await rejection(secretClient().getSecret('disabled'));
    expect(error).toMatchObject({ statusCode: 403, details: { error: { code: 'Forbidden', innerError: { code: 'SecretDisabled' } } } });
  });

  it('lets the vault name a tenant the authority does not know', async () => {
    azure.challengeTenantId = 'vanished-tenant';
    try {
      const answer = await raw('GET', '/secrets/open-secret/?api-version=7.6');
      expect(answer.headers['www-authenticate']).toContain(`${azure.url}/vanished-tenant"`);
    } finally {
      azure.challengeTenantId = azure.tenantId;
    }
  });
});

describe('faults and stats', () => {
  it('counts requests by operation, with one token for many calls', async () => {
    azure.stats.reset();
    const client = secretClient();
    for (let i = 0; i < 3; i++) await client.getSecret('page-1');
    expect(azure.stats.byOperation).toEqual({ challenge: 1, openidConfiguration: 1, token: 1, getSecret: 3 });
    expect(azure.stats.requests).toBe(6);
    const held = azure.stats.byOperation;
    azure.stats.reset();
    expect(held).toEqual({});
    expect(azure.stats.requests).toBe(0);
  });

  it.each([503, 429, 500])('fails the next requests with %i, which the SDK retries', async (status) => {
    const client = secretClient();
    await client.getSecret('page-1');
    azure.stats.reset();
    Object.assign(azure.faults, { failNextRequests: 2, status5xx: status });
    await expect(client.getSecret('page-2')).resolves.toMatchObject({ value: 'page-2' });
    expect(azure.stats.byOperation['getSecret']).toBe(3);
    expect(azure.faults.failNextRequests).toBe(0);
  });

  it('sends Retry-After with throttling answers', async () => {
    Object.assign(azure.faults, { failNextRequests: 1, status5xx: 429, retryAfterSeconds: 7 });
    const answer = await raw('GET', '/secrets/page-1/?api-version=7.6');
    expect(answer).toMatchObject({ status: 429, headers: { 'retry-after': '7' }, body: { error: { code: 'Throttled' } } });
  });

  it('delays answers', async () => {
    const client = secretClient();
    await client.getSecret('page-1');
    azure.faults.latencyMs = 5_000;
    await expect(rejection(client.getSecret('page-1', { abortSignal: AbortSignal.timeout(200) }))).resolves.toMatchObject({ name: 'AbortError' });
  });

  it('drops connections', async () => {
    azure.faults.dropConnections = true;
    const error = await rejection(secretClient().getSecret('page-1'));
    expect(error).toMatchObject({ name: 'RestError', code: 'ECONNRESET' });
  });
});
