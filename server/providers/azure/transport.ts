/**
 * The HTTPS agent both the vault client and the credential use. One per connection, so
 * close() can drop its kept-alive sockets, and the one place a private CA is trusted —
 * in addition to the public CAs, never instead of verification.
 */
import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';

export function createAgent(caCert: string | undefined): Agent {
  return new Agent({ keepAlive: true, ...(caCert && { ca: [...rootCertificates, caCert] }) });
}

