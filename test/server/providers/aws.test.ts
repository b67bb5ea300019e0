/**
 * The AWS adapter through the official SDK against the AWS emulator: each auth method,
 * the operator's policy, path forms, binary secrets, retries and transport failures, and
 * that no credential reaches a message or a log line. The provider-agnostic cases are in
 * the contract suite (test/contract), also run against moto.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeFields } from '../../../shared/fields.ts';
import { awsAuthSchemas, awsDescriptor, type AwsConfig } from '../../../shared/providers/aws.ts';
import { parseSecretPath, type SecretPath } from '../../../shared/secret-path.ts';
import { awsAdapter } from '../../../server/providers/aws/index.ts';
import type { ProviderClient, ProviderPolicy } from '../../../server/providers/types.ts';
import { startAwsEmulator, type AwsAccessKey, type AwsEmulator } from '../../emulators/aws/index.ts';
import { failureCollector } from './failures.ts';
import { testEgress } from '../../support/egress.ts';

const logs: string[] = [];
const logger = pino({ level: 'trace' }, new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }));
const permissive: ProviderPolicy = { allowAmbientCredentials: true, allowCustomHosts: true };
const strict: ProviderPolicy = { allowAmbientCredentials: false, allowCustomHosts: false };
/** Every credential given to the adapter, and every message it produced. */
const canaries: string[] = [];
const { messages, failure } = failureCollector();
const clients: ProviderClient[] = [];

let aws: AwsEmulator;
let reader: AwsAccessKey;
let assumer: AwsAccessKey;
let firstVersion: string;
let dbArn: string;
let roles: { withExternalId: string; plain: string; shortLived: string };

const EXTERNAL_ID = 'ext-id-canary-7f3a';

function connect(config: AwsConfig, timeoutMs = 5_000): ProviderClient {
  for (const key of ['secretAccessKey', 'sessionToken', 'externalId'] as const) {
    const value = (config as Partial<Record<typeof key, string>>)[key];
    if (value) canaries.push(value);
  }
  const client = awsAdapter.connect(config, { timeoutMs, logger, policy: permissive, egress: testEgress() });
  clients.push(client);
  return client;
}

const keys = (k: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, extra: Partial<AwsConfig> = {}) =>
  connect({ authMethod: 'accessKey', region: aws.region, endpoint: aws.url, ...k, ...extra } as AwsConfig);

const role = (roleArn: string, extra: Partial<Extract<AwsConfig, { authMethod: 'assumeRole' }>> = {}) =>
  connect({ authMethod: 'assumeRole', region: aws.region, endpoint: aws.url, roleArn, accessKeyId: assumer.accessKeyId, secretAccessKey: assumer.secretAccessKey, ...extra });

function path(input: string): SecretPath {
  const parsed = parseSecretPath(input, awsDescriptor.pathRule);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.path;
}


beforeAll(async () => {
  aws = await startAwsEmulator();
  ({ versionId: firstVersion, arn: dbArn } = aws.createSecret('app/db', JSON.stringify({ username: 'app', password: 'pw-1' })));
  aws.putSecretValue('app/db', JSON.stringify({ username: 'app', password: 'pw-2' }));
  aws.putSecretValue('app/db', JSON.stringify({ username: 'app', password: 'pw-next' }), { stages: ['NEXT'] });
  aws.createSecret('app/cert', Buffer.from(JSON.stringify({ pem: 'BEGIN' })));
  aws.createSecret('app/blob', Uint8Array.from([0, 159, 146, 150]));
  aws.createSecret('ops@example.com', 'mailbox');
  for (const n of ['1', '2', '3']) aws.createSecret(`browse/item-${n}`, n);

  const readAll = [{ effect: 'Allow' as const, actions: ['secretsmanager:GetSecretValue', 'secretsmanager:ListSecrets'] }];
  reader = aws.createUser('reader', readAll);
  assumer = aws.createUser('assumer');
  roles = {
    withExternalId: aws.createRole('with-external-id', { trustedPrincipals: [assumer.arn], externalId: EXTERNAL_ID, policy: readAll }),
    plain: aws.createRole('plain', { trustedPrincipals: [assumer.arn], policy: readAll }),
    // Shorter than the SDK's 5-minute refresh window: every use renews them.
    shortLived: aws.createRole('short-lived', { trustedPrincipals: [assumer.arn], policy: readAll, credentialLifetimeSeconds: 120 }),
  };
  canaries.push(reader.secretAccessKey, assumer.secretAccessKey);
});

