import { describe, expect, it } from 'vitest';
import { describeFields } from '../../shared/fields.ts';
import { providerDescriptors, providerIds, type ProviderDescriptor } from '../../shared/providers/index.ts';

/** Every field of every auth method of every provider, as `providers.list` describes it. */
const forms = providerIds.flatMap((provider) =>
  Object.entries((providerDescriptors[provider] as ProviderDescriptor).authMethods).map(([method, { schema }]) => ({
    id: `${provider}.${method}`,
    fields: describeFields(schema),
  })),
);

/**
 * What makes a field decide where a request goes, read from its metadata, so that a
 * provider added later is held to the same rule without anyone listing its fields here: a
 * URL, anything named like an address, an authority or a tenant of one, a region or
 * location that picks the host, a namespace or auth mount, a CA that decides whom TLS trusts.
 */
const ADDRESS_LIKE = /\b(url|uri|endpoint|host|address|server|authority|tenant|region|location|cloud|partition|fips|namespace|auth mount|ca certificate|ca bundle)\b/i;

function looksLikeDestination(f: ReturnType<typeof describeFields>[number]): boolean {
  const placeholderIsAddress = /^[a-z][a-z0-9+.-]*:\/\//i.test(f.placeholder ?? '');
  return f.constraints?.url !== undefined || placeholderIsAddress || ADDRESS_LIKE.test(`${f.name.replace(/([a-z])([A-Z])/g, '$1 $2')} ${f.label}`);
}

describe('destination fields', () => {
  it('mark every URL, endpoint, host, authority, region, namespace, mount and CA field of every provider', () => {
    for (const { id, fields } of forms) {
      for (const f of fields) if (looksLikeDestination(f)) expect(f.destination, `${id}.${f.name} (${f.label})`).toBe(true);
    }
  });

  it('are these, per provider and auth method', () => {
    const destinations = Object.fromEntries(forms.map(({ id, fields }) => [id, fields.filter((f) => f.destination).map((f) => f.name).sort()]));
    expect(destinations).toEqual({
      'vault.token': ['caCert', 'namespace', 'url'],
      'vault.approle': ['caCert', 'mountPath', 'namespace', 'url'],
      'vault.kubernetes': ['caCert', 'mountPath', 'namespace', 'url'],
      'aws.accessKey': ['endpoint', 'region'],
      'aws.assumeRole': ['endpoint', 'region', 'stsEndpoint'],
      'aws.ambient': ['endpoint', 'region'],
      'azure.clientSecret': ['authorityHost', 'caCert', 'cloud', 'tenantId', 'vaultUrl'],
      'azure.clientCertificate': ['authorityHost', 'caCert', 'cloud', 'tenantId', 'vaultUrl'],
      'azure.managedIdentity': ['authorityHost', 'caCert', 'cloud', 'vaultUrl'],
      'gcp.serviceAccountKey': ['apiEndpoint', 'caCert', 'location'],
      'gcp.ambient': ['apiEndpoint', 'caCert', 'location'],
    });
  });

  it('are never credentials themselves', () => {
    for (const { id, fields } of forms) for (const f of fields) if (f.destination) expect(f.secret, `${id}.${f.name}`).toBe(false);
  });
});
