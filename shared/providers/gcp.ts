import { z } from 'zod';
import { field } from '../fields.ts';
import { parseSecretPath, type NativePathRule, type PathSyntax, type SecretPath } from '../secret-path.ts';
import type { ProviderDescriptor } from './descriptor.ts';

/**
 * Project ids are 6–30 lowercase letters, digits and hyphens (legacy ones may carry a
 * `domain:` prefix); resource names may also use the project number.
 * https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin
 */
const PROJECT_ID = /^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const PROJECT_NUMBER = /^[1-9][0-9]{0,29}$/;
/** us-central1, europe-west4, northamerica-northeast1… */
const LOCATION = /^[a-z]+(-[a-z]+)*[0-9]+$/;
/** https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/create (secretId) */
export const GCP_SECRET_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const VERSION = /^(latest|[1-9][0-9]{0,18})$/;
/** host, IPv4 or [IPv6], with an optional port; no scheme, no path. */
const API_ENDPOINT = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$/;
const PEM_PRIVATE_KEY = /^-----BEGIN (RSA )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (RSA )?PRIVATE KEY-----\s*$/;

/** The fields of a service account key file the adapter uses (the file has more, e.g. token_uri, which is never called). */
export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
}

export type ServiceAccountKeyParse = { ok: true; key: ServiceAccountKey } | { ok: false; problems: string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a key file as downloaded from IAM → Service accounts → Keys. Problems name the
 * field in the file; they never quote the file, which holds the private key.
 */
export function parseServiceAccountKey(text: string): ServiceAccountKeyParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problems: ['The service account key is not valid JSON: paste the whole key file (IAM → Service accounts → Keys → Add key → JSON).'] };
  }
  if (!isRecord(json)) return { ok: false, problems: ['The service account key must be a JSON object such as {"type": "service_account", …}.'] };

  const problems: string[] = [];
  const stringField = (name: string) => (typeof json[name] === 'string' ? (json[name] as string).trim() : '');
  // Keys pasted through some tools arrive with literal \n sequences instead of newlines.
  const privateKey = stringField('private_key').replace(/\\n/g, '\n');
  const type = stringField('type');
  if (type !== 'service_account') {
    const kind =
      type === 'authorized_user'
        ? 'a user credential (from gcloud auth application-default login)'
        : type === 'external_account'
          ? 'a workload identity federation configuration'
          : type === ''
            ? 'missing'
            : `"${type.slice(0, 40)}"`;
    problems.push(`The key's "type" is ${kind}; it must be "service_account". Create a key for a service account and paste its JSON file.`);
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(stringField('client_email'))) problems.push('The key has no valid "client_email" (the service account\'s email address).');
  if (!PEM_PRIVATE_KEY.test(privateKey)) {
    problems.push('The key\'s "private_key" is missing or not a PEM private key (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----).');
  }
  if (stringField('private_key_id') === '') problems.push('The key has no "private_key_id".');
  if (!PROJECT_ID.test(stringField('project_id'))) problems.push('The key has no valid "project_id".');
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    key: {
      type: 'service_account',
      project_id: stringField('project_id'),
      private_key_id: stringField('private_key_id'),
      private_key: privateKey,
      client_email: stringField('client_email'),
    },
  };
}

const serviceAccountKeyText = z
  .string()
  .trim()
  .min(1, 'Paste the service account key (JSON)')
  .max(16384, 'A service account key file is a few kilobytes; this is too long')
  .superRefine((text, ctx) => {
    const parsed = parseServiceAccountKey(text);
    if (!parsed.ok) for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
  });

const secretPathText = z
  .string()
  .trim()
  .max(2048)
  .superRefine((text, ctx) => {
    const parsed = parseSecretPath(text, gcpPathRule);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  });

const SECRET_MANAGER_IAM_DOCS = 'https://cloud.google.com/secret-manager/docs/access-control';
const PROJECT_ID_DOCS = 'https://cloud.google.com/resource-manager/docs/creating-managing-projects#identifying_projects';

const projectId = z.string().trim().regex(PROJECT_ID, 'A project id such as my-project-123 (6 to 30 lowercase letters, digits and hyphens)');

