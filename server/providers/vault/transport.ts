/**
 * Sends Vault API calls through node-vault with the shared timeout/retry policy.
 *
 * Each call carries its own token header: the node-vault client stays stateless (its
 * login helpers would store the token in the shared client), so a login is always sent
 * without a stale token — Vault can refuse a login that carries an invalid one
 * (hashicorp/vault#6694).
 *
 * node-vault builds every request and reads every answer; the HTTP exchange itself goes
 * through the request function node-vault lets a caller supply (its `request-promise`
 * option): an axios instance of this connection that connects only through the egress
 * guard, never follows a redirect (that would carry X-Vault-Token to wherever the
 * answer points) and never uses an environment proxy.
 */
import axios from 'axios';
import nodeVault from 'node-vault';
import type { VaultConfig } from '../../../shared/providers/vault.ts';
import { SecretManagerError } from '../../errors.ts';
import { caCertProblem } from '../ca-cert.ts';
import type { EgressGuard } from '../egress/egress-guard.ts';
import { withRetry, type Deadline } from '../retry.ts';
import { isTransientVaultError } from './errors.ts';

/** Vault's documented port, besides the scheme's own. */
const VAULT_PORTS = [8200];

export interface VaultRequest {
  method: 'GET' | 'POST';
  /** The API path after `/v1/`, URL-encoded, query string included. */
  path: string;
  token?: string;
  body?: Record<string, unknown>;
}

/** Resolves with Vault's JSON answer; rejects with node-vault's or axios' raw error (see errors.ts). */
export type VaultSend = ((request: VaultRequest, deadline: Deadline) => Promise<unknown>) & { close(): void };

/** What node-vault hands its request function, and what it expects back. */
interface NodeVaultRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
  timeout?: number;
  /** Ours, passed through node-vault untouched: aborting it closes the request's socket. */
  signal?: AbortSignal;
}

function guardedRequests(config: VaultConfig, egress: EgressGuard) {
  const secure = new URL(config.url).protocol === 'https:';
  const agent = secure
    ? // `ca` replaces the public CAs: a connection with a private CA trusts that CA only.
      egress.agent('https:', { ports: VAULT_PORTS, ...(config.caCert && { ca: config.caCert }) })
    : egress.agent('http:', { ports: VAULT_PORTS });
  const http = axios.create({
    [secure ? 'httpsAgent' : 'httpAgent']: agent,
    maxRedirects: 0,
    proxy: false,
    validateStatus: () => true,
  });
  const send = async (options: NodeVaultRequest) => {
    const response = await http.request({
      method: options.method,
      url: options.uri,
      headers: options.headers ?? {},
      ...(options.json !== undefined && typeof options.json === 'object' && { data: options.json }),
      ...(options.timeout !== undefined && { timeout: options.timeout }),
      ...(options.signal && { signal: options.signal }),
    });
    return { statusCode: response.status, body: response.data as unknown, request: { path: new URL(options.uri).pathname } };
  };
  return { requestPromise: { defaults: () => send }, close: () => agent.destroy() };
}

export function createVaultTransport(config: VaultConfig, egress: EgressGuard): VaultSend {
  const requests = guardedRequests(config, egress);
  const vault = nodeVault({
    endpoint: config.url,
    // node-vault's debug output (DEBUG=node-vault) prints request bodies: secret IDs and JWTs.
    debug: () => undefined,
    'request-promise': requests.requestPromise,
  });
  // node-vault also falls back to VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX from the
  // environment for absent options; a tenant's connection must not inherit them.
  Object.assign(vault, { token: '', namespace: config.namespace ?? '', pathPrefix: '' });

  const caProblem = config.caCert ? caCertProblem(config.caCert) : undefined;

  const send = (request: VaultRequest, deadline: Deadline) => {
    if (caProblem !== undefined) {
      const message = `The CA certificate of this connection cannot be used: ${caProblem}.`;
      return Promise.reject(new SecretManagerError('CONNECTION_FAILED', message, { hint: 'Paste the CA certificate as PEM, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.' }));
    }
    return withRetry(
      ({ remainingMs, signal }) => {
        const options = {
          timeout: remainingMs,
          signal,
          headers: request.token === undefined ? {} : { 'X-Vault-Token': request.token },
        };
        return request.method === 'GET'
          ? vault.read(request.path, options)
          : vault.write(request.path, request.body ?? {}, options);
      },
      { deadline, isTransient: isTransientVaultError },
    );
  };
  return Object.assign(send, { close: requests.close });
}


/** Encodes each segment of a Vault path (names may hold spaces, `#`, `?`…). */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
