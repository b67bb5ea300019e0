import { z } from 'zod';
import { field } from '../fields.ts';
import type { NativePathRule, PathSyntax, SecretPath } from '../secret-path.ts';
import type { ProviderDescriptor } from './descriptor.ts';

/** us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5… */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'Enter an http(s) URL such as https://secretsmanager.us-gov-west-1.amazonaws.com' })
  .refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), 'The endpoint must not contain a user name or password');

const common = {
  region: field(z.string().trim().regex(AWS_REGION, 'An AWS region such as us-east-1, us-gov-west-1 or cn-north-1'), {
    label: 'Region',
    kind: 'text',
    placeholder: 'us-east-1',
    help: 'The region the secrets live in.',
    docsUrl: 'https://docs.aws.amazon.com/general/latest/gr/asm.html',
    // Picks the standard endpoints (secretsmanager.REGION…, sts.REGION…) and the partition.
    destination: true,
  }),
  endpoint: field(httpUrl.optional(), {
    label: 'Endpoint',
    kind: 'text',
    placeholder: 'https://vpce-0123-abcd.secretsmanager.us-east-1.vpce.amazonaws.com',
    help: "Only for a VPC endpoint, FIPS or another non-default endpoint. Leave empty to use the region's standard endpoint (GovCloud and China included). Endpoints outside amazonaws.com need the operator's permission.",
    docsUrl: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/vpc-endpoint-overview.html',
    advanced: true,
    destination: true,
  }),
  testSecretName: field(z.string().trim().max(2048).optional(), {
    label: 'Test secret',
    kind: 'text',
    placeholder: 'prod/database',
    help: 'A secret the connection test reads, to prove the policy allows reading it (the test always lists secrets).',
    docsUrl: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_identity-based-policies.html',
  }),
};

const accessKeyId = z
  .string()
  .trim()
  .regex(/^[A-Z0-9]{16,128}$/, 'An access key ID such as AKIAIOSFODNN7EXAMPLE');
const secretAccessKey = z.string().trim().min(1, 'Enter the secret access key').max(1024);
const sessionToken = z.string().trim().min(1).max(8192);

const ACCESS_KEYS_DOCS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html';

const staticKeyFields = {
  accessKeyId: field(accessKeyId, { label: 'Access key ID', kind: 'text', placeholder: 'AKIAIOSFODNN7EXAMPLE', docsUrl: ACCESS_KEYS_DOCS }),
  secretAccessKey: field(secretAccessKey, { label: 'Secret access key', kind: 'secret', docsUrl: ACCESS_KEYS_DOCS }),
  sessionToken: field(sessionToken.optional(), {
    label: 'Session token',
    kind: 'secret',
    help: 'Only for temporary credentials (access key IDs starting with ASIA).',
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html',
    advanced: true,
  }),
};

const roleFields = {
  roleArn: field(
    z
      .string()
      .trim()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'A role ARN such as arn:aws:iam::123456789012:role/secret-reader'),
    {
      label: 'Role ARN',
      kind: 'text',
      placeholder: 'arn:aws:iam::123456789012:role/secret-reader',
      docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html',
    },
  ),
  externalId: field(
    z
      .string()
      .trim()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'An external ID of 2 to 1224 letters, digits or +=,.@:/-')
      .optional(),
    {
      label: 'External ID',
      kind: 'text',
      help: "The external ID the role's trust policy requires (sts:ExternalId), if any.",
      docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html',
    },
  ),
  sessionName: field(
    z
      .string()
      .trim()
      .regex(/^[\w+=,.@-]{2,64}$/, 'A session name of 2 to 64 letters, digits or +=,.@-')
      .optional(),
    {
      label: 'Session name',
      kind: 'text',
      placeholder: 'secret-managers',
      help: 'Shown in CloudTrail as the assumed-role session. Default: secret-managers.',
      docsUrl: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html',
      advanced: true,
    },
  ),
  stsEndpoint: field(httpUrl.optional(), {
    label: 'STS endpoint',
    kind: 'text',
    placeholder: 'https://sts.us-east-1.amazonaws.com',
    docsUrl: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html',
    help: "Where AssumeRole is called. Default: the custom endpoint above when one is set (emulators serve every service on one address), else the region's STS endpoint.",
    advanced: true,
    destination: true,
  }),
  accessKeyId: field(accessKeyId.optional(), {
    label: 'Access key ID',
    kind: 'text',
    help: "The identity that assumes the role. Leave the keys empty to use the server's own AWS identity (if the operator allows it).",
    docsUrl: ACCESS_KEYS_DOCS,
  }),
  secretAccessKey: field(secretAccessKey.optional(), { label: 'Secret access key', kind: 'secret', docsUrl: ACCESS_KEYS_DOCS }),
  sessionToken: staticKeyFields.sessionToken,
};

export const awsAuthSchemas = {
  accessKey: z.object({ ...common, ...staticKeyFields }),
  assumeRole: z.object({ ...common, ...roleFields }).superRefine((config, ctx) => {
    if ((config.accessKeyId === undefined) !== (config.secretAccessKey === undefined)) {
      const missing = config.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'Give both the access key ID and the secret access key, or neither' });
    }
    if (config.sessionToken !== undefined && config.accessKeyId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['sessionToken'], message: 'A session token goes with an access key ID and secret access key' });
    }
  }),
  ambient: z.object({ ...common }),
};

