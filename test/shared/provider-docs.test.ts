import { describe, expect, it } from 'vitest';
import { describeProviders, type ProviderId } from '../../shared/providers/index.ts';

/** Where each provider documents itself: links go to the vendor's own pages. */
const officialDocs: Record<ProviderId, RegExp> = {
  vault: /^https:\/\/developer\.hashicorp\.com\/vault\/docs\//,
  aws: /^https:\/\/docs\.aws\.amazon\.com\//,
  azure: /^https:\/\/learn\.microsoft\.com\//,
  gcp: /^https:\/\/cloud\.google\.com\//,
};

/** The settings people look up: credentials, addresses, ids, regions. */
const documented: Record<ProviderId, string[]> = {
  vault: ['url', 'namespace', 'kvMount', 'testPath', 'caCert', 'token', 'roleId', 'secretId', 'role', 'jwt', 'mountPath'],
  aws: ['region', 'endpoint', 'testSecretName', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'roleArn', 'externalId', 'sessionName', 'stsEndpoint'],
  azure: ['vaultUrl', 'cloud', 'testSecretName', 'authorityHost', 'tenantId', 'clientId', 'clientSecret', 'certificate'],
  gcp: ['serviceAccountKey', 'projectId', 'location', 'testSecretName', 'allowOtherProjects', 'apiEndpoint'],
};

describe('setup notes of the provider fields', () => {
  const providers = describeProviders();

  it.each(providers.map((p) => [p.id, p] as const))('%s: link the settings people look up to the vendor’s docs', (id, provider) => {
    const linked = new Map(provider.authMethods.flatMap((m) => m.fields.filter((f) => f.docsUrl).map((f) => [f.name, f.docsUrl!] as const)));
    expect([...linked.keys()].sort()).toEqual([...documented[id]].sort());
    for (const [name, url] of linked) {
      expect(url, name).toMatch(officialDocs[id]);
      expect(new URL(url).href, name).toBe(url);
    }
  });

  it('keep the provider-level guide', () => {
    for (const p of providers) expect(p.docsUrl).toMatch(officialDocs[p.id]);
  });
});
