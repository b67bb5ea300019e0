import { z } from 'zod';
import { field } from '../fields.ts';
import type { NativePathRule, PathSyntax, SecretPath } from '../secret-path.ts';
import type { ProviderDescriptor } from './descriptor.ts';

/**
 * The national clouds: each has its own vault DNS suffix and Entra ID authority.
 * https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#dns-suffixes-for-object-identifiers
 * https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
 */
export const azureClouds = {
  public: { label: 'Azure (global)', vaultSuffix: '.vault.azure.net', authorityHost: 'https://login.microsoftonline.com' },
  usgov: { label: 'Azure Government', vaultSuffix: '.vault.usgovcloudapi.net', authorityHost: 'https://login.microsoftonline.us' },
  china: { label: 'Azure China (21Vianet)', vaultSuffix: '.vault.azure.cn', authorityHost: 'https://login.chinacloudapi.cn' },
} as const;

export type AzureCloud = keyof typeof azureClouds;

const cloudIds = Object.keys(azureClouds) as [AzureCloud, ...AzureCloud[]];

const httpsUrl = (example: string) =>
  z
    .url({ protocol: /^https$/, error: `Enter an https URL such as ${example}` })
    .refine((url) => !/^https:\/\/[^/]*@/i.test(url), 'The URL must not contain a user name or password')
    .regex(/^https:\/\/[^/?#]+\/?$/i, 'Give the address only, without a path or query');

const NATIONAL_CLOUDS_DOCS = 'https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud';

const common = {
  vaultUrl: field(httpsUrl('https://my-vault.vault.azure.net'), {
    label: 'Vault URI',
    kind: 'text',
    placeholder: 'https://my-vault.vault.azure.net',
    help: "The Vault URI from the vault's Overview page in the Azure portal. It must belong to the chosen cloud (…vault.azure.net, …vault.usgovcloudapi.net or …vault.azure.cn).",
    docsUrl: 'https://learn.microsoft.com/azure/key-vault/general/quick-create-portal',
    // Receives the access token the sign-in issued.
    destination: true,
  }),
  cloud: field(z.enum(cloudIds).default('public'), {
    label: 'Cloud',
    kind: 'select',
    options: cloudIds.map((id) => ({ value: id, label: azureClouds[id].label })),
    help: 'Selects the Entra ID sign-in endpoint and the vault host names allowed.',
    docsUrl: NATIONAL_CLOUDS_DOCS,
    destination: true,
  }),
  testSecretName: field(
    z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z-]{1,127}$/, 'A secret name: 1 to 127 letters, digits and dashes')
      .optional(),
    {
      label: 'Test secret',
      kind: 'text',
      placeholder: 'prod-database',
      help: 'A secret the connection test reads, to prove the identity may read it (the test always lists one secret too, when allowed).',
      docsUrl: 'https://learn.microsoft.com/azure/key-vault/general/rbac-guide',
    },
  ),
  authorityHost: field(httpsUrl('https://login.microsoftonline.com').optional(), {
    label: 'Authority host',
    kind: 'text',
    placeholder: 'https://login.microsoftonline.com',
    help: "Only for a private or emulated Entra ID. Leave empty to use the cloud's own (login.microsoftonline.com, .us or login.chinacloudapi.cn). Other hosts need the operator's permission.",
    docsUrl: NATIONAL_CLOUDS_DOCS,
    advanced: true,
    destination: true,
  }),
  caCert: field(z.string().trim().max(65536).optional(), {
    label: 'CA certificate (PEM)',
    kind: 'textarea',
    placeholder: '-----BEGIN CERTIFICATE-----',
    help: 'Trusted in addition to the public CAs, for the vault and the sign-in endpoint: for a TLS-inspecting proxy or a private endpoint signed by a private CA.',
    advanced: true,
    // A CA of the editor's choosing lets a server of theirs pass as the vault or the authority.
    destination: true,
  }),
};

/** Directory (tenant) ids are GUIDs, or a verified domain such as contoso.onmicrosoft.com. */
const tenantId = field(
  z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z.-]{1,256}$/, 'A directory (tenant) ID such as 72f988bf-86f1-41af-91ab-2d7cd011db47, or a domain such as contoso.onmicrosoft.com'),
  {
    label: 'Directory (tenant) ID',
    kind: 'text',
    placeholder: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    help: 'From the app registration’s Overview page.',
    docsUrl: 'https://learn.microsoft.com/entra/fundamentals/how-to-find-tenant',
    // Part of the authority ({authorityHost}/{tenantId}) the client secret or assertion is sent to.
    destination: true,
  },
);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const clientIdSchema = z.string().trim().regex(GUID, 'An application (client) ID: a GUID such as 00001111-aaaa-2222-bbbb-3333cccc4444');

const clientId = field(clientIdSchema, {
  label: 'Application (client) ID',
  kind: 'text',
  placeholder: '00001111-aaaa-2222-bbbb-3333cccc4444',
  help: 'The app registration (service principal) that has read access to the vault.',
  docsUrl: 'https://learn.microsoft.com/entra/identity-platform/quickstart-register-app',
});