export type AwsConfig = {
  [M in keyof typeof awsAuthSchemas]: { authMethod: M } & z.infer<(typeof awsAuthSchemas)[M]>;
}[keyof typeof awsAuthSchemas];

/**
 * `@` after a name pins either a version id or a staging label. Version ids are 32–64
 * characters (the SDK makes them UUIDs); a label is anything else, such as AWSCURRENT.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
export function awsVersionKind(version: string): 'versionId' | 'stage' {
  return /^(?=.*\d)[A-Za-z0-9-]{32,64}$/.test(version) ? 'versionId' : 'stage';
}

/** Names may hold letters, digits and /_+=.@- (so neither `:` nor `#`), up to 512 characters. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const STAGE = /^[^\s:#]{1,256}$/;

const FORMS =
  'Write a secret name or ARN, optionally @version-id or @STAGE and #key, e.g. prod/database#password or prod/database@AWSPREVIOUS.';

/**
 * The ARN and ECS forms: `arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME[:json-key[:version-stage[:version-id]]]`
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
 * NAME may be the full name with AWS's 6-character suffix or a partial ARN without it.
 */
function normaliseArn(path: SecretPath): SecretPath | string {
  const fields = path.name.split(':');
  const [, partition, service, region, account, resource, name, ecsKey, ecsStage, ecsVersionId, ...rest] = fields;
  if (
    !/^aws(-[a-z]+)*$/.test(partition ?? '') ||
    service !== 'secretsmanager' ||
    !AWS_REGION.test(region ?? '') ||
    !/^\d{12}$/.test(account ?? '') ||
    resource !== 'secret' ||
    !SECRET_NAME.test(name ?? '') ||
    rest.length > 0
  ) {
    return `Not a Secrets Manager ARN. Write arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME, optionally followed by :json-key:version-stage:version-id as ECS does. ${FORMS}`;
  }
  let key = path.key;
  if (ecsKey) {
    if (key !== undefined) return 'The ARN names a JSON key and so does #: give the key once.';
    key = ecsKey;
  }
  let version = path.version;
  const ecsVersion = [ecsStage, ecsVersionId].filter(Boolean);
  if (ecsVersion.length > 1) return 'The ARN gives both a version stage and a version id: give one of them.';
  if (ecsVersion.length === 1) {
    if (version !== undefined) return 'The ARN names a version and so does @: give the version once.';
    version = ecsVersion[0];
  }
  return withParts(fields.slice(0, 7).join(':'), version, key);
}

function withParts(name: string, version: string | undefined, key: string | undefined): SecretPath | string {
  if (version !== undefined && !STAGE.test(version)) {
    return `"${version}" is neither a version id (32 to 64 characters) nor a staging label such as AWSPREVIOUS.`;
  }
  const out: SecretPath = { name };
  if (version !== undefined) out.version = version;
  if (key !== undefined) out.key = key;
  return out;
}

/**
 * Accepts a name or ARN and Activepieces' `name:key` (names cannot contain `:`, so on a
 * name a colon can only introduce a key), normalised to `name#key`. Idempotent, so the
 * adapter applies it again to paths parsed without it.
 */
const awsPathRule: NativePathRule = (path) => {
  if (path.name.startsWith('arn:')) return normaliseArn(path);
  const colon = path.name.indexOf(':');
  if (colon !== -1) {
    if (path.key !== undefined) return 'Use either name:key or name#key, not both.';
    const key = path.name.slice(colon + 1);
    if (key === '') return `Nothing follows the ":" in "${path.name}". ${FORMS}`;
    return awsPathRule({ ...path, name: path.name.slice(0, colon), key });
  }
  if (!SECRET_NAME.test(path.name)) {
    return `"${path.name}" is not a secret name: names use letters, digits and /_+=.@- only. ${FORMS}`;
  }
  return withParts(path.name, path.version, path.key);
};

const awsPathSyntax: PathSyntax = {
  placeholder: 'prod/database#password',
  help:
    'Secret name or ARN, optionally @version-id or @stage (AWSCURRENT by default, AWSPREVIOUS or a custom label) and #key for a JSON secret (name:key works too). A name that contains @ needs an explicit @AWSCURRENT at the end.',
  examples: [
    'prod/database#password',
    'prod/stripe-api-key@AWSPREVIOUS',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/database-AbCdEf#username',
  ],
};

export const awsDescriptor: ProviderDescriptor<'aws'> = {
  id: 'aws',
  name: 'AWS Secrets Manager',
  description: 'Secrets by name or ARN, with version stages, using access keys, an assumed IAM role or the server’s own AWS identity.',
  docsUrl: 'https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html',
  authMethods: {
    accessKey: { label: 'Access keys', schema: awsAuthSchemas.accessKey },
    assumeRole: { label: 'Assume IAM role', schema: awsAuthSchemas.assumeRole },
    ambient: { label: "Server's AWS identity", schema: awsAuthSchemas.ambient },
  },
  pathSyntax: awsPathSyntax,
  pathRule: awsPathRule,
};