const common = {
  location: field(z.string().trim().regex(LOCATION, 'A location such as us-central1 or europe-west4').optional(), {
    label: 'Location',
    kind: 'text',
    placeholder: 'europe-west4',
    help: 'Only for regional secrets: the connection then uses the regional endpoint secretmanager.LOCATION.rep.googleapis.com. Leave empty for global secrets.',
    docsUrl: 'https://cloud.google.com/secret-manager/docs/regional-secrets-overview',
    // Picks the regional host when no API endpoint is stated.
    destination: true,
  }),
  testSecretName: field(secretPathText.optional(), {
    label: 'Test secret',
    kind: 'text',
    placeholder: 'prod-database',
    help: 'A secret the connection test reads, to prove the service account may read secrets (the test otherwise only lists them, which roles/secretmanager.secretAccessor alone does not allow).',
    docsUrl: SECRET_MANAGER_IAM_DOCS,
  }),
  allowOtherProjects: field(z.boolean().optional(), {
    label: 'Allow other projects',
    kind: 'boolean',
    help: "Allow full resource names (projects/P/secrets/NAME) of projects other than this connection's project, or by project number. The service account's IAM still decides.",
    docsUrl: SECRET_MANAGER_IAM_DOCS,
    advanced: true,
  }),
  apiEndpoint: field(
    z
      .string()
      .trim()
      .refine((v) => !/^[a-z]+:\/\//i.test(v), 'Give the host and optional port only, without https://')
      .regex(API_ENDPOINT, 'A host with an optional port, such as secretmanager.example.p.googleapis.com or 10.0.0.5:8443')
      .optional(),
    {
      label: 'API endpoint',
      kind: 'text',
      placeholder: 'secretmanager.googleapis.com',
      help: 'Only for Private Service Connect or an emulator. Hosts outside googleapis.com need the operator’s permission.',
      docsUrl: 'https://cloud.google.com/vpc/docs/configure-private-service-connect-apis',
      advanced: true,
      destination: true,
    },
  ),
  caCert: field(z.string().trim().max(65536).regex(/-----BEGIN CERTIFICATE-----/, 'A PEM certificate (-----BEGIN CERTIFICATE-----)').optional(), {
    label: 'CA certificate (PEM)',
    kind: 'textarea',
    placeholder: '-----BEGIN CERTIFICATE-----',
    help: "For an API endpoint whose TLS certificate is signed by a private CA.",
    advanced: true,
    // A CA of the editor's choosing lets a server of theirs pass as Google.
    destination: true,
  }),
  transport: field(z.enum(['grpc', 'rest']).optional(), {
    label: 'Transport',
    kind: 'select',
    options: [
      { value: 'grpc', label: 'gRPC (default)' },
      { value: 'rest', label: 'REST over HTTP/1.1' },
    ],
    help: 'REST for networks whose proxies do not pass HTTP/2.',
    advanced: true,
  }),
};

export const gcpAuthSchemas = {
  serviceAccountKey: z.object({
    serviceAccountKey: field(serviceAccountKeyText, {
      label: 'Service account key (JSON)',
      kind: 'textarea',
      secret: true,
      placeholder: '{"type": "service_account", "project_id": …}',
      help: 'The JSON key file of a service account with roles/secretmanager.secretAccessor (and roles/secretmanager.viewer for browsing). Requests are signed with the key itself; no token is fetched.',
      docsUrl: 'https://cloud.google.com/iam/docs/keys-create-delete',
    }),
    projectId: field(projectId.optional(), {
      label: 'Project ID',
      kind: 'text',
      placeholder: 'my-project-123',
      help: "The project whose secrets this connection reads. Default: the key's project.",
      docsUrl: PROJECT_ID_DOCS,
    }),
    ...common,
  }),
  ambient: z.object({
    projectId: field(projectId, {
      label: 'Project ID',
      kind: 'text',
      placeholder: 'my-project-123',
      help: 'The project whose secrets this connection reads.',
      docsUrl: PROJECT_ID_DOCS,
    }),
    ...common,
  }),
};

export type GcpConfig = {
  [M in keyof typeof gcpAuthSchemas]: { authMethod: M } & z.infer<(typeof gcpAuthSchemas)[M]>;
}[keyof typeof gcpAuthSchemas];

/** Where a secret lives, as a full resource name states it. Absent parts come from the connection. */
export interface GcpSecretLocator {
  project?: string;
  location?: string;
  secret: string;
}

const RESOURCE_NAME = /^projects\/([^/]+)(?:\/locations\/([^/]+))?\/secrets\/([^/]+)(?:\/versions\/([^/]+))?$/;

const FORMS =
  'Write a secret name such as prod-database, optionally @version (a number or latest) and #key, or its full resource name projects/PROJECT/secrets/NAME[/versions/VERSION].';

/** Splits a normalised path name (short name or full resource name without version) into its parts. */
export function gcpSecretLocator(name: string): GcpSecretLocator {
  const match = RESOURCE_NAME.exec(name);
  if (!match) return { secret: name };
  const [, project, location, secret] = match;
  return { project: project!, secret: secret!, ...(location ? { location } : {}) };
}

/**
 * Accepts a short name or a full resource name (`projects/P[/locations/L]/secrets/S[/versions/V]`,
 * as the console's "Copy resource name" gives it); the version inside the name moves to the
 * `@` part. `latest` is the default and is dropped, so `name@latest` and `name` are one path.
 * Idempotent. Whether the project may differ from the connection's is the adapter's call.
 */
const gcpPathRule: NativePathRule = (path) => {
  let name = path.name.replace(/\/+$/, '');
  let version = path.version;
  if (name.startsWith('projects/')) {
    const match = RESOURCE_NAME.exec(name);
    if (!match) return `"${name.slice(0, 120)}" is not a Secret Manager resource name. ${FORMS}`;
    const [, project, location, secret, nameVersion] = match;
    if (!PROJECT_ID.test(project!) && !PROJECT_NUMBER.test(project!)) return `"${project}" is not a project id or number.`;
    if (location !== undefined && !LOCATION.test(location)) return `"${location}" is not a location such as us-central1.`;
    if (!GCP_SECRET_NAME.test(secret!)) return `"${secret}" is not a secret name: names use letters, digits, - and _ only (up to 255).`;
    if (nameVersion !== undefined) {
      if (version !== undefined) return 'The resource name names a version and so does @: give the version once.';
      version = nameVersion;
    }
    name = `projects/${project}${location ? `/locations/${location}` : ''}/secrets/${secret}`;
  } else if (name.includes('/')) {
    return `Secret Manager names cannot contain "/". ${FORMS}`;
  } else if (!GCP_SECRET_NAME.test(name)) {
    return `"${name.slice(0, 120)}" is not a secret name: names use letters, digits, - and _ only (up to 255). ${FORMS}`;
  }
  if (version !== undefined && !VERSION.test(version)) return `"${version}" is not a version: use a version number such as 3, or latest.`;
  const out: SecretPath = { name };
  if (version !== undefined && version !== 'latest') out.version = version;
  if (path.key !== undefined) out.key = path.key;
  return out;
};

const gcpPathSyntax: PathSyntax = {
  placeholder: 'prod-database#password',
  help: 'Secret name (or full resource name projects/P/secrets/NAME[/versions/N]), optionally @version (a number; latest by default) and #key for a JSON secret.',
  examples: ['prod-database#password', 'stripe-api-key@2', 'projects/my-project/secrets/prod-database/versions/latest#password'],
};

/** Endpoints under googleapis.com (global, regional `.rep.`, Private Service Connect `.p.`) need no operator permission. */
export function isGoogleApisHost(apiEndpoint: string): boolean {
  const host = apiEndpoint.replace(/:[0-9]+$/, '').toLowerCase();
  return host === 'googleapis.com' || host.endsWith('.googleapis.com');
}

export const gcpDescriptor: ProviderDescriptor<'gcp'> = {
  id: 'gcp',
  name: 'Google Cloud Secret Manager',
  description: 'Global and regional secrets by name or resource name, with version numbers, using a service account key or the server’s own Google identity.',
  docsUrl: 'https://cloud.google.com/secret-manager/docs/overview',
  authMethods: {
    serviceAccountKey: { label: 'Service account key', schema: gcpAuthSchemas.serviceAccountKey },
    ambient: { label: "Server's Google identity (application default credentials)", schema: gcpAuthSchemas.ambient },
  },
  pathSyntax: gcpPathSyntax,
  pathRule: gcpPathRule,
};
