import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { configFromValues, secretsOfEdit, validateFields } from '../../elements/secret-manager-dialog/form-model.ts';
import { describeFields, type FieldDescription } from '../../shared/fields.ts';
import { providerDescriptors, providerIds } from '../../shared/providers/index.ts';

/**
 * The dialog checks provider fields without zod, from the constraints `providers.list`
 * derives from the schemas. These tests hold the two to the same verdicts: whatever the
 * server accepts the browser accepts (no false rejections), and the browser catches the
 * mistakes the constraints describe. (fast-check is not installed: the property runs on
 * a table per field plus seeded random edits of it.)
 */

interface Case {
  id: string;
  field: FieldDescription;
  schema: z.ZodType;
}

const cases: Case[] = providerIds.flatMap((provider) =>
  Object.entries(providerDescriptors[provider].authMethods as Record<string, { schema: z.ZodObject }>).flatMap(([method, { schema }]) =>
    describeFields(schema).map((field) => ({ id: `${provider}.${method}.${field.name}`, field, schema: schema.shape[field.name] as z.ZodType })),
  ),
);

/** What the form sends for `text`, checked by the field's own schema. */
const serverAccepts = ({ field, schema }: Case, text: string) => schema.safeParse(configFromValues([field], { [field.name]: text })[field.name]).success;
const clientProblem = ({ field }: Case, text: string) => validateFields([field], { [field.name]: text }, new Set())[field.name];

const long = (n: number) => 'a'.repeat(n);
const pem = (label: string) => `-----BEGIN ${label}-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END ${label}-----\n`;
const serviceAccountKey = JSON.stringify({
  type: 'service_account',
  project_id: 'my-project-123',
  private_key_id: 'abc123',
  private_key: pem('PRIVATE KEY'),
  client_email: 'reader@my-project-123.iam.gserviceaccount.com',
});

/**
 * Per field name (per provider): values the schema accepts, values the browser must
 * catch, and values only the server catches (refinements no constraint carries).
 */