afterEach(() => {
  Object.assign(aws.faults, { latencyMs: 0, failNextRequests: 0, status5xx: 500, throttleNextRequests: 0, dropConnections: false });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await aws.close();
});

describe('config schemas', () => {
  it('validates regions, endpoints and the base keys of an assumed role', () => {
    const base = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' };
    for (const region of ['us-east-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-2']) {
      expect(awsAuthSchemas.accessKey.safeParse({ region, ...base }).success, region).toBe(true);
    }
    for (const region of ['us-east', 'US-EAST-1', 'useast1', 'us-east-1 ']) {
      expect(awsAuthSchemas.accessKey.safeParse({ region: `${region}x`, ...base }).success, region).toBe(false);
    }
    expect(awsAuthSchemas.ambient.safeParse({ region: 'us-east-1', endpoint: 'https://user:pw@example.com' }).success).toBe(false);
    const roleArn = 'arn:aws:iam::123456789012:role/reader';
    expect(awsAuthSchemas.assumeRole.strict().safeParse({ region: 'us-east-1', roleArn }).success).toBe(true);
    const halfKeys = awsAuthSchemas.assumeRole.strict().safeParse({ region: 'us-east-1', roleArn, accessKeyId: base.accessKeyId });
    expect(halfKeys.error?.issues[0]?.path).toEqual(['secretAccessKey']);
  });

  it('describes a form for every auth method, with the credentials secret', () => {
    for (const { schema } of Object.values(awsDescriptor.authMethods)) expect(describeFields(schema).length).toBeGreaterThan(1);
    const secrets = describeFields(awsAuthSchemas.assumeRole).filter((f) => f.secret).map((f) => f.name);
    expect(secrets).toEqual(['secretAccessKey', 'sessionToken']);
  });
});

