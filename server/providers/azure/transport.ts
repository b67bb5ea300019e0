/**
 * The HTTPS agent both the vault client and the credential use. One per connection, so
 * close() can drop its kept-alive sockets, and the one place a private CA is trusted —
 * in addition to the public CAs, never instead of verification.
 */
import { X509Certificate } from 'node:crypto';
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';

export function createAgent(caCert: string | undefined): Agent {
  return new Agent({ keepAlive: true, ...(caCert && { ca: [...rootCertificates, caCert] }) });
}

/** Node silently skips a CA it cannot parse, which would surface later as a puzzling "unable to verify". */
export function caCertProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return 'it has no -----BEGIN CERTIFICATE----- block';
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  return undefined;
}
