/**
 * The HTTPS agent both the vault client and the credential use. One per connection, so
 * close() can drop its kept-alive sockets; every socket is opened through the egress
 * guard; and the one place a private CA is trusted — in addition to the public CAs, never
 * instead of verification.
 */
import type { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { EgressGuard } from '../egress/egress-guard.ts';

export function createAgent(egress: EgressGuard, caCert: string | undefined): Agent {
  return egress.agent('https:', caCert ? { ca: [...rootCertificates, caCert] } : {});
}
