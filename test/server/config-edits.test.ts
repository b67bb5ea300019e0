/**
 * How an edit of a saved config is merged with what is stored: secrets left out are kept,
 * unless the edit moves where they go (a destination field or the auth method changes),
 * which makes it owe them again (server/services/credential-binding.ts).
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretManagerError } from '../../server/errors.ts';
import type { ProviderConfig } from '../../server/providers/registry.ts';
import { mergeConfigEdit } from '../../server/services/connection-config.ts';
import { ValidationError } from '../../server/services/validation-error.ts';
import type { ProviderId } from '../../shared/providers/index.ts';

const TOKEN = 'hvs.canary-stored-token-1f3a';
const SECRET_ID = 'canary-stored-secret-id-77b2';
const AWS_SECRET = 'canary/stored+aws-secret-key-0c9d';
const AWS_SESSION = 'canary-stored-session-token-5e21';
const AZURE_SECRET = 'canary~stored-client-secret-a6e0';
const GCP_KEY = JSON.stringify({
  type: 'service_account',
  project_id: 'canary-project',
  private_key_id: 'canary-key-id',
  private_key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  client_email: 'reader@canary-project.iam.gserviceaccount.com',
});
const CANARIES = [TOKEN, SECRET_ID, AWS_SECRET, AWS_SESSION, AZURE_SECRET, GCP_KEY];

const vaultToken: ProviderConfig = { authMethod: 'token', url: 'https://vault.example.com:8200', kvMount: 'secret', kvVersion: 2, token: TOKEN };
const vaultAppRole: ProviderConfig = { authMethod: 'approle', url: 'https://vault.example.com:8200', roleId: 'role-1', secretId: SECRET_ID };
const awsKeys: ProviderConfig = { authMethod: 'accessKey', region: 'us-east-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: AWS_SECRET };
const awsRole: ProviderConfig = { authMethod: 'assumeRole', region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/reader' };
const azure: ProviderConfig = {
  authMethod: 'clientSecret',
  vaultUrl: 'https://my-vault.vault.azure.net',
  cloud: 'public',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '00001111-aaaa-2222-bbbb-3333cccc4444',
  clientSecret: AZURE_SECRET,
};
const gcp: ProviderConfig = { authMethod: 'serviceAccountKey', serviceAccountKey: GCP_KEY, projectId: 'canary-project' };

/** The config as the form sends it on an edit: every non-secret field, no secret. */
function formOf(config: ProviderConfig, ...secrets: string[]): Record<string, unknown> {
  const { authMethod: _method, ...fields } = config;
  for (const name of secrets) delete fields[name];
  return fields;
}

function refusal(run: () => unknown): SecretManagerError {
  try {
    run();
  } catch (e) {
    if (e instanceof SecretManagerError) return e;
    throw e;
  }
  throw new Error('expected CREDENTIALS_REQUIRED');
}

const issuesOf = (e: SecretManagerError | ValidationError) => e.zodError?.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));

describe('an edit that leaves where credentials go alone', () => {
  it('keeps every stored secret it leaves out, as before', () => {
    const edited = mergeConfigEdit('vault', vaultToken, 'token', { ...formOf(vaultToken, 'token'), kvMount: 'kv', testPath: 'kv/app' });
    expect(edited).toMatchObject({ url: vaultToken['url'], kvMount: 'kv', testPath: 'kv/app', token: TOKEN });
    expect(mergeConfigEdit('vault', vaultToken, 'token', undefined)).toEqual(vaultToken);
    expect(mergeConfigEdit('vault', vaultToken, 'token', { ...formOf(vaultToken), token: { set: true } })).toEqual(vaultToken);
  });

  it('compares destinations as the schema stores them: spacing, a default left out and an empty text are no change', () => {
    expect(mergeConfigEdit('vault', vaultToken, 'token', { ...formOf(vaultToken, 'token'), url: ` ${vaultToken['url']}\n`, namespace: '' })).toMatchObject({ token: TOKEN });
    const { cloud: _default, ...withoutCloud } = formOf(azure, 'clientSecret');
    expect(mergeConfigEdit('azure', azure, 'clientSecret', withoutCloud)).toMatchObject({ cloud: 'public', clientSecret: AZURE_SECRET });
  });
});