const certificate = z
  .string()
  .trim()
  .max(65536)
  .refine((pem) => /-----BEGIN CERTIFICATE-----/.test(pem), 'Include the certificate (-----BEGIN CERTIFICATE-----) after the private key')
  .refine((pem) => /-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem), 'Include the unencrypted private key (-----BEGIN PRIVATE KEY-----); encrypted keys are not supported');

export const azureAuthSchemas = {
  clientSecret: z.object({
    ...common,
    tenantId,
    clientId,
    clientSecret: field(z.string().trim().min(1, 'Enter the client secret').max(1024), {
      label: 'Client secret',
      kind: 'secret',
      help: 'The secret’s Value (not its Secret ID) from Certificates & secrets.',
      docsUrl: 'https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials?tabs=client-secret',
    }),
  }),
  clientCertificate: z.object({
    ...common,
    tenantId,
    clientId,
    certificate: field(certificate, {
      label: 'Certificate and private key (PEM)',
      kind: 'textarea',
      secret: true,
      placeholder: '-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n…',
      help: 'The RSA private key followed by its certificate. Upload the certificate (public part only) to the app registration.',
      docsUrl: 'https://learn.microsoft.com/entra/identity-platform/how-to-add-credentials?tabs=certificate',
    }),
  }),
  managedIdentity: z.object({
    ...common,
    clientId: field(clientIdSchema.optional(), {
      label: 'Client ID of a user-assigned identity',
      kind: 'text',
      placeholder: '00001111-aaaa-2222-bbbb-3333cccc4444',
      help: "Leave empty for the system-assigned identity. Uses this server's own Azure identity, so the operator must allow it.",
      docsUrl: 'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/overview',
    }),
  }),
};

export type AzureConfig = {
  [M in keyof typeof azureAuthSchemas]: { authMethod: M } & z.infer<(typeof azureAuthSchemas)[M]>;
}[keyof typeof azureAuthSchemas];

const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
const VERSION_ID = /^[0-9A-Fa-f]{32}$/;

const FORMS = 'Write a secret name, optionally @version and #key, e.g. prod-database#password or prod-database@<32-character version id>.';

/**
 * Names are 1–127 letters, digits and dashes; versions are 32 hexadecimal characters
 * (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#objects-identifiers-and-versioning).
 * The portal's `name/version` form is accepted and normalised to `name@version`.
 * Idempotent, so the adapter applies it again to paths parsed without it.
 */
const azurePathRule: NativePathRule = (path) => {
  let { name, version } = path;
  if (/^https:\/\//i.test(name)) {
    return `Give the secret name, not its URL: for https://…/secrets/NAME/VERSION write NAME or NAME@VERSION. ${FORMS}`;
  }
  const slash = name.indexOf('/');
  if (slash !== -1) {
    const [base = '', pinned = '', ...rest] = name.split('/');
    if (rest.length > 0) return `"${name}" has more than one "/": Key Vault secret names cannot contain "/". ${FORMS}`;
    if (pinned !== '' && version !== undefined) return 'Give the version once: either name/version or name@version.';
    name = base;
    if (pinned !== '') version = pinned;
  }
  if (!SECRET_NAME.test(name)) {
    return `"${name}" is not a Key Vault secret name: names are 1 to 127 letters, digits and dashes. ${FORMS}`;
  }
  if (version !== undefined && !VERSION_ID.test(version)) {
    return `"${version}" is not a Key Vault version id (32 hexadecimal characters, as in the secret's identifier). ${FORMS}`;
  }
  const out: SecretPath = { name };
  if (version !== undefined) out.version = version.toLowerCase();
  if (path.key !== undefined) out.key = path.key;
  return out;
};

const azurePathSyntax: PathSyntax = {
  placeholder: 'prod-database#password',
  help: 'The secret name, optionally @version (or /version, as in the portal) and #key for a JSON secret.',
  examples: ['prod-database#password', 'prod-stripe-api-key', 'prod-stripe-api-key@4387e9f3d6e14c459867679a90fd0f79'],
};

export const azureDescriptor: ProviderDescriptor<'azure'> = {
  id: 'azure',
  name: 'Azure Key Vault',
  description: 'Key Vault secrets, with an Entra ID app (client secret or certificate) or a managed identity.',
  docsUrl: 'https://learn.microsoft.com/azure/key-vault/secrets/about-secrets',
  authMethods: {
    clientSecret: { label: 'Client secret', schema: azureAuthSchemas.clientSecret },
    clientCertificate: { label: 'Client certificate', schema: azureAuthSchemas.clientCertificate },
    managedIdentity: { label: 'Managed identity', schema: azureAuthSchemas.managedIdentity },
  },
  pathSyntax: azurePathSyntax,
  pathRule: azurePathRule,
};
