/**
 * Where a connection sends its requests, and whether the operator allows it. A tenant's
 * connection may use the chosen cloud's vault hosts and the official Entra ID authorities;
 * anything else (an emulator, a private host) needs SM_ALLOW_CUSTOM_PROVIDER_HOSTS, and the
 * server's own managed identity needs SM_ALLOW_AMBIENT_CREDENTIALS.
 */
import { azureClouds, type AzureConfig } from '../../../shared/providers/azure.ts';
import type { PolicyViolation, ProviderPolicy } from '../types.ts';

export interface AzureEndpoints {
  /** The vault's origin, e.g. https://my-vault.vault.azure.net */
  vaultUrl: string;
  /** The Entra ID authority host, e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** The vault host is outside the cloud's DNS suffix: the SDK's challenge resource check must be off. */
  customVault: boolean;
  /** Not an official authority: MSAL must not ask Microsoft's instance discovery about it. */
  customAuthority: boolean;
}

const officialAuthorities: ReadonlySet<string> = new Set(Object.values(azureClouds).map((c) => c.authorityHost));

export function azureEndpoints(config: AzureConfig): AzureEndpoints {
  const cloud = azureClouds[config.cloud];
  const vault = new URL(config.vaultUrl);
  const authorityHost = config.authorityHost === undefined ? cloud.authorityHost : new URL(config.authorityHost).origin;
  return {
    vaultUrl: vault.origin,
    authorityHost,
    // A bare suffix ("vault.azure.net" itself) is not a vault.
    customVault: !vault.hostname.toLowerCase().endsWith(cloud.vaultSuffix),
    customAuthority: !officialAuthorities.has(authorityHost),
  };
}

export function checkAzurePolicy(config: AzureConfig, policy: ProviderPolicy): PolicyViolation | undefined {
  if (config.authMethod === 'managedIdentity' && !policy.allowAmbientCredentials) {
    return {
      field: 'authMethod',
      message: "The operator does not allow connections to use this server's own managed identity: use a client secret or certificate.",
    };
  }
  if (policy.allowCustomHosts) return undefined;
  const endpoints = azureEndpoints(config);
  const cloud = azureClouds[config.cloud];
  if (endpoints.customVault) {
    return {
      field: 'vaultUrl',
      message: `A vault in ${cloud.label} has an address ending in ${cloud.vaultSuffix} (e.g. https://my-vault${cloud.vaultSuffix}); other hosts need the operator's permission. Check the Cloud setting.`,
    };
  }
  if (endpoints.customAuthority && config.authMethod !== 'managedIdentity') {
    return {
      field: 'authorityHost',
      message: `Only the official Entra ID authorities (${[...officialAuthorities].join(', ')}) are allowed; other hosts need the operator's permission. Leave the field empty to use the cloud's own.`,
    };
  }
  return undefined;
}
