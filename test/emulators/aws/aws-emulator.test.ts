/**
 * The AWS emulator through the official SDK, unmodified: Secrets Manager over JSON 1.1
 * and STS AssumeRole over the Query protocol, with real SigV4 verification, policies,
 * pagination, rotation and every fault switch.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/nested-clients/sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedAwsDemo, startAwsEmulator, type AwsAccessKey, type AwsEmulator } from './index.ts';
import { signRequest } from './sigv4.ts';

let aws: AwsEmulator;
let admin: AwsAccessKey;
const clients: { destroy(): void }[] = [];

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function secretsManager(credentials: Credentials, extra: Partial<SecretsManagerClientConfig> = {}): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: aws.region, endpoint: aws.url, credentials, maxAttempts: 1, ...extra });
  clients.push(client);
  return client;
}

function sts(credentials: Credentials): STSClient {
  const client = new STSClient({ region: aws.region, endpoint: aws.url, credentials, maxAttempts: 1 });
  clients.push(client);
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail');
}

const get = (client: SecretsManagerClient, input: ConstructorParameters<typeof GetSecretValueCommand>[0]) =>
  client.send(new GetSecretValueCommand(input));

beforeAll(async () => {
  aws = await startAwsEmulator();
  admin = aws.createUser('admin', [{ effect: 'Allow', actions: ['secretsmanager:*'] }]);
});

afterEach(() => {
  Object.assign(aws.faults, { latencyMs: 0, failNextRequests: 0, status5xx: 500, throttleNextRequests: 0, dropConnections: false });
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await aws.close();
});

describe('secrets', () => {
  it('creates, reads by name, full ARN and partial ARN, and moves stages on rotation', async () => {
    const client = secretsManager(admin);
    const created = await client.send(new CreateSecretCommand({ Name: 'app/db', SecretString: '{"password":"one"}' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:app\/db-[A-Za-z0-9]{6}$/);

    const put = await client.send(new PutSecretValueCommand({ SecretId: 'app/db', SecretString: '{"password":"two"}' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);

    const current = await get(client, { SecretId: created.ARN! });
    expect(current).toMatchObject({ SecretString: '{"password":"two"}', VersionId: put.VersionId, VersionStages: ['AWSCURRENT'], Name: 'app/db' });
    const partialArn = created.ARN!.slice(0, -7);
    await expect(get(client, { SecretId: partialArn, VersionStage: 'AWSPREVIOUS' })).resolves.toMatchObject({ SecretString: '{"password":"one"}', VersionId: created.VersionId });
    await expect(get(client, { SecretId: 'app/db', VersionId: created.VersionId })).resolves.toMatchObject({ VersionStages: ['AWSPREVIOUS'] });
    expect(current.CreatedDate).toBeInstanceOf(Date);
  });

  it('keeps custom stages and answers binary secrets as bytes', async () => {
    const client = secretsManager(admin);
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    await client.send(new CreateSecretCommand({ Name: 'app/cert', SecretBinary: bytes }));
    await client.send(new PutSecretValueCommand({ SecretId: 'app/cert', SecretString: 'staged', VersionStages: ['NEXT'] }));
    expect((await get(client, { SecretId: 'app/cert' })).SecretBinary).toEqual(bytes);
    await expect(get(client, { SecretId: 'app/cert', VersionStage: 'NEXT' })).resolves.toMatchObject({ SecretString: 'staged' });
  });

  it('answers ResourceNotFoundException for a missing secret, version or stage', async () => {
    const client = secretsManager(admin);
    aws.createSecret('app/one', 'x');
    for (const input of [{ SecretId: 'app/none' }, { SecretId: 'app/one', VersionId: '0'.repeat(32) }, { SecretId: 'app/one', VersionStage: 'AWSPREVIOUS' }]) {
      const error = await rejection(get(client, input));
      expect(error.name).toBe('ResourceNotFoundException');
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
    expect((await rejection(get(client, { SecretId: 'app/one', VersionStage: 'AWSPREVIOUS' }))).message).toBe(
      "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
    );
  });

  it('refuses to create a secret twice or to change a version', async () => {
    const client = secretsManager(admin);
    await client.send(new CreateSecretCommand({ Name: 'app/twice', SecretString: 'a', ClientRequestToken: 'a'.repeat(32) }));
    expect((await rejection(client.send(new CreateSecretCommand({ Name: 'app/twice', SecretString: 'a' })))).name).toBe('ResourceExistsException');
    const sameToken = new PutSecretValueCommand({ SecretId: 'app/twice', SecretString: 'b', ClientRequestToken: 'a'.repeat(32) });
    expect((await rejection(client.send(sameToken))).name).toBe('ResourceExistsException');
  });

  it('lists with a case-sensitive name prefix, page by page', async () => {
    for (const name of ['list/a', 'list/b', 'list/c', 'list/d', 'List/e', 'listing']) aws.createSecret(name, name);
    const client = secretsManager(admin);
    const names: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListSecretsCommand({ MaxResults: 3, Filters: [{ Key: 'name', Values: ['list/'] }], NextToken }));
      names.push(...page.SecretList!.map((s) => s.Name!));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBe(2);
    expect(names).toEqual(['list/a', 'list/b', 'list/c', 'list/d']);
    const negated = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['list', '!list/'] }] }));
    expect(negated.SecretList!.map((s) => s.Name)).toEqual(['listing']);
    expect((await rejection(client.send(new ListSecretsCommand({ NextToken: 'garbage' })))).name).toBe('InvalidNextTokenException');
  });
});

describe('authentication', () => {
  it('rejects an unknown key, a wrong secret and a missing or wrong session token', async () => {
    const unknown = await rejection(secretsManager({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new ListSecretsCommand({})));
    expect([unknown.name, unknown.$metadata.httpStatusCode]).toEqual(['UnrecognizedClientException', 400]);

    const wrongSecret = await rejection(secretsManager({ ...admin, secretAccessKey: `${admin.secretAccessKey}x` }).send(new ListSecretsCommand({})));
    expect([wrongSecret.name, wrongSecret.$metadata.httpStatusCode]).toEqual(['InvalidSignatureException', 400]);

    const session = aws.issueSessionCredentials('admin');
    await expect(secretsManager(session).send(new ListSecretsCommand({}))).resolves.toBeDefined();
    const noToken = await rejection(secretsManager({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new ListSecretsCommand({})));
    expect(noToken.name).toBe('UnrecognizedClientException');
    const wrongToken = await rejection(secretsManager({ ...session, sessionToken: `${session.sessionToken}x` }).send(new ListSecretsCommand({})));
    expect(wrongToken.name).toBe('UnrecognizedClientException');
  });

  it('rejects expired temporary credentials', async () => {
    const expired = aws.issueSessionCredentials('admin', { ttlSeconds: -1 });
    // Given without an expiration, so that the SDK sends them anyway.
    const { expiration: _, ...credentials } = expired;
    const error = await rejection(secretsManager(credentials).send(new ListSecretsCommand({})));
    expect([error.name, error.message]).toEqual(['ExpiredTokenException', 'The security token included in the request is expired']);
  });

  it('checks the signed region, service and clock', async () => {
    const wrongRegion = await rejection(secretsManager(admin, { region: 'eu-west-1' }).send(new ListSecretsCommand({})));
    expect([wrongRegion.name, wrongRegion.message]).toEqual(['InvalidSignatureException', 'Credential should be scoped to a valid region.']);

    const body = '{}';
    const headers = signRequest(
      { method: 'POST', url: `${aws.url}/`, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.ListSecrets' }, body },
      { region: aws.region, service: 'secretsmanager', credentials: admin, now: new Date(Date.now() - 20 * 60_000) },
    );
    const stale = await fetch(`${aws.url}/`, { method: 'POST', headers, body });
    expect(stale.status).toBe(400);
    expect(stale.headers.get('x-amzn-errortype')).toMatch(/^InvalidSignatureException:/);
    expect(await stale.json()).toMatchObject({ __type: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired/) });

    const asSts = signRequest(
      { method: 'POST', url: `${aws.url}/`, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.ListSecrets' }, body },
      { region: aws.region, service: 'sts', credentials: admin },
    );
    expect(await (await fetch(`${aws.url}/`, { method: 'POST', headers: asSts, body })).json()).toMatchObject({ __type: 'InvalidSignatureException' });
  });

  it('rejects a body changed after signing', async () => {
    const signed = signRequest(
      { method: 'POST', url: `${aws.url}/`, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.ListSecrets' }, body: '{"MaxResults":1}' },
      { region: aws.region, service: 'secretsmanager', credentials: admin },
    );
    const ok = await fetch(`${aws.url}/`, { method: 'POST', headers: signed, body: '{"MaxResults":1}' });
    expect(ok.status).toBe(200);
    const tampered = await fetch(`${aws.url}/`, { method: 'POST', headers: signed, body: '{"MaxResults":2}' });
    expect(await tampered.json()).toMatchObject({ __type: 'InvalidSignatureException' });
  });

  it('answers an unsigned request with MissingAuthenticationTokenException', async () => {
    const response = await fetch(`${aws.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.ListSecrets' }, body: '{}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  });
});

describe('policies', () => {
  it('lets a principal read but not list, or list but not read, by secret-name globs', async () => {
    aws.createSecret('team-a/key', 'a');
    aws.createSecret('team-b/key', 'b');
    const reader = aws.createUser('reader', [{ effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: ['team-a/*'] }]);
    const lister = aws.createUser('lister', [{ effect: 'Allow', actions: ['secretsmanager:ListSecrets'], resources: ['*'] }]);

    await expect(get(secretsManager(reader), { SecretId: 'team-a/key' })).resolves.toMatchObject({ SecretString: 'a' });
    const otherTeam = await rejection(get(secretsManager(reader), { SecretId: 'team-b/key' }));
    expect([otherTeam.name, otherTeam.$metadata.httpStatusCode]).toEqual(['AccessDeniedException', 400]);
    expect(otherTeam.message).toBe(
      'User: arn:aws:iam::123456789012:user/reader is not authorized to perform: secretsmanager:GetSecretValue on resource: team-b/key because no identity-based policy allows the secretsmanager:GetSecretValue action',
    );
    expect((await rejection(secretsManager(reader).send(new ListSecretsCommand({})))).name).toBe('AccessDeniedException');

    await expect(secretsManager(lister).send(new ListSecretsCommand({}))).resolves.toBeDefined();
    expect((await rejection(get(secretsManager(lister), { SecretId: 'team-a/key' }))).name).toBe('AccessDeniedException');
  });

  it('lets an explicit Deny win and applies policy changes at once', async () => {
    aws.createSecret('deny/me', 'x');
    const user = aws.createUser('changing', [{ effect: 'Allow', actions: ['secretsmanager:*'] }]);
    const client = secretsManager(user);
    await expect(get(client, { SecretId: 'deny/me' })).resolves.toBeDefined();
    aws.setUserPolicy('changing', [
      { effect: 'Allow', actions: ['secretsmanager:*'] },
      { effect: 'Deny', actions: ['secretsmanager:Get*'], resources: ['arn:aws:secretsmanager:*:*:secret:deny/*'] },
    ]);
    expect((await rejection(get(client, { SecretId: 'deny/me' }))).message).toMatch(/with an explicit deny/);
  });
});

describe('STS AssumeRole', () => {
  let caller: AwsAccessKey;
  let roleArn: string;

  beforeAll(() => {
    aws.createSecret('role/secret', 'from-role');
    caller = aws.createUser('assumer');
    roleArn = aws.createRole('reader-role', {
      trustedPrincipals: [caller.arn],
      externalId: 'ext-123',
      policy: [{ effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: ['role/*'] }],
    });
  });

  it('issues temporary credentials that carry the role policy', async () => {
    const out = await sts(caller).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test', ExternalId: 'ext-123' }));
    expect(out.AssumedRoleUser?.Arn).toBe('arn:aws:sts::123456789012:assumed-role/reader-role/test');
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.Credentials?.Expiration!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    const c = out.Credentials!;
    const asRole = secretsManager({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
    await expect(get(asRole, { SecretId: 'role/secret' })).resolves.toMatchObject({ SecretString: 'from-role' });
    expect((await rejection(asRole.send(new ListSecretsCommand({})))).name).toBe('AccessDeniedException');
  });

  it('denies a wrong or missing external id, an untrusted caller and an unknown role alike', async () => {
    const stranger = aws.createUser('stranger');
    const attempts: [AwsAccessKey, { RoleArn: string; RoleSessionName: string; ExternalId?: string }][] = [
      [caller, { RoleArn: roleArn, RoleSessionName: 'x1', ExternalId: 'wrong' }],
      [caller, { RoleArn: roleArn, RoleSessionName: 'x1' }],
      [stranger, { RoleArn: roleArn, RoleSessionName: 'x1', ExternalId: 'ext-123' }],
      [caller, { RoleArn: `${roleArn}-nope`, RoleSessionName: 'x1' }],
    ];
    for (const [who, input] of attempts) {
      const error = await rejection(sts(who).send(new AssumeRoleCommand(input)));
      expect([error.name, error.$metadata.httpStatusCode]).toEqual(['AccessDenied', 403]);
      expect(error.message).toMatch(/is not authorized to perform: sts:AssumeRole on resource/);
    }
  });

  it('answers bad STS credentials in the Query protocol', async () => {
    const unknown = await rejection(sts({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1' })));
    expect([unknown.name, unknown.$metadata.httpStatusCode]).toEqual(['InvalidClientTokenId', 403]);
    const wrong = await rejection(sts({ ...caller, secretAccessKey: 'wrong' }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'x1' })));
    expect([wrong.name, wrong.$metadata.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    const invalid = await rejection(sts(caller).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bad name!' })));
    expect(invalid.name).toBe('ValidationError');
  });
});

describe('faults and stats', () => {
  it('counts requests by operation', async () => {
    aws.stats.reset();
    const client = secretsManager(admin);
    await client.send(new ListSecretsCommand({ MaxResults: 1 }));
    await rejection(get(client, { SecretId: 'nothing/here' }));
    expect(aws.stats.requests).toBe(2);
    expect(aws.stats.byOperation).toEqual({ 'secretsmanager:ListSecrets': 1, 'secretsmanager:GetSecretValue': 1 });
  });

  it('fails the next requests with a 5xx or throttling that the SDK retries', async () => {
    aws.createSecret('faulty', 'ok');
    const client = secretsManager(admin, { maxAttempts: 3 });
    aws.faults.failNextRequests = 2;
    const afterErrors = await get(client, { SecretId: 'faulty' });
    expect([afterErrors.SecretString, afterErrors.$metadata.attempts]).toEqual(['ok', 3]);

    aws.faults.throttleNextRequests = 1;
    await expect(get(client, { SecretId: 'faulty' })).resolves.toMatchObject({ $metadata: { attempts: 2 } });

    aws.faults.status5xx = 503;
    aws.faults.failNextRequests = 1;
    const unavailable = await rejection(get(secretsManager(admin), { SecretId: 'faulty' }));
    expect([unavailable.name, unavailable.$metadata.httpStatusCode]).toEqual(['ServiceUnavailableException', 503]);
    aws.faults.throttleNextRequests = 1;
    const throttled = await rejection(get(secretsManager(admin), { SecretId: 'faulty' }));
    expect([throttled.name, throttled.$metadata.httpStatusCode]).toEqual(['ThrottlingException', 400]);
  });

  it('delays answers and drops connections', async () => {
    aws.createSecret('slow', 'eventually');
    aws.faults.latencyMs = 300;
    await expect(get(secretsManager(admin), { SecretId: 'slow' })).resolves.toMatchObject({ SecretString: 'eventually' });
    const tooSlow = await rejection(secretsManager(admin, { requestHandler: { requestTimeout: 50, throwOnRequestTimeout: true } }).send(new GetSecretValueCommand({ SecretId: 'slow' })));
    expect(tooSlow.name).toBe('TimeoutError');

    aws.faults.latencyMs = 0;
    aws.faults.dropConnections = true;
    const dropped = (await rejection(get(secretsManager(admin), { SecretId: 'slow' }))) as unknown as { code?: string };
    expect(dropped.code).toBe('ECONNRESET');
  });
});

describe('demo', () => {
  it('seeds secrets a demo user can read and list, directly or through its role', async () => {
    const demoAws = await startAwsEmulator();
    try {
      const demo = seedAwsDemo(demoAws);
      const client = new SecretsManagerClient({ region: demo.region, endpoint: demo.endpoint, credentials: demo });
      clients.push(client);
      const db = JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: 'prod/database' }))).SecretString!);
      expect(Object.keys(db)).toEqual(['username', 'password', 'host']);
      await expect(client.send(new GetSecretValueCommand({ SecretId: 'prod/stripe-api-key', VersionStage: 'AWSPREVIOUS' }))).resolves.toMatchObject({ SecretString: 'sk_test_demo_version_1' });
      expect((await client.send(new ListSecretsCommand({}))).SecretList).toHaveLength(3);
      const stsClient = new STSClient({ region: demo.region, endpoint: demo.endpoint, credentials: demo });
      clients.push(stsClient);
      await expect(stsClient.send(new AssumeRoleCommand({ RoleArn: demo.roleArn, RoleSessionName: 'demo', ExternalId: demo.externalId }))).resolves.toBeDefined();
    } finally {
      await demoAws.close();
    }
  });
});
