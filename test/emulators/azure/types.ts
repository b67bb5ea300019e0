/** The public contract of the Azure Key Vault + Entra ID emulator; other test suites code against these names. */
import type { TestCertificates } from '../tls.ts';

export interface AzureEmulatorOptions {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The server's TLS material; by default a CA and certificate made for this emulator. */
  tls?: TestCertificates;
  /** The directory the vault belongs to (named in its 401 challenge). Defaults to a random GUID. */
  tenantId?: string;
  /** Lifetime of issued access tokens; Entra's default is about an hour. */
  tokenLifetimeSeconds?: number;
}

export interface AzureFaults {
  /** Delays every answer (vault and authority). */
  latencyMs: number;
  /** The next N vault requests are answered with `status5xx` (the authority is not affected). */
  failNextRequests: number;
  /** 500, 503 or 429; 429 and 503 carry `Retry-After: retryAfterSeconds`, as Key Vault's throttling does. */
  status5xx: number;
  retryAfterSeconds: number;
  /** Destroys every socket on arrival (new connections and requests on kept-alive ones). */
  dropConnections: boolean;
}

/**
 * Requests received. Operations: `openidConfiguration`, `jwks`, `token` (authority);
 * `challenge` (a vault request without a valid token), `getSecret`, `setSecret`, `listSecrets`.
 */
export interface AzureStats {
  requests: number;
  byOperation: Record<string, number>;
  reset(): void;
}

/** What one client id may do in the vault (RBAC: Key Vault Secrets User / Reader, scoped or not). */
export interface AccessRule {
  /** Secret names (case-insensitive) the identity may read, or every secret. */
  get: '*' | string[];
  list: boolean;
  set: boolean;
}

export interface ApplicationOptions {
  clientId: string;
  /** Defaults to the vault's tenant. */
  tenantId?: string;
  clientSecrets?: string[];
  /** PEM certificates whose private keys may sign client assertions. */
  certificates?: string[];
}

export interface SecretOptions {
  contentType?: string;
  enabled?: boolean;
  tags?: Record<string, string>;
}

export interface AzureEmulator {
  /** https://127.0.0.1:PORT: both the vault URL and the authority host. */
  url: string;
  /** PEM of the CA that signed the server certificate. */
  caCert: string;
  /** The vault's own tenant. */
  tenantId: string;
  /** The tenant the 401 challenge names; change it to model a vault in a tenant the authority does not know. */
  challengeTenantId: string;
  faults: AzureFaults;
  stats: AzureStats;
  addTenant(tenantId: string): void;
  /** Registers an app (service principal) with its credentials; it has no vault access until `setAccess`. */
  addApplication(app: ApplicationOptions): void;
  setAccess(clientId: string, rule: Partial<AccessRule>): void;
  /** Writes a new version (a new current value); returns its 32-hex version id. */
  setSecret(name: string, value: string, options?: SecretOptions): string;
  close(): Promise<void>;
}