type Samples = { valid: string[]; invalid: string[]; serverOnly?: string[] };
const awsUrl: Samples = {
  valid: ['https://vpce-0123-abcd.secretsmanager.us-east-1.vpce.amazonaws.com', 'http://localhost:4566', ' HTTPS://sts.us-east-1.amazonaws.com '],
  invalid: ['secretsmanager.us-east-1.amazonaws.com', 'ftp://example.com', 'https://', 'https//example.com'],
  // zod wants "//" after http(s): and refuses credentials in the URL.
  serverOnly: ['http:localhost:4566', 'https://user:pw@example.com'],
};
const azureUrl: Samples = {
  // The URL parser, and so zod, drops tabs and line breaks inside a URL.
  valid: ['https://my-vault.vault.azure.net', 'https://my-vault.vault.azure.net/', ' HTTPS://LOGIN.MICROSOFTONLINE.US ', 'https://my-vault.vault.az\tur\ne.net'],
  invalid: ['http://my-vault.vault.azure.net', 'my-vault.vault.azure.net', 'https://my-vault.vault.azure.net/secrets/x', 'https://my-vault.vault.azure.net?api-version=7.4'],
  serverOnly: ['https://user:pw@my-vault.vault.azure.net'],
};
const samples: Record<string, Samples> = {
  'vault.url': {
    valid: ['https://vault.example.com:8200', 'http://127.0.0.1:8200', ' https://vault.example.com ', 'HTTPS://VAULT.EXAMPLE.COM/'],
    invalid: ['vault.example.com', 'ftp://vault.example.com', 'https://', 'vault.example.com:8200/v1'],
    serverOnly: ['http:vault.example.com'],
  },
  'vault.namespace': { valid: ['admin/team-a', long(256)], invalid: [long(257)] },
  'vault.kvMount': { valid: ['secret', 'kv/team-a', ' secret '], invalid: ['/secret', 'my secret', long(257)] },
  'vault.testPath': { valid: ['secret/app/db'], invalid: [long(2049)] },
  'vault.caCert': { valid: [pem('CERTIFICATE')], invalid: [long(65537)] },
  'vault.token': { valid: ['hvs.CAESIJk8P', long(4096)], invalid: [long(4097)] },
  'vault.roleId': { valid: ['db02de05-fa39-4855-059b-67221c5c2f63'], invalid: [long(513)] },
  'vault.secretId': { valid: ['6a174c20-f6de-a53c-74d2-6018fcceff64'], invalid: [long(4097)] },
  'vault.mountPath': { valid: ['approle', 'auth/k8s-prod', 'kubernetes.2'], invalid: ['/approle', '-x', 'a b', long(257)] },
  'vault.role': { valid: ['secret-managers'], invalid: [long(513)] },
  'vault.jwt': { valid: ['eyJhbGciOiJSUzI1NiJ9.e30.sig'], invalid: [long(16385)] },

  'aws.region': { valid: ['us-east-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-5'], invalid: ['US-EAST-1', 'us-east', 'useast1', 'us-east-123'] },
  'aws.endpoint': awsUrl,
  'aws.stsEndpoint': awsUrl,
  'aws.testSecretName': { valid: ['prod/database'], invalid: [long(2049)] },
  'aws.accessKeyId': { valid: ['AKIAIOSFODNN7EXAMPLE', 'ASIA1234567890ABCDEF'], invalid: ['akiaiosfodnn7example', 'AKIA', 'AKIA IOSFODNN7EXAMPLE'] },
  'aws.secretAccessKey': { valid: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'], invalid: [long(1025)] },
  'aws.sessionToken': { valid: ['FwoGZXIvYXdzEBYaDH+/='], invalid: [long(8193)] },
  'aws.roleArn': {
    valid: ['arn:aws:iam::123456789012:role/secret-reader', 'arn:aws-us-gov:iam::123456789012:role/path/reader'],
    invalid: ['arn:aws:iam::12345:role/x', 'arn:aws:s3:::bucket', 'role/secret-reader'],
  },
  'aws.externalId': { valid: ['ab', 'Example-Corp:42'], invalid: ['a', 'has space'] },
  'aws.sessionName': { valid: ['secret-managers', 'a@b.c'], invalid: ['a', long(65), 'a:b'] },

  'azure.vaultUrl': azureUrl,
  'azure.authorityHost': azureUrl,
  'azure.testSecretName': { valid: ['prod-database'], invalid: ['prod_database', long(128)] },
  'azure.caCert': { valid: [pem('CERTIFICATE')], invalid: [long(65537)] },
  'azure.tenantId': { valid: ['72f988bf-86f1-41af-91ab-2d7cd011db47', 'contoso.onmicrosoft.com'], invalid: ['contoso onmicrosoft', 'tenant/x'] },
  'azure.clientId': { valid: ['00001111-aaaa-2222-bbbb-3333cccc4444', '00001111-AAAA-2222-BBBB-3333CCCC4444'], invalid: ['not-a-guid', '00001111aaaa2222bbbb3333cccc4444'] },
  'azure.clientSecret': { valid: ['Abc8Q~def.ghi_jkl'], invalid: [long(1025)] },
  'azure.certificate': { valid: [pem('PRIVATE KEY') + pem('CERTIFICATE')], invalid: [long(65537)], serverOnly: [pem('CERTIFICATE'), pem('PRIVATE KEY')] },

  'gcp.serviceAccountKey': { valid: [serviceAccountKey], invalid: [long(16385)], serverOnly: ['{}', 'not json', '{"type": "authorized_user"}'] },
  'gcp.projectId': { valid: ['my-project-123', 'example.com:my-project'], invalid: ['My-Project', 'abc', 'my_project_123', 'my-project-'] },
  'gcp.location': { valid: ['us-central1', 'europe-west4', 'northamerica-northeast1'], invalid: ['us-central', 'US-CENTRAL1', 'us central1'] },
  'gcp.testSecretName': { valid: ['prod-database', 'projects/my-project/secrets/db/versions/2'], invalid: [long(2049)], serverOnly: ['a/b', 'bad name'] },
  'gcp.apiEndpoint': {
    valid: ['secretmanager.googleapis.com', '10.0.0.5:8443', '[::1]:8443'],
    invalid: ['https://secretmanager.googleapis.com', 'host/path', 'bad host', '-host'],
  },
  'gcp.caCert': { valid: [pem('CERTIFICATE')], invalid: ['hello', long(65537)] },
};

const samplesOf = ({ id }: Case) => samples[id.replace(/\.[^.]+\./, '.')];
const constrained = cases.filter((c) => c.field.constraints);

describe('client-side checks of the provider fields', () => {
  it('cover every field with constraints in these tables', () => {
    expect(constrained.filter((c) => !samplesOf(c)).map((c) => c.id)).toEqual([]);
  });

  it.each(constrained.map((c) => [c.id, c] as const))('%s: agree with the schema on the table', (_, c) => {
    const { valid, invalid, serverOnly = [] } = samplesOf(c)!;
    for (const text of valid) {
      expect(serverAccepts(c, text), `the schema accepts ${JSON.stringify(text)}`).toBe(true);
      expect(clientProblem(c, text), `the browser accepts ${JSON.stringify(text)}`).toBeUndefined();
    }
    for (const text of invalid) {
      expect(serverAccepts(c, text), `the schema refuses ${JSON.stringify(text)}`).toBe(false);
      expect(clientProblem(c, text), `the browser catches ${JSON.stringify(text)}`).toEqual(expect.any(String));
    }
    for (const text of serverOnly) {
      expect(serverAccepts(c, text), `the schema refuses ${JSON.stringify(text)}`).toBe(false);
      expect(clientProblem(c, text), `only the server catches ${JSON.stringify(text)}`).toBeUndefined();
    }
  });

  it('never refuse what the schema accepts, on thousands of edits of those values', () => {
    const random = mulberry32(20_251);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const alphabet = [...'aZ09-_./:@+=,#?%&~ \t\n', 'é', '\u00a0', '//', 'https://', 'user:pw@', 'arn:aws:', '-----BEGIN CERTIFICATE-----'];
    const edit = (text: string) => {
      const at = Math.floor(random() * (text.length + 1));
      const rest = text.slice(at + (random() < 0.5 ? 1 : 0));
      return random() < 0.15 ? text.toUpperCase() : text.slice(0, at) + (random() < 0.7 ? pick(alphabet) : '') + rest;
    };
    let checked = 0;
    let caughtByBoth = 0;
    for (const c of constrained) {
      const { valid, invalid } = samplesOf(c)!;
      for (let i = 0; i < 300; i++) {
        let text = pick([...valid, ...invalid.filter((t) => t.length < 100)]);
        for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) text = edit(text);
        const accepted = serverAccepts(c, text);
        const problem = clientProblem(c, text);
        if (accepted) expect(problem, `${c.id}: the browser refuses ${JSON.stringify(text)}, which the schema accepts`).toBeUndefined();
        else if (problem) caughtByBoth++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(caughtByBoth, 'the edits reach invalid values the browser catches').toBeGreaterThan(2000);
  });
});

describe('validateFields', () => {
  const only = (id: string) => cases.find((c) => c.id === id)!;

  it.each([
    ['vault.token.url', 'vault.example.com', 'Enter a full URL, like https://vault.example.com:8200'],
    ['vault.token.namespace', long(300), 'At most 256 characters'],
    ['vault.token.kvMount', '/secret', 'Must match the expected format, like secret'],
    ['aws.assumeRole.externalId', 'a', 'Not in the expected format'],
    ['aws.assumeRole.roleArn', 'role/reader', 'Must match the expected format, like arn:aws:iam::123456789012:role/secret-reader'],
    ['vault.token.url', '', 'Vault address is required'],
  ])('%s = %j: %s', (id, text, message) => {
    expect(clientProblem(only(id), text)).toBe(message);
  });

  const port = field({ kind: 'number', constraints: { integer: true, minimum: 1, maximum: 65535 } });
  it.each([
    ['8200', undefined],
    ['abc', 'Enter a number'],
    ['1.5', 'Enter a whole number'],
    ['0', 'Between 1 and 65535'],
    ['70000', 'Between 1 and 65535'],
  ])('a port of %j: %s', (text, message) => {
    expect(validateFields([port], { port: text }, new Set())['port']).toBe(message);
  });

  it('lets a stored secret stay empty, but checks a new one', () => {
    const token = only('vault.token.token').field;
    expect(validateFields([token], { token: '' }, new Set(['token']))).toEqual({});
    expect(validateFields([token], { token: long(5000) }, new Set(['token']))).toEqual({ token: 'At most 4,096 characters' });
  });
});

describe('stored secrets in an edit', () => {
  const form = (provider: 'vault' | 'aws', method: string) => describeFields(providerDescriptors[provider].authMethods[method]!.schema);
  const vault = { authMethod: 'token', config: { url: 'https://vault.example.com', kvMount: 'secret', token: { set: true } } };
  const edit = (values: Record<string, string>, authMethod = 'token') => ({ fields: form('vault', authMethod), values, authMethod });
  const none = new Set<string>();
  const stored = new Set(['token']);

  it('may keep them while the edit leaves where they go alone', () => {
    const kept = secretsOfEdit(edit({ url: ' https://vault.example.com ', kvMount: 'kv', testPath: 'kv/app' }), vault, stored, none);
    expect(kept).toMatchObject({ kept: stored, reenter: none });
    expect(validateFields(kept.fields, { url: 'https://vault.example.com' }, kept.kept)).toEqual({});
  });

  it('must carry them again once a destination field or the auth method changes', () => {
    for (const moved of [edit({ url: 'https://elsewhere.example.com', kvMount: 'secret' }), edit({ url: 'https://vault.example.com', namespace: 'team-b' })]) {
      const { kept, reenter, fields } = secretsOfEdit(moved, vault, stored, none);
      expect({ kept, reenter }).toEqual({ kept: none, reenter: stored });
      expect(validateFields(fields, moved.values, kept)).toEqual({ token: 'Token is required' });
    }
    // AWS keys to an assumed role: the secret access key of the same name is not taken along.
    const role = { fields: form('aws', 'assumeRole'), values: {}, authMethod: 'assumeRole' };
    const { kept, reenter, fields } = secretsOfEdit(role, { authMethod: 'accessKey', config: {} }, new Set(['secretAccessKey']), none);
    expect({ kept, reenter }).toEqual({ kept: none, reenter: new Set(['secretAccessKey']) });
    expect(fields.find((f) => f.name === 'secretAccessKey')?.required, 'optional for the method, owed by this edit').toBe(true);
  });

  it('asks for what the server named, even where the form saw no change', () => {
    expect(secretsOfEdit(edit({ url: 'https://vault.example.com' }), vault, stored, stored)).toMatchObject({ kept: none, reenter: stored });
  });

  it('keeps nothing on create', () => {
    expect(secretsOfEdit(edit({}), undefined, none, none)).toMatchObject({ kept: none, reenter: none });
  });
});

function field(overrides: Partial<FieldDescription>): FieldDescription {
  return { name: 'port', label: 'Port', kind: 'text', required: false, secret: false, destination: false, ...overrides };
}

/** A small seeded generator, so a failure can be replayed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
