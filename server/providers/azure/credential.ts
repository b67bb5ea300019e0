/**
 * The Entra ID credential of a connection. The SDK's credentials keep and renew their
 * tokens (MSAL's cache plus Key Vault's token cycler), so one per connection means one
 * sign-in, not one per read.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import type { AzureConfig } from '../../../shared/providers/azure.ts';
import type { AzureEndpoints } from './endpoints.ts';

export function createCredential(config: AzureConfig, endpoints: AzureEndpoints, pipeline: TokenCredentialOptions): TokenCredential {
  // Always explicit: otherwise the SDK would take AZURE_AUTHORITY_HOST from this server's environment.
  const options = {
    ...pipeline,
    authorityHost: endpoints.authorityHost,
    disableInstanceDiscovery: endpoints.customAuthority,
  };
  switch (config.authMethod) {
    case 'clientSecret':
      return new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, options);
    case 'clientCertificate':
      return new ClientCertificateCredential(config.tenantId, config.clientId, { certificate: config.certificate }, options);
    case 'managedIdentity': {
      // The identity endpoints (IMDS, App Service) are plain http on link-local or loopback
      // addresses: an https agent (and its CA) does not apply to them.
      const { agent: _https, ...plain } = pipeline;
      return new ManagedIdentityCredential({ ...plain, ...(config.clientId !== undefined && { clientId: config.clientId }) });
    }
  }
}

/** The strings of a config that are credentials: redacted from every message. */
export function credentialsOf(config: AzureConfig): string[] {
  switch (config.authMethod) {
    case 'clientSecret':
      return [config.clientSecret];
    case 'clientCertificate':
      // The whole PEM and each of its base64 lines, should any library quote part of it.
      return [config.certificate, ...config.certificate.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith('-----'))];
    case 'managedIdentity':
      return [];
  }
}

/**
 * Why the certificate cannot sign a client assertion, checked before anything is sent:
 * MSAL would only fail later with a puzzling message. Entra ID accepts RSA keys only
 * (MSAL signs with PS256).
 */
export function certificateProblem(pem: string): string | undefined {
  let key;
  let cert;
  try {
    key = createPrivateKey(pem);
  } catch {
    return 'its private key cannot be read (paste the unencrypted PEM key, -----BEGIN PRIVATE KEY-----)';
  }
  try {
    cert = new X509Certificate(pem);
  } catch {
    return 'its certificate cannot be read (paste the PEM certificate after the key, -----BEGIN CERTIFICATE-----)';
  }
  if (key.asymmetricKeyType !== 'rsa') return `its key is ${key.asymmetricKeyType?.toUpperCase() ?? 'not RSA'}, but Entra ID accepts RSA certificates only`;
  if (!cert.checkPrivateKey(key)) return 'the private key does not belong to the certificate';
  return undefined;
}
