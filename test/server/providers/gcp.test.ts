/**
 * The GCP adapter through the official client against the Secret Manager emulator, for
 * what the contract suite does not cover: key validation, self-signed JWTs, IAM on access
 * versus list, version and resource-name forms, regional secrets, the operator's policy,
 * ambient credentials, retries, faults, the REST transport, and that no credential leaks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/logger.ts';
import { gcpAdapter } from '../../../server/providers/gcp/index.ts';
import type { ProviderClient, ProviderPolicy } from '../../../server/providers/types.ts';
import { gcpAuthSchemas, gcpDescriptor, type GcpConfig } from '../../../shared/providers/gcp.ts';
import { parseSecretPath, type SecretPath } from '../../../shared/secret-path.ts';
import { startGcpEmulator, type GcpEmulator, type GcpServiceAccount } from '../../emulators/gcp/index.ts';
import { failureCollector } from './failures.ts';
import { testEgress } from '../../support/egress.ts';

const PROJECT = 'adapter-project';
const OTHER_PROJECT = 'other-project';
const REGION = 'europe-west4';
const SECRET_VALUES = ['canary-plain-v1', 'canary-plain-v2', 'canary-json-pass', 'canary-other', 'canary-regional'];

const logs: string[] = [];
const logger = createLogger('trace', new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }));
const { messages, failure } = failureCollector();
const credentials: string[] = [];
const clients: ProviderClient[] = [];

let emulator: GcpEmulator;
/** Accessor and viewer on the project. */
let full: GcpServiceAccount;
/** Accessor only: may read, not list. */
let accessor: GcpServiceAccount;
/** Viewer only, plus access to one secret. */
let viewer: GcpServiceAccount;
let plainSecret: string;

function keyConfig(account: GcpServiceAccount, extra: Partial<GcpConfig> = {}): GcpConfig {
  return { authMethod: 'serviceAccountKey', serviceAccountKey: account.keyJson, apiEndpoint: emulator.apiEndpoint, caCert: emulator.caCert!, ...extra } as GcpConfig;
}

function connect(config: GcpConfig, timeoutMs = 5_000): ProviderClient {
  if (config.authMethod === 'serviceAccountKey') {
    const key = JSON.parse(config.serviceAccountKey) as { private_key: string };
    credentials.push(config.serviceAccountKey, key.private_key, key.private_key.split('\n')[1]!);
  }
  const client = gcpAdapter.connect(config, { timeoutMs, logger, policy: { allowAmbientCredentials: true, allowCustomHosts: true }, egress: testEgress() });
  clients.push(client);
  return client;
}

function path(input: string): SecretPath {
  const parsed = parseSecretPath(input);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.path;
}


beforeAll(async () => {
  emulator = await startGcpEmulator();
  plainSecret = emulator.createSecret(PROJECT, 'plain');
  emulator.addVersion(plainSecret, 'canary-plain-v1');
  emulator.addVersion(plainSecret, 'canary-plain-v2');
  emulator.addVersion(emulator.createSecret(PROJECT, 'db'), JSON.stringify({ username: 'svc', password: 'canary-json-pass' }));
  const disabled = emulator.createSecret(PROJECT, 'retired');
  emulator.addVersion(disabled, 'old');
  emulator.setVersionState(disabled, 1, 'DISABLED');
  emulator.addVersion(emulator.createSecret(PROJECT, 'keystore'), Uint8Array.from([0xff, 0xfe, 0x00, 0x81]));
  emulator.addVersion(emulator.createSecret(OTHER_PROJECT, 'shared'), 'canary-other');
  emulator.addVersion(emulator.createSecret(PROJECT, 'eu-key', { location: REGION }), 'canary-regional');

  full = emulator.createServiceAccount(`full@${PROJECT}.iam.gserviceaccount.com`);
  emulator.grant(full.email, 'roles/secretmanager.secretAccessor', `projects/${PROJECT}`);
  emulator.grant(full.email, 'roles/secretmanager.viewer', `projects/${PROJECT}`);
  accessor = emulator.createServiceAccount(`accessor@${PROJECT}.iam.gserviceaccount.com`);
  emulator.grant(accessor.email, 'roles/secretmanager.secretAccessor', `projects/${PROJECT}`);
  emulator.grant(accessor.email, 'roles/secretmanager.secretAccessor', `projects/${OTHER_PROJECT}/secrets/shared`);
  viewer = emulator.createServiceAccount(`viewer@${PROJECT}.iam.gserviceaccount.com`);
  emulator.grant(viewer.email, 'roles/secretmanager.viewer', `projects/${PROJECT}`);
  emulator.grant(viewer.email, 'roles/secretmanager.secretAccessor', `projects/${PROJECT}/secrets/db`);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await emulator.close();
});

