import type { z } from 'zod';
import { describeFields, type FieldDescription } from '../fields.ts';
import { parseSecretPath, type PathParseResult, type PathSyntax } from '../secret-path.ts';
import type { ProviderDescriptor } from './descriptor.ts';
import { awsDescriptor } from './aws.ts';
import { azureDescriptor } from './azure.ts';
import { gcpDescriptor } from './gcp.ts';
import { vaultDescriptor } from './vault.ts';

export type { ProviderDescriptor } from './descriptor.ts';

export const providerIds = ['vault', 'aws', 'azure', 'gcp'] as const;
export type ProviderId = (typeof providerIds)[number];

export const providerDescriptors = {
  vault: vaultDescriptor,
  aws: awsDescriptor,
  azure: azureDescriptor,
  gcp: gcpDescriptor,
} satisfies { [Id in ProviderId]: ProviderDescriptor<Id> };

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
