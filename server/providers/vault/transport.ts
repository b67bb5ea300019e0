/**
 * Sends Vault API calls through node-vault with the shared timeout/retry policy.
 *
 * Each call carries its own token header: the node-vault client stays stateless (its
 * login helpers would store the token in the shared client), so a login is always sent
 * without a stale token — Vault can refuse a login that carries an invalid one
 * (hashicorp/vault#6694).
 */
import nodeVault from 'node-vault';
import type { VaultConfig } from '../../../shared/providers/vault.ts';
import { SecretManagerError } from '../../errors.ts';
import { caCertProblem } from '../ca-cert.ts';
import { withRetry, type Deadline } from '../retry.ts';
import { isTransientVaultError } from './errors.ts';

export interface VaultRequest {
  method: 'GET' | 'POST';
  /** The API path after `/v1/`, URL-encoded, query string included. */
  path: string;
  token?: string;
  body?: Record<string, unknown>;
}

/** Resolves with Vault's JSON answer; rejects with node-vault's or axios' raw error (see errors.ts). */
export type VaultSend = (request: VaultRequest, deadline: Deadline) => Promise<unknown>;

export function createVaultTransport(config: VaultConfig): VaultSend {
  const vault = nodeVault({
    endpoint: config.url,
    // node-vault's debug output (DEBUG=node-vault) prints request bodies: secret IDs and JWTs.
    debug: () => undefined,
    requestOptions: {
      // Otherwise VAULT_SKIP_VERIFY in this process's environment would turn verification off.
      strictSSL: true,
      // Goes into the https.Agent node-vault builds for its axios instance.
      ...(config.caCert ? { ca: config.caCert } : {}),
    },
  });
  // node-vault also falls back to VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX from the
  // environment for absent options; a tenant's connection must not inherit them.
  Object.assign(vault, { token: '', namespace: config.namespace ?? '', pathPrefix: '' });

  const caProblem = config.caCert ? caCertProblem(config.caCert) : undefined;

  return (request, deadline) => {
    if (caProblem !== undefined) {
      const message = `The CA certificate of this connection cannot be used: ${caProblem}.`;
      return Promise.reject(new SecretManagerError('CONNECTION_FAILED', message, { hint: 'Paste the CA certificate as PEM, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.' }));
    }
    return withRetry(
      ({ remainingMs }) => {
        const options = {
          timeout: remainingMs,
          headers: request.token === undefined ? {} : { 'X-Vault-Token': request.token },
        };
        return request.method === 'GET'
          ? vault.read(request.path, options)
          : vault.write(request.path, request.body ?? {}, options);
      },
      { deadline, isTransient: isTransientVaultError },
    );
  };
}


/** Encodes each segment of a Vault path (names may hold spaces, `#`, `?`…). */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
