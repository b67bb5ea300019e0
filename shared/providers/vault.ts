import { z } from 'zod';
import { field } from '../fields.ts';
import type { NativePathRule, PathSyntax } from '../secret-path.ts';
import type { ProviderDescriptor } from './descriptor.ts';

const httpUrl = z.url({ protocol: /^https?$/, error: 'Enter an http(s) URL such as https://vault.example.com:8200' });

const common = {
  url: field(httpUrl, {
    label: 'Vault address',
    kind: 'text',
    placeholder: 'https://vault.example.com:8200',
    help: 'The address of the Vault server, as in VAULT_ADDR.',
    docsUrl: 'https://developer.hashicorp.com/vault/docs/commands#vault_addr',
    destination: true,
  }),
  namespace: field(z.string().trim().max(256).optional(), {
    label: 'Namespace',
    kind: 'text',
    placeholder: 'admin/team-a',
    help: 'Vault Enterprise / HCP namespace. Leave empty for the root namespace.',
    docsUrl: 'https://developer.hashicorp.com/vault/docs/enterprise/namespaces',
    advanced: true,
    // Another namespace is another tenant of the same Vault, with its own auth methods and audit devices.
    destination: true,
  }),
  kvMount: field(
    z
      .string()
      .trim()
      .regex(/^[^/\s][^\s]*$/, 'A mount path such as "secret" (no leading slash, no spaces)')
      .max(256)
      .optional(),
    {
      label: 'KV mount',
      kind: 'text',
      placeholder: 'secret',
      help: 'State the KV mount (and version) when the token may not read sys/internal/ui/mounts. Otherwise it is discovered from each path.',
      docsUrl: 'https://developer.hashicorp.com/vault/docs/secrets/kv/kv-v2/setup',
      advanced: true,
    },
  ),
  kvVersion: field(z.union([z.literal(1), z.literal(2)]).optional(), {
    label: 'KV version',
    kind: 'select',
    options: [
      { value: 2, label: 'KV version 2' },
      { value: 1, label: 'KV version 1' },
    ],
    help: 'Discovered when not stated.',
    advanced: true,
  }),
  testPath: field(z.string().trim().max(2048).optional(), {
    label: 'Test path',
    kind: 'text',
    placeholder: 'secret/app/db',
    help: 'A secret the connection test reads, to prove the policy allows reading it.',
    docsUrl: 'https://developer.hashicorp.com/vault/docs/concepts/policies',
  }),
  caCert: field(z.string().trim().max(65536).optional(), {
    label: 'CA certificate (PEM)',
    kind: 'textarea',
    placeholder: '-----BEGIN CERTIFICATE-----',
    help: 'For a Vault whose TLS certificate is signed by a private CA.',
    docsUrl: 'https://developer.hashicorp.com/vault/docs/commands#vault_cacert',
    advanced: true,
    // A CA of the editor's choosing lets a server of theirs pass as the Vault.
    destination: true,
  }),
};

const APPROLE_DOCS = 'https://developer.hashicorp.com/vault/docs/auth/approle';
const KUBERNETES_DOCS = 'https://developer.hashicorp.com/vault/docs/auth/kubernetes';

const mountPath = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_\-/.]*$/, 'An auth mount path such as "' + fallback + '"')
    .max(256);

export const vaultAuthSchemas = {
  token: z.object({
    ...common,
    token: field(z.string().trim().min(1, 'Enter the Vault token').max(4096), {
      label: 'Token',
      kind: 'secret',
      placeholder: 'hvs.…',
      help: 'A periodic or renewable token is renewed automatically before it expires.',
      docsUrl: 'https://developer.hashicorp.com/vault/docs/concepts/tokens#periodic-tokens',
    }),
  }),
  approle: z.object({
    ...common,
    roleId: field(z.string().trim().min(1, 'Enter the role ID').max(512), {
      label: 'Role ID',
      kind: 'text',
      placeholder: 'db02de05-fa39-4855-059b-67221c5c2f63',
      docsUrl: APPROLE_DOCS,
    }),
    secretId: field(z.string().trim().min(1, 'Enter the secret ID').max(4096), {
      label: 'Secret ID',
      kind: 'secret',
      docsUrl: APPROLE_DOCS,
    }),
    mountPath: field(mountPath('approle').optional(), {
      label: 'Auth mount path',
      kind: 'text',
      placeholder: 'approle',
      help: 'Where the AppRole auth method is enabled. Default: approle.',
      docsUrl: APPROLE_DOCS,
      advanced: true,
      // The auth method mounted there receives the secret ID: it may be a plugin someone else enabled.
      destination: true,
    }),
  }),
  kubernetes: z.object({
    ...common,
    role: field(z.string().trim().min(1, 'Enter the Vault role').max(512), {
      label: 'Role',
      kind: 'text',
      placeholder: 'secret-managers',
      docsUrl: KUBERNETES_DOCS,
    }),
    jwt: field(z.string().trim().min(1, 'Enter the service account token').max(16384), {
      label: 'Service account JWT',
      kind: 'secret',
      help: 'The Kubernetes service account token Vault verifies.',
      docsUrl: KUBERNETES_DOCS,
    }),
    mountPath: field(mountPath('kubernetes'), {
      label: 'Auth mount path',
      kind: 'text',
      placeholder: 'kubernetes',
      help: 'Where the Kubernetes auth method is enabled.',
      docsUrl: KUBERNETES_DOCS,
      // The auth method mounted there receives the service account JWT.
      destination: true,
    }),
  }),
};

export type VaultConfig = {
  [M in keyof typeof vaultAuthSchemas]: { authMethod: M } & z.infer<(typeof vaultAuthSchemas)[M]>;
}[keyof typeof vaultAuthSchemas];

const vaultPathSyntax: PathSyntax = {
  placeholder: 'secret/app/database#password',
  help: 'mount/path of a KV secret, optionally @version and #key. Without #key you get the whole entry as JSON, or its only field.',
  examples: ['secret/app/database#password', 'secret/app/database@3#password', 'kv1/legacy/api'],
};

const vaultPathRule: NativePathRule = (path) => {
  const name = path.name.replace(/^\/+|\/+$/g, '');
  const segments = name.split('/');
  if (segments.length < 2) return 'Write the KV mount and the secret path, e.g. secret/app/database.';
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    return 'The Vault path has an empty, "." or ".." segment.';
  }
  if (path.version !== undefined && !/^[1-9][0-9]{0,9}$/.test(path.version)) {
    return 'A Vault version is a positive number, e.g. secret/app/database@3.';
  }
  return { ...path, name };
};

export const vaultDescriptor: ProviderDescriptor<'vault'> = {
  id: 'vault',
  name: 'HashiCorp Vault',
  description: 'KV version 1 and 2 secrets engines, with token, AppRole or Kubernetes auth.',
  docsUrl: 'https://developer.hashicorp.com/vault/docs/secrets/kv',
  authMethods: {
    token: { label: 'Token', schema: vaultAuthSchemas.token },
    approle: { label: 'AppRole', schema: vaultAuthSchemas.approle },
    kubernetes: { label: 'Kubernetes', schema: vaultAuthSchemas.kubernetes },
  },
  pathSyntax: vaultPathSyntax,
  pathRule: vaultPathRule,
};