describe('auth methods', () => {
  it('signs with access keys, and with a session token for temporary keys', async () => {
    await expect(keys(reader).read(path('app/db#password'))).resolves.toMatchObject({ value: 'pw-2' });
    const session = aws.issueSessionCredentials('reader');
    await expect(keys(session).read(path('app/db#password'))).resolves.toMatchObject({ value: 'pw-2' });
    const withoutToken = await failure(keys({ ...session, sessionToken: undefined }).check(), 'AUTHENTICATION_FAILED');
    expect(withoutToken.message).toMatch(/rejected the credentials/);
  });

  it('assumes a role with an external id once, and reuses its credentials', async () => {
    aws.stats.reset();
    const client = role(roles.withExternalId, { externalId: EXTERNAL_ID, sessionName: 'sm-test' });
    const info = await client.check();
    expect(info.identity).toBe('arn:aws:sts::123456789012:assumed-role/with-external-id/sm-test');
    expect(info.details).toMatchObject({ authMethod: 'assumeRole', roleArn: roles.withExternalId, listAllowed: true });
    await client.read(path('app/db'));
    await client.read(path('app/db'));
    expect(aws.stats.byOperation['sts:AssumeRole']).toBe(1);
    await expect(role(roles.plain).read(path('app/db#username'))).resolves.toMatchObject({ value: 'app' });
  });

  it('assumes the role again before its credentials expire', async () => {
    aws.stats.reset();
    const client = role(roles.shortLived);
    await client.read(path('app/db'));
    const afterFirstRead = aws.stats.byOperation['sts:AssumeRole'] ?? 0;
    await client.read(path('app/db'));
    expect(aws.stats.byOperation['sts:AssumeRole']).toBeGreaterThan(afterFirstRead);
  });

  // A wrong external id is AUTHENTICATION_FAILED: the connection cannot obtain its identity
  // at all, and what must change is its role setup, not a policy on secrets.
  it('reports a refused AssumeRole (wrong external id, bad base keys) as AUTHENTICATION_FAILED', async () => {
    const wrongId = await failure(role(roles.withExternalId, { externalId: 'not-the-right-one' }).read(path('app/db')), 'AUTHENTICATION_FAILED');
    expect(wrongId.message).toContain(`STS refused to let this connection assume ${roles.withExternalId}`);
    expect(wrongId.hint).toMatch(/external ID/);
    await failure(role(roles.withExternalId).check(), 'AUTHENTICATION_FAILED');
    const badBase = await failure(role(roles.plain, { secretAccessKey: 'wrong-base-secret' }).check(), 'AUTHENTICATION_FAILED');
    expect(badBase.message).toMatch(/identity that assumes/);
  });

  describe('the server identity (default credential chain)', () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    });

    it('is refused by the policy unless the operator allows it', () => {
      const ambient: AwsConfig = { authMethod: 'ambient', region: 'us-east-1' };
      expect(awsAdapter.checkPolicy!(ambient, strict)).toMatchObject({ field: 'authMethod' });
      expect(awsAdapter.checkPolicy!(ambient, { ...strict, allowAmbientCredentials: true })).toBeUndefined();
      const ambientBase: AwsConfig = { authMethod: 'assumeRole', region: 'us-east-1', roleArn: roles.plain };
      expect(awsAdapter.checkPolicy!(ambientBase, strict)).toMatchObject({ field: 'accessKeyId' });
      expect(awsAdapter.checkPolicy!({ ...ambientBase, ...assumer }, strict)).toBeUndefined();
    });

    it('signs with the environment credentials when allowed, directly or to assume a role', async () => {
      process.env['AWS_ACCESS_KEY_ID'] = assumer.accessKeyId;
      process.env['AWS_SECRET_ACCESS_KEY'] = assumer.secretAccessKey;
      await expect(connect({ authMethod: 'assumeRole', region: aws.region, endpoint: aws.url, roleArn: roles.plain }).read(path('app/db#username'))).resolves.toMatchObject({ value: 'app' });
      process.env['AWS_ACCESS_KEY_ID'] = reader.accessKeyId;
      process.env['AWS_SECRET_ACCESS_KEY'] = reader.secretAccessKey;
      await expect(connect({ authMethod: 'ambient', region: aws.region, endpoint: aws.url }).read(path('app/db#username'))).resolves.toMatchObject({ value: 'app' });
    });

    it('says so when the server has no credentials', async () => {
      Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_CONFIG_FILE: '/nonexistent/config' });
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) delete process.env[name];
      const error = await failure(connect({ authMethod: 'ambient', region: aws.region, endpoint: aws.url }).check(), 'AUTHENTICATION_FAILED');
      expect(error.message).toMatch(/No AWS credentials were found/);
    });
  });
});

describe('endpoint policy', () => {
  const config = (endpoint: string, extra: object = {}) => ({ authMethod: 'accessKey', region: 'us-gov-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x', endpoint, ...extra }) as AwsConfig;

  it('allows AWS endpoints and refuses others unless custom hosts are allowed', () => {
    for (const ok of ['https://secretsmanager.us-gov-west-1.amazonaws.com', 'https://secretsmanager.cn-north-1.amazonaws.com.cn', 'https://vpce-0a1b-x.secretsmanager.us-east-1.vpce.amazonaws.com', 'https://secretsmanager.us-east-1.api.aws']) {
      expect(awsAdapter.checkPolicy!(config(ok), strict), ok).toBeUndefined();
    }
    for (const refused of [aws.url, 'http://secretsmanager.us-east-1.amazonaws.com', 'https://amazonaws.com.evil.example', 'https://evilamazonaws.com']) {
      expect(awsAdapter.checkPolicy!(config(refused), strict), refused).toMatchObject({ field: 'endpoint' });
      expect(awsAdapter.checkPolicy!(config(refused), permissive)).toBeUndefined();
    }
    const stsElsewhere = { authMethod: 'assumeRole', region: 'us-east-1', roleArn: roles.plain, ...assumer, stsEndpoint: aws.url } as AwsConfig;
    expect(awsAdapter.checkPolicy!(stsElsewhere, strict)).toMatchObject({ field: 'stsEndpoint' });
  });
});