describe('config schema', () => {
  const schema = gcpAuthSchemas.serviceAccountKey;
  const problems = (serviceAccountKey: string) => {
    const result = schema.safeParse({ serviceAccountKey });
    return result.success ? [] : (z.flattenError(result.error).fieldErrors['serviceAccountKey'] ?? []);
  };

  it('accepts a key file as downloaded', () => {
    expect(problems(full.keyJson)).toEqual([]);
  });

  it('explains a key that is not JSON without quoting it', () => {
    const [message] = problems('-----BEGIN PRIVATE KEY-----\nMIIEv…');
    expect(message).toMatch(/not valid JSON/);
    expect(message).not.toContain('MIIEv');
  });

  it('names the wrong type', () => {
    const key = JSON.parse(full.keyJson) as Record<string, unknown>;
    expect(problems(JSON.stringify({ ...key, type: 'authorized_user' }))[0]).toMatch(/user credential .* must be "service_account"/);
    expect(problems(JSON.stringify({ ...key, type: 'external_account' }))[0]).toMatch(/workload identity federation/);
  });

  it('names every missing or malformed field', () => {
    const key = JSON.parse(full.keyJson) as Record<string, unknown>;
    for (const name of ['client_email', 'private_key_id', 'project_id']) delete key[name];
    const found = problems(JSON.stringify({ ...key, private_key: 'not a pem' }));
    expect(found).toHaveLength(4);
    expect(found.join('\n')).toMatch(/client_email/);
    expect(found.join('\n')).toMatch(/private_key".*PEM/);
    expect(found.join('\n')).toMatch(/private_key_id/);
    expect(found.join('\n')).toMatch(/project_id/);
  });

  it('validates the endpoint, location and test secret', () => {
    const key = full.keyJson;
    const issues = (extra: Record<string, unknown>) => {
      const result = schema.safeParse({ serviceAccountKey: key, ...extra });
      return result.success ? {} : z.flattenError(result.error).fieldErrors;
    };
    expect(issues({ apiEndpoint: 'https://secretmanager.googleapis.com' })['apiEndpoint']?.[0]).toMatch(/without https/);
    expect(issues({ apiEndpoint: 'secretmanager.googleapis.com:443', location: REGION, testSecretName: 'db@3#password' })).toEqual({});
    expect(issues({ location: 'Europe West' })['location']).toBeDefined();
    expect(issues({ testSecretName: 'team/db' })['testSecretName']?.[0]).toMatch(/cannot contain "\/"/);
  });
});

describe('path rule', () => {
  const parse = (input: string) => parseSecretPath(input, gcpDescriptor.pathRule);

  it('moves the version of a full resource name to @ and drops latest', () => {
    expect(parse('projects/p-123456/secrets/db/versions/3#password')).toEqual({ ok: true, path: { name: 'projects/p-123456/secrets/db', version: '3', key: 'password' } });
    expect(parse('projects/p-123456/locations/us-east1/secrets/db/versions/latest')).toEqual({ ok: true, path: { name: 'projects/p-123456/locations/us-east1/secrets/db' } });
    expect(parse('db@latest')).toEqual({ ok: true, path: { name: 'db' } });
    expect(parse('projects/123456789/secrets/db')).toMatchObject({ ok: true });
  });

  it('refuses what Secret Manager cannot name', () => {
    expect(parse('projects/p-123456/secrets/db/versions/3@4')).toMatchObject({ ok: false, message: expect.stringMatching(/give the version once/) });
    expect(parse('db@v2')).toMatchObject({ ok: false, message: expect.stringMatching(/version number such as 3, or latest/) });
    expect(parse('db.prod')).toMatchObject({ ok: false, message: expect.stringMatching(/letters, digits, - and _/) });
    expect(parse('projects/p-123456/topics/x')).toMatchObject({ ok: false, message: expect.stringMatching(/not a Secret Manager resource name/) });
  });
});

describe('policy', () => {
  const policy = (over: Partial<ProviderPolicy> = {}): ProviderPolicy => ({ allowAmbientCredentials: false, allowCustomHosts: false, ...over });

  it('refuses ambient credentials unless the operator allows them', () => {
    expect(gcpAdapter.checkPolicy!({ authMethod: 'ambient', projectId: PROJECT }, policy())).toMatchObject({ field: 'authMethod' });
    expect(gcpAdapter.checkPolicy!({ authMethod: 'ambient', projectId: PROJECT }, policy({ allowAmbientCredentials: true }))).toBeUndefined();
  });

  it('refuses endpoints outside googleapis.com unless the operator allows custom hosts', () => {
    const key = { authMethod: 'serviceAccountKey', serviceAccountKey: '{}' } as const;
    expect(gcpAdapter.checkPolicy!({ ...key, apiEndpoint: '127.0.0.1:8443' }, policy())).toMatchObject({ field: 'apiEndpoint' });
    expect(gcpAdapter.checkPolicy!({ ...key, apiEndpoint: 'secretmanager.googleapis.com.evil.example' }, policy())).toMatchObject({ field: 'apiEndpoint' });
    expect(gcpAdapter.checkPolicy!({ ...key, apiEndpoint: 'secretmanager-psc.p.googleapis.com:443' }, policy())).toBeUndefined();
    expect(gcpAdapter.checkPolicy!({ ...key, location: REGION }, policy())).toBeUndefined();
    expect(gcpAdapter.checkPolicy!({ ...key, apiEndpoint: '127.0.0.1:8443' }, policy({ allowCustomHosts: true }))).toBeUndefined();
  });
});

describe('service account key over gRPC', () => {
  it('signs its own JWTs: the emulator verifies them and the token endpoint is never called', async () => {
    emulator.stats.reset();
    const client = connect(keyConfig(full));
    const info = await client.check();
    expect(info).toMatchObject({ identity: full.email, details: { project: PROJECT, listAllowed: true, transport: 'grpc' } });
    await client.read(path('plain'));
    expect(emulator.stats.lastJwt).toMatchObject({ kid: full.privateKeyId, iss: full.email, sub: full.email, aud: 'https://secretmanager.googleapis.com/', lifetimeSeconds: 3600 });
    expect(emulator.stats.tokenRequests).toBe(0);
  });

  it('maps a deleted key and a key from another Google to AUTHENTICATION_FAILED', async () => {
    const deleted = emulator.createServiceAccount(`deleted@${PROJECT}.iam.gserviceaccount.com`);
    emulator.deleteServiceAccountKey(deleted.privateKeyId);
    const error = await failure(connect(keyConfig(deleted)).check(), 'AUTHENTICATION_FAILED');
    expect(error.message).toContain(deleted.email);
    const foreign = await startGcpEmulator();
    try {
      const stranger = foreign.createServiceAccount(`full@${PROJECT}.iam.gserviceaccount.com`);
      await failure(connect(keyConfig(stranger)).read(path('plain')), 'AUTHENTICATION_FAILED');
    } finally {
      await foreign.close();
    }
  });

  it('reads latest, numbered and latest-by-name versions, reporting the concrete version', async () => {
    const client = connect(keyConfig(full));
    await expect(client.read(path('plain'))).resolves.toEqual({ value: 'canary-plain-v2', version: '2' });
    await expect(client.read(path('plain@1'))).resolves.toEqual({ value: 'canary-plain-v1', version: '1' });
    await expect(client.read(path('plain@latest'))).resolves.toEqual({ value: 'canary-plain-v2', version: '2' });
    await expect(client.read(path('db#password'))).resolves.toEqual({ value: 'canary-json-pass', version: '1', keys: ['username', 'password'] });
  });

  it('maps missing and disabled versions to SECRET_NOT_FOUND', async () => {
    const client = connect(keyConfig(full));
    expect((await failure(client.read(path('plain@7')), 'SECRET_NOT_FOUND')).message).toBe('Version 7 of secret "plain" does not exist.');
    expect((await failure(client.read(path('retired')), 'SECRET_NOT_FOUND')).message).toMatch(/no secret "retired", or it has no enabled version/);
    expect((await failure(client.read(path('retired@1')), 'SECRET_NOT_FOUND')).message).toBe('Version 1 of secret "retired" is disabled.');
  });

  it('returns a payload that is not UTF-8 base64-encoded', async () => {
    await expect(connect(keyConfig(full)).read(path('keystore'))).resolves.toMatchObject({ value: Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64') });
  });

  it('tells denied reading from denied listing', async () => {
    const reader = connect(keyConfig(accessor));
    const info = await reader.check();
    expect(info.details).toMatchObject({ listAllowed: false });
    const list = await failure(reader.list({}), 'PERMISSION_DENIED');
    expect(list.message).toMatch(/may not list the secrets in projects\/adapter-project, so browsing is not available/);
    const read = await failure(connect(keyConfig(viewer)).read(path('plain')), 'PERMISSION_DENIED');
    expect(read.message).toBe(`Service account ${viewer.email} may not read secret "plain" (secretmanager.versions.access).`);
    await expect(connect(keyConfig(viewer)).read(path('db#username'))).resolves.toMatchObject({ value: 'svc' });
  });

  it('proves reading with the test secret when listing is not allowed', async () => {
    const info = await connect(keyConfig(accessor, { testSecretName: 'plain@1' })).check();
    expect(info.details).toMatchObject({ listAllowed: false, testSecret: 'plain@1', testSecretVersion: '1' });
    await failure(connect(keyConfig(viewer, { testSecretName: 'plain' })).check(), 'PERMISSION_DENIED');
  });

  it('reads full resource names of its own project, by id', async () => {
    const client = connect(keyConfig(full));
    await expect(client.read(path(`projects/${PROJECT}/secrets/plain/versions/1`))).resolves.toMatchObject({ value: 'canary-plain-v1' });
    await expect(client.read(path(`projects/${PROJECT}/secrets/db/versions/latest#password`))).resolves.toMatchObject({ value: 'canary-json-pass' });
  });

  it('refuses another project (or a project number) in the path unless the connection allows other projects', async () => {
    const number = emulator.createProject(PROJECT);
    const strict = connect(keyConfig(accessor));
    const other = await failure(strict.read(path(`projects/${OTHER_PROJECT}/secrets/shared`)), 'INVALID_PATH');
    expect(other.message).toMatch(/names project "other-project", but this connection reads project "adapter-project"/);
    await failure(strict.read(path(`projects/${number}/secrets/plain`)), 'INVALID_PATH');

    const open = connect(keyConfig(accessor, { allowOtherProjects: true }));
    await expect(open.read(path(`projects/${OTHER_PROJECT}/secrets/shared`))).resolves.toMatchObject({ value: 'canary-other' });
    await expect(open.read(path(`projects/${number}/secrets/plain@1`))).resolves.toMatchObject({ value: 'canary-plain-v1' });
  });

  it('uses the project override for short names', async () => {
    const client = connect(keyConfig(accessor, { projectId: OTHER_PROJECT }));
    await expect(client.read(path('shared'))).resolves.toMatchObject({ value: 'canary-other' });
  });

  it('reads and lists regional secrets of its location, and refuses other locations', async () => {
    const client = connect(keyConfig(full, { location: REGION }));
    await expect(client.read(path('eu-key'))).resolves.toEqual({ value: 'canary-regional', version: '1' });
    await expect(client.read(path(`projects/${PROJECT}/locations/${REGION}/secrets/eu-key/versions/1`))).resolves.toMatchObject({ value: 'canary-regional' });
    await expect(client.list({})).resolves.toEqual({ names: ['eu-key'] });
    expect((await client.check()).details).toMatchObject({ location: REGION });
    await failure(client.read(path(`projects/${PROJECT}/secrets/plain`)), 'INVALID_PATH');
    const elsewhere = await failure(connect(keyConfig(full)).read(path(`projects/${PROJECT}/locations/${REGION}/secrets/eu-key`)), 'INVALID_PATH');
    expect(elsewhere.message).toMatch(/regional secret in europe-west4, but this connection reads global secrets/);
  });

  it('lists names filtered by prefix', async () => {
    await expect(connect(keyConfig(full)).list({ prefix: 'pl' })).resolves.toEqual({ names: ['plain'] });
    await expect(connect(keyConfig(full)).list({ prefix: 'no/such' })).resolves.toEqual({ names: [] });
  });
});

describe('faults', () => {
  it('retries UNAVAILABLE and RESOURCE_EXHAUSTED, then succeeds', async () => {
    const client = connect(keyConfig(full));
    emulator.stats.reset();
    emulator.faults.failNextRequests = 2;
    await expect(client.read(path('plain'))).resolves.toMatchObject({ value: 'canary-plain-v2' });
    expect(emulator.stats.byOperation['AccessSecretVersion']).toBe(3);
    emulator.faults.throttleNextRequests = 1;
    await expect(client.list({ prefix: 'db' })).resolves.toEqual({ names: ['db'] });
  });

  it('maps a dropped connection to CONNECTION_FAILED within the budget', async () => {
    emulator.faults.dropConnections = true;
    try {
      const error = await failure(connect(keyConfig(full), 1_500).read(path('plain')), 'CONNECTION_FAILED');
      expect(error.message).toMatch(/closed the connection without answering/);
    } finally {
      emulator.faults.dropConnections = false;
    }
  });

  it('maps an untrusted certificate to CONNECTION_FAILED with a TLS hint', async () => {
    const { caCert: _ignored, ...withoutCa } = keyConfig(full);
    const error = await failure(connect(withoutCa as GcpConfig, 1_500).check(), 'CONNECTION_FAILED');
    expect(error.hint).toMatch(/private CA/);
  });

  it('refuses a CA certificate it cannot parse, before connecting', async () => {
    const error = await failure(connect(keyConfig(full, { caCert: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----' })).check(), 'CONNECTION_FAILED');
    expect(error.message).toMatch(/CA certificate of this connection cannot be used/);
  });

  it('says how long it waited', async () => {
    emulator.faults.latencyMs = 5_000;
    try {
      const error = await failure(connect(keyConfig(full), 1_000).read(path('plain')), 'CONNECTION_FAILED');
      expect(error.message).toMatch(/did not answer within 1 s/);
    } finally {
      emulator.faults.latencyMs = 0;
    }
  });
});

describe('REST transport', () => {
  const rest = (account: GcpServiceAccount, extra: Partial<GcpConfig> = {}) => connect(keyConfig(account, { transport: 'rest', ...extra }), 2_000);

  it('reads, lists and checks over HTTP/1.1 with the private CA', async () => {
    emulator.stats.reset();
    const client = rest(full);
    await expect(client.check()).resolves.toMatchObject({ details: { transport: 'rest', listAllowed: true } });
    await expect(client.read(path('db#password'))).resolves.toMatchObject({ value: 'canary-json-pass', version: '1' });
    await expect(client.list({ prefix: 'p' })).resolves.toEqual({ names: ['plain'] });
    expect(emulator.stats.lastJwt?.kid).toBe(full.privateKeyId);
    expect(emulator.stats.tokenRequests).toBe(0);
  });

  it('maps HTTP statuses like gRPC codes', async () => {
    await failure(rest(full).read(path('missing')), 'SECRET_NOT_FOUND');
    await failure(rest(viewer).read(path('plain')), 'PERMISSION_DENIED');
    await failure(rest(accessor).list({}), 'PERMISSION_DENIED');
    const deleted = emulator.createServiceAccount(`rest-deleted@${PROJECT}.iam.gserviceaccount.com`);
    emulator.deleteServiceAccountKey(deleted.privateKeyId);
    await failure(rest(deleted).read(path('plain')), 'AUTHENTICATION_FAILED');
  });

  it('retries 503 and stops at the budget', async () => {
    emulator.faults.failNextRequests = 1;
    await expect(rest(full).read(path('plain'))).resolves.toMatchObject({ value: 'canary-plain-v2' });
    emulator.faults.latencyMs = 10_000;
    try {
      const error = await failure(rest(full).read(path('plain')), 'CONNECTION_FAILED');
      expect(error.message).toMatch(/did not answer within 2 s/);
    } finally {
      emulator.faults.latencyMs = 0;
    }
  });
});

describe('ambient credentials', () => {
  it('uses application default credentials (here GOOGLE_APPLICATION_CREDENTIALS) when allowed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sm-gcp-adc-'));
    const file = join(dir, 'key.json');
    writeFileSync(file, full.keyJson, { mode: 0o600 });
    const previous = process.env['GOOGLE_APPLICATION_CREDENTIALS'];
    process.env['GOOGLE_APPLICATION_CREDENTIALS'] = file;
    try {
      emulator.stats.reset();
      const client = connect({ authMethod: 'ambient', projectId: PROJECT, apiEndpoint: emulator.apiEndpoint, caCert: emulator.caCert! });
      await expect(client.check()).resolves.toMatchObject({ identity: full.email, details: { authMethod: 'ambient', project: PROJECT } });
      await expect(client.read(path('plain'))).resolves.toMatchObject({ value: 'canary-plain-v2' });
      expect(emulator.stats.lastJwt?.kid).toBe(full.privateKeyId);
    } finally {
      if (previous === undefined) delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
      else process.env['GOOGLE_APPLICATION_CREDENTIALS'] = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('never puts a credential or a secret value in an error message, hint or log line', () => {
  const text = [...messages, ...logs].join('\n');
  expect(messages.length).toBeGreaterThan(10);
  for (const canary of [...credentials, ...SECRET_VALUES]) expect(text).not.toContain(canary);
});
