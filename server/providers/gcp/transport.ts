/**
 * One SecretManagerServiceClient per connection, over gRPC (TLS, optionally with a private
 * CA) or REST, and the call options every RPC gets: the client's own retry of
 * UNAVAILABLE / RESOURCE_EXHAUSTED with bounded backoff, inside the operation's budget.
 */
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { createBackoffSettings, createRetryOptions, grpc, type CallOptions } from 'google-gax';
import type { GcpConfig } from '../../../shared/providers/gcp.ts';
import type { Deadline } from '../retry.ts';
import { callCredentials, createIdentity, type GcpIdentity } from './auth.ts';
import { TRANSIENT_CODES } from './errors.ts';
import type { EgressGuard } from '../egress/egress-guard.ts';
import { guardedGrpcOptions } from '../egress/grpc-resolver.ts';
import { fetchThrough } from './rest-fetch.ts';

/** The host (and port) requests go to: the stated endpoint, the location's regional one, or the global one. */
export function endpointOf(config: GcpConfig): { host: string; port: number } {
  if (config.apiEndpoint) {
    const match = /^(.*?)(?::([0-9]+))?$/.exec(config.apiEndpoint)!;
    return { host: match[1]!, port: match[2] ? Number(match[2]) : 443 };
  }
  return { host: config.location ? `secretmanager.${config.location}.rep.googleapis.com` : 'secretmanager.googleapis.com', port: 443 };
}

export interface GcpTransport {
  sdk: SecretManagerServiceClient;
  identity: GcpIdentity;
  close(): Promise<void>;
}

/** Both transports connect only through `egress`: REST over its agent, gRPC through its resolver. */
export function createTransport(config: GcpConfig, egress: EgressGuard): GcpTransport {
  const { host, port } = endpointOf(config);
  // `ca` replaces the public CAs: a connection with a private CA trusts that CA only.
  const agent = egress.agent('https:', config.caCert ? { ca: config.caCert } : {});
  const identity = createIdentity(config, fetchThrough(agent));
  const sdk = new SecretManagerServiceClient({
    auth: identity.auth,
    apiEndpoint: host,
    port,
    ...(config.transport === 'rest'
      ? { fallback: true }
      : {
          sslCreds: grpc.credentials.combineChannelCredentials(
            grpc.credentials.createSsl(config.caCert ? Buffer.from(config.caCert) : null),
            callCredentials(identity.auth),
          ),
          ...guardedGrpcOptions(egress),
        }),
  });
  return {
    sdk,
    identity,
    close: async () => {
      await sdk.close();
      agent.destroy();
    },
  };
}

/** The longest pause between retries; the client's own retry budget ends this much before ours, so its error (which says why) wins. */
const MAX_RETRY_DELAY_MS = 500;

function callOptions(remainingMs: number): CallOptions {
  const budget = Math.max(remainingMs - MAX_RETRY_DELAY_MS, Math.ceil(remainingMs / 2));
  return {
    timeout: budget,
    retry: createRetryOptions(TRANSIENT_CODES, createBackoffSettings(100, 2, MAX_RETRY_DELAY_MS, budget, 1, budget, budget)),
  };
}

interface CancellableCall<T> extends Promise<T> {
  cancel?: () => void;
}

/**
 * Starts one RPC with what is left of the operation's budget, and cancels it when the
 * operation's deadline passes (the client's `timeout` reaches gRPC deadlines only, not REST).
 */
export function invoke<T>(deadline: Deadline, signal: AbortSignal, call: (options: CallOptions) => CancellableCall<T>): Promise<T> {
  const pending = call(callOptions(deadline.remainingMs()));
  signal.addEventListener('abort', () => pending.cancel?.(), { once: true });
  return pending;
}