describe('paths', () => {
  it('reads by full ARN, partial ARN, and the ECS form with key and stage or version id', async () => {
    const client = keys(reader);
    const partialArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db';
    expect(dbArn).toMatch(new RegExp(`^${partialArn}-.{6}$`));
    for (const arn of [dbArn, partialArn]) {
      await expect(client.read(path(`${arn}#password`))).resolves.toMatchObject({ value: 'pw-2' });
      await expect(client.read(path(`${arn}@AWSPREVIOUS#password`))).resolves.toMatchObject({ value: 'pw-1' });
    }
    expect(path(`${dbArn}:password:AWSPREVIOUS:`)).toEqual({ name: dbArn, key: 'password', version: 'AWSPREVIOUS' });
    await expect(client.read(path(`${dbArn}:password:AWSPREVIOUS:`))).resolves.toMatchObject({ value: 'pw-1' });
    await expect(client.read(path(`${partialArn}:password::${firstVersion}`))).resolves.toMatchObject({ value: 'pw-1', version: firstVersion });
  });

  it("accepts Activepieces' name:key, also on paths parsed without the AWS rule", async () => {
    expect(path('app/db:password@AWSPREVIOUS')).toEqual({ name: 'app/db', key: 'password', version: 'AWSPREVIOUS' });
    const unparsed = parseSecretPath('app/db:username');
    if (!unparsed.ok) throw new Error(unparsed.message);
    await expect(keys(reader).read(unparsed.path)).resolves.toMatchObject({ value: 'app', keys: ['username', 'password'] });
  });

  it('pins stages and version ids, and returns the version read', async () => {
    const client = keys(reader);
    await expect(client.read(path('app/db@NEXT#password'))).resolves.toMatchObject({ value: 'pw-next' });
    await expect(client.read(path(`app/db@${firstVersion}#password`))).resolves.toMatchObject({ value: 'pw-1', version: firstVersion });
    const stage = await failure(client.read(path('app/db@RELEASE')), 'SECRET_NOT_FOUND');
    expect(stage.message).toBe('The secret "app/db" has no version with staging label RELEASE.');
    const id = randomUUID();
    expect((await failure(client.read(path(`app/db@${id}`)), 'SECRET_NOT_FOUND')).message).toContain(`version id ${id}`);
  });

  it('reads a name that contains @ when it ends in @AWSCURRENT, and hints at it otherwise', async () => {
    await expect(keys(reader).read(path('ops@example.com@AWSCURRENT'))).resolves.toMatchObject({ value: 'mailbox' });
    const error = await failure(keys(reader).read(path('ops@example.com')), 'SECRET_NOT_FOUND');
    expect(error.hint).toMatch(/@AWSCURRENT/);
  });

  it('rejects malformed paths with the expected form', async () => {
    for (const [input, message] of [
      ['arn:aws:s3:::bucket/key', /Not a Secrets Manager ARN/],
      ['app/db:password#username', /either name:key or name#key/],
      ['app db', /not a secret name/],
      ['app/db@two words', /neither a version id/],
    ] as const) {
      const parsed = parseSecretPath(input, awsDescriptor.pathRule);
      expect(parsed.ok, input).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(message);
    }
    const unparsed = parseSecretPath('arn:aws:secretsmanager:us-east-1:123456789012:secret');
    if (!unparsed.ok) throw new Error(unparsed.message);
    expect((await failure(keys(reader).read(unparsed.path), 'INVALID_PATH')).message).toMatch(/arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME/);
  });
});

describe('binary secrets', () => {
  it('returns base64 without a key and reads the bytes as JSON for a key', async () => {
    const client = keys(reader);
    await expect(client.read(path('app/cert'))).resolves.toMatchObject({ value: Buffer.from('{"pem":"BEGIN"}').toString('base64'), keys: ['pem'] });
    await expect(client.read(path('app/cert#pem'))).resolves.toMatchObject({ value: 'BEGIN' });
    await expect(client.read(path('app/blob'))).resolves.toMatchObject({ value: 'AJ+Slg==' });
    await failure(client.read(path('app/blob#pem')), 'KEY_NOT_FOUND');
  });
});

describe('permissions and browsing', () => {
  it('lets a principal that may read but not list pass the check, and says listing is not allowed', async () => {
    const readOnly = aws.createUser('read-only', [{ effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: ['app/*'] }]);
    canaries.push(readOnly.secretAccessKey);
    const client = keys(readOnly, { testSecretName: 'app/db#password' });
    await expect(client.check()).resolves.toMatchObject({ details: { listAllowed: false, testSecret: 'app/db#password', testSecretVersion: expect.any(String) } });
    const error = await failure(client.list({}), 'PERMISSION_DENIED');
    expect(error.message).toMatch(/does not allow listing secrets/);
    const denied = await failure(keys(readOnly, { testSecretName: 'browse/item-1' }).check(), 'PERMISSION_DENIED');
    expect(denied.message).toContain('reading "browse/item-1"');
  });

  it('lists by prefix page by page, and nothing for a prefix no name can have', async () => {
    const client = keys(reader);
    const first = await client.list({ prefix: 'browse/', pageSize: 2 });
    expect(first.names).toEqual(['browse/item-1', 'browse/item-2']);
    await expect(client.list({ prefix: 'browse/', pageSize: 2, pageToken: first.nextPageToken! })).resolves.toEqual({ names: ['browse/item-3'] });
    aws.stats.reset();
    await expect(client.list({ prefix: 'browse#' })).resolves.toEqual({ names: [] });
    expect(aws.stats.requests).toBe(0);
  });
});

describe('retries and transport failures', () => {
  it('retries throttling and 5xx answers through the SDK, then succeeds', async () => {
    const client = keys(reader);
    aws.stats.reset();
    aws.faults.throttleNextRequests = 2;
    await expect(client.read(path('app/db#username'))).resolves.toMatchObject({ value: 'app' });
    aws.faults.status5xx = 503;
    aws.faults.failNextRequests = 2;
    await expect(client.read(path('app/db#username'))).resolves.toMatchObject({ value: 'app' });
    expect(aws.stats.byOperation['secretsmanager:GetSecretValue']).toBe(6);
  });

  it('gives up after the SDK retries with the provider message', async () => {
    aws.faults.failNextRequests = 10;
    const error = await failure(keys(reader).read(path('app/db')), 'PROVIDER_ERROR');
    expect(error.message).toMatch(/answered HTTP 500 InternalServiceError/);
    aws.faults.failNextRequests = 0;
    aws.faults.throttleNextRequests = 10;
    expect((await failure(keys(reader).read(path('app/db')), 'PROVIDER_ERROR')).message).toMatch(/throttling/);
  });

  it('maps a dropped connection and a slow answer to CONNECTION_FAILED', async () => {
    aws.faults.dropConnections = true;
    expect((await failure(keys(reader).read(path('app/db')), 'CONNECTION_FAILED')).message).toMatch(/closed the connection without answering/);
    aws.faults.dropConnections = false;
    aws.faults.latencyMs = 5_000;
    const slow = connect({ authMethod: 'accessKey', region: aws.region, endpoint: aws.url, ...reader }, 300);
    expect((await failure(slow.read(path('app/db')), 'CONNECTION_FAILED')).message).toMatch(/did not answer within 0.3 s/);
  });

  it('keeps the budget when the AssumeRole call is the slow one', async () => {
    aws.faults.latencyMs = 5_000;
    const client = connect({ authMethod: 'assumeRole', region: aws.region, endpoint: aws.url, roleArn: roles.plain, ...assumer }, 300);
    expect((await failure(client.read(path('app/db')), 'CONNECTION_FAILED')).message).toMatch(/did not answer within 0.3 s/);
  });

  describe('behind a proxy that answers HTML', () => {
    let proxy: Server;
    let requests = 0;
    beforeAll(async () => {
      proxy = createServer((_req, res) => {
        requests++;
        res.writeHead(requests % 2 ? 502 : 403, { 'content-type': 'text/html' }).end('<html><body><h1>Bad Gateway</h1></body></html>');
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

    it('classifies non-JSON error answers by their status', async () => {
      const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      requests = 0;
      // 502 is retried; the retry gets the 403.
      const error = await failure(keys(reader, { endpoint }).read(path('app/db')), 'PERMISSION_DENIED');
      expect(error.message).toContain('Bad Gateway');
      expect(requests).toBe(2);
    });
  });
});

describe('secrecy', () => {
  it('never puts a credential in an error message or a log line', () => {
    const text = [...messages, ...logs].join('\n');
    expect(messages.length).toBeGreaterThan(10);
    for (const canary of canaries) expect(text).not.toContain(canary);
  });
});