describe('an edit that moves where stored credentials go', () => {
  const cases: { name: string; provider: ProviderId; stored: ProviderConfig; edit: Record<string, unknown>; authMethod?: string; owed: string[]; because: string }[] = [
    { name: 'Vault address', provider: 'vault', stored: vaultToken, edit: { url: 'http://127.0.0.1:9/exfil' }, owed: ['token'], because: 'Vault address' },
    { name: 'Vault namespace added', provider: 'vault', stored: vaultToken, edit: { namespace: 'team-b' }, owed: ['token'], because: 'Namespace' },
    { name: 'Vault CA', provider: 'vault', stored: vaultToken, edit: { caCert: '-----BEGIN CERTIFICATE-----' }, owed: ['token'], because: 'CA certificate (PEM)' },
    { name: 'AppRole mount', provider: 'vault', stored: vaultAppRole, edit: { mountPath: 'evil' }, owed: ['secretId'], because: 'Auth mount path' },
    { name: 'AWS region', provider: 'aws', stored: awsKeys, edit: { region: 'eu-west-1' }, owed: ['secretAccessKey'], because: 'Region' },
    {
      name: 'AWS endpoint, with a stored session token',
      provider: 'aws',
      stored: { ...awsKeys, sessionToken: AWS_SESSION },
      edit: { endpoint: 'https://listener.example' },
      owed: ['secretAccessKey', 'sessionToken'],
      because: 'Endpoint',
    },
    {
      name: 'AWS STS endpoint of a role assumed with stored keys',
      provider: 'aws',
      stored: { ...awsRole, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: AWS_SECRET },
      edit: { stsEndpoint: 'https://listener.example' },
      owed: ['secretAccessKey'],
      because: 'STS endpoint',
    },
    { name: 'Azure authority', provider: 'azure', stored: azure, edit: { authorityHost: 'https://listener.example' }, owed: ['clientSecret'], because: 'Authority host' },
    { name: 'Azure tenant', provider: 'azure', stored: azure, edit: { tenantId: 'contoso.onmicrosoft.com' }, owed: ['clientSecret'], because: 'Directory (tenant) ID' },
    { name: 'Azure cloud and vault', provider: 'azure', stored: azure, edit: { cloud: 'china', vaultUrl: 'https://x.vault.azure.cn' }, owed: ['clientSecret'], because: 'Vault URI and Cloud' },
    { name: 'GCP location', provider: 'gcp', stored: gcp, edit: { location: 'europe-west4' }, owed: ['serviceAccountKey'], because: 'Location' },
    { name: 'GCP endpoint', provider: 'gcp', stored: gcp, edit: { apiEndpoint: '127.0.0.1:9' }, owed: ['serviceAccountKey'], because: 'API endpoint' },
    { name: 'Vault auth method', provider: 'vault', stored: vaultToken, authMethod: 'approle', edit: { roleId: 'role-1' }, owed: ['secretId'], because: 'the authentication method' },
    {
      name: 'AWS auth method, keys of the same name stored',
      provider: 'aws',
      stored: awsKeys,
      authMethod: 'assumeRole',
      edit: { roleArn: 'arn:aws:iam::123456789012:role/reader' },
      owed: ['secretAccessKey'],
      because: 'the authentication method',
    },
  ];

  it.each(cases)('$name: every credential is owed again, named by label, with no value in the answer', ({ provider, stored, edit, authMethod, owed, because }) => {
    const method = authMethod ?? stored.authMethod;
    const secrets = owed.concat(Object.keys(stored).filter((k) => CANARIES.includes(stored[k] as string)));
    const sent = { ...formOf(stored, ...secrets), ...edit };
    const e = refusal(() => mergeConfigEdit(provider, stored, method, sent));
    expect(e.code).toBe('CREDENTIALS_REQUIRED');
    expect(issuesOf(e)).toEqual(owed.map((name) => ({ path: `config.${name}`, message: expect.stringContaining(because) })));
    expect(e.message).toContain(`${because.charAt(0).toUpperCase()}${because.slice(1)} changed`);
    const answer = JSON.stringify({ message: e.message, hint: e.hint, issues: e.zodError?.issues });
    for (const canary of CANARIES) expect(answer).not.toContain(canary);

    // Echoing `{ set: true }` carries nothing; typing them again does.
    const echoed = Object.fromEntries(owed.map((name) => [name, { set: true }]));
    expect(refusal(() => mergeConfigEdit(provider, stored, method, { ...sent, ...echoed })).code).toBe('CREDENTIALS_REQUIRED');
    const typed = Object.fromEntries(owed.map((name) => [name, name === 'serviceAccountKey' ? GCP_KEY : `typed-again-${name}`]));
    expect(mergeConfigEdit(provider, stored, method, { ...sent, ...typed })).toMatchObject(typed);
  });

  it('owes nothing where nothing is stored (a role assumed with the server identity)', () => {
    expect(mergeConfigEdit('aws', awsRole, 'assumeRole', { ...formOf(awsRole), stsEndpoint: 'https://sts.eu-west-1.amazonaws.com' })).toMatchObject({
      stsEndpoint: 'https://sts.eu-west-1.amazonaws.com',
    });
  });

  it('counts a destination removed as changed', () => {
    const withNamespace = { ...vaultToken, namespace: 'team-a' };
    expect(refusal(() => mergeConfigEdit('vault', withNamespace, 'token', formOf(vaultToken, 'token'))).code).toBe('CREDENTIALS_REQUIRED');
  });

  it('owes the new method’s credentials when only the auth method is sent, and takes no stored secret along', () => {
    const e = refusal(() => mergeConfigEdit('vault', vaultToken, 'approle', undefined));
    expect(issuesOf(e)).toEqual([
      { path: 'config.secretId', message: 'Enter Secret ID again: the authentication method changed.' },
      { path: 'config.roleId', message: expect.any(String) },
    ]);
  });

  it('answers the edit’s other problems with the owed credentials, so the form shows them all at once', () => {
    const e = refusal(() => mergeConfigEdit('vault', vaultToken, 'token', { ...formOf(vaultToken, 'token'), url: 'ftp://elsewhere', kvVersion: 3 }));
    expect(issuesOf(e)?.map((i) => i.path)).toEqual(['config.token', 'config.url', 'config.kvVersion']);
  });

  it('leaves a bad edit that moves nothing a plain validation error', () => {
    expect(() => mergeConfigEdit('vault', vaultToken, 'token', { ...formOf(vaultToken, 'token'), kvVersion: 3 })).toThrow(ValidationError);
  });
});
