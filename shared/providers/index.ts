import type { z } from 'zod';
import { describeFields, type FieldDescription } from '../fields.ts';
import { parseSecretPath, type NativePathRule, type PathParseResult, type PathSyntax } from '../secret-path.ts';
import { vaultAuthMethodLabels, vaultAuthSchemas, vaultPathRule, vaultPathSyntax } from './vault.ts';

export const providerIds = ['vault'] as const;
export type ProviderId = (typeof providerIds)[number];

/** What the shared code knows of a provider: its forms and path rules, no SDK. */
export interface ProviderDescriptor {
  id: ProviderId;
  name: string;
  description: string;
  docsUrl: string;
  authMethods: Record<string, { label: string; schema: z.ZodObject }>;
  pathSyntax: PathSyntax;
  pathRule: NativePathRule;
}

export const providerDescriptors = {
  vault: {
    id: 'vault',
    name: 'HashiCorp Vault',
    description: 'KV version 1 and 2 secrets engines, with token, AppRole or Kubernetes auth.',
    docsUrl: 'https://developer.hashicorp.com/vault/docs/secrets/kv',
    authMethods: Object.fromEntries(
      Object.entries(vaultAuthSchemas).map(([id, schema]) => [
        id,
        { label: vaultAuthMethodLabels[id as keyof typeof vaultAuthSchemas], schema },
      ]),
    ),
    pathSyntax: vaultPathSyntax,
    pathRule: vaultPathRule,
  },
} satisfies Record<ProviderId, ProviderDescriptor>;

export function isProviderId(value: string): value is ProviderId {
  return (providerIds as readonly string[]).includes(value);
}

export function configSchemaFor(provider: ProviderId, authMethod: string): z.ZodObject | undefined {
  const methods: ProviderDescriptor['authMethods'] = providerDescriptors[provider].authMethods;
  return Object.hasOwn(methods, authMethod) ? methods[authMethod]?.schema : undefined;
}

export function parseProviderPath(provider: ProviderId, input: string): PathParseResult {
  return parseSecretPath(input, providerDescriptors[provider].pathRule);
}

/** The serialisable form `providers.list` returns and the elements render forms from. */
export interface ProviderInfo {
  id: ProviderId;
  name: string;
  description: string;
  docsUrl: string;
  authMethods: { id: string; label: string; fields: FieldDescription[] }[];
  path: PathSyntax;
}

export function describeProviders(): ProviderInfo[] {
  return providerIds.map((id) => {
    const d: ProviderDescriptor = providerDescriptors[id];
    return {
      id,
      name: d.name,
      description: d.description,
      docsUrl: d.docsUrl,
      authMethods: Object.entries(d.authMethods).map(([methodId, m]) => ({
        id: methodId,
        label: m.label,
        fields: describeFields(m.schema),
      })),
      path: d.pathSyntax,
    };
  });
}
