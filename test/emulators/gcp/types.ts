/** The public contract of the Google Cloud Secret Manager emulator; other test suites code against these names. */
import type { TestCertificates } from '../tls.ts';

export interface GcpEmulatorOptions {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * `tls` (default): gRPC and REST (HTTP/1.1, chosen by ALPN) on one port, with a test CA.
   * `insecure`: plaintext gRPC only, as clients with `grpc.credentials.createInsecure()` expect.
   */
  mode?: 'tls' | 'insecure';
  /** The certificates to serve in TLS mode; made fresh by default. */
  certificates?: TestCertificates;
  /** Requests without an `authorization` header act with every permission (as local emulators do). Default false. */
  allowAnonymous?: boolean;
}

/** The predefined roles the emulator knows, with the permissions of the real ones that matter here. */
export type GcpRole = 'roles/secretmanager.secretAccessor' | 'roles/secretmanager.viewer' | 'roles/secretmanager.admin';

export type GcpVersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED';

export interface GcpServiceAccount {
  email: string;
  /** The `kid` its JWTs carry. */
  privateKeyId: string;
  /** The key file as the console downloads it (its token_uri points at the emulator's trap, see `stats.tokenRequests`). */
  keyJson: string;
}

export interface GcpFaults {
  /** Delays every answer by this many milliseconds. */
  latencyMs: number;
  /** Answers the next N requests with `status5xx` (14 UNAVAILABLE for 503), which the SDK retries. */
  failNextRequests: number;
  /** 503 (UNAVAILABLE, the default), 500 (INTERNAL) or 504 (DEADLINE_EXCEEDED). */
  status5xx: number;
  /** Answers the next N requests with 8 RESOURCE_EXHAUSTED (HTTP 429), which the SDK retries for access. */
  throttleNextRequests: number;
  /** Destroys every connection as soon as it or a request on it arrives. */
  dropConnections: boolean;
}

/** What the last accepted self-signed JWT said (no signature, nothing secret). */
export interface GcpJwtSummary {
  kid: string;
  iss: string;
  sub: string;
  aud?: string;
  scope?: string;
  lifetimeSeconds: number;
}

export interface GcpStats {
  requests: number;
  /** Keyed by RPC name, e.g. `AccessSecretVersion`, `ListSecrets`. */
  byOperation: Record<string, number>;
  /** Calls to the key file's token_uri. The client must sign its own JWTs, so this stays 0. */
  tokenRequests: number;
  lastJwt?: GcpJwtSummary;
  reset(): void;
}

export interface GcpEmulator {
  /** `127.0.0.1:PORT`: the `apiEndpoint` of a connection. */
  readonly apiEndpoint: string;
  readonly host: string;
  readonly port: number;
  /** https://127.0.0.1:PORT (TLS mode) or http://… (insecure mode). */
  readonly url: string;
  /** The CA certificate clients must trust in TLS mode. */
  readonly caCert?: string;
  /** Creates the project if needed; returns its number (resource names in answers use it, as Google's do). */
  createProject(projectId: string): string;
  /** Returns the secret's resource name. `location` makes a regional secret. */
  createSecret(projectId: string, secretId: string, options?: { location?: string }): string;
  /** Adds a version to a secret (by resource name) and returns its number. */
  addVersion(secretName: string, data: string | Uint8Array): number;
  setVersionState(secretName: string, version: number, state: GcpVersionState): void;
  /** Registers a service account with a fresh RSA key pair and returns its key file. */
  createServiceAccount(email: string, options?: { projectId?: string }): GcpServiceAccount;
  /** Forgets a key (as deleting it in the console does): its JWTs are then rejected. */
  deleteServiceAccountKey(privateKeyId: string): void;
  /** Binds a role on `projects/P` (every secret in it) or on one secret's resource name. */
  grant(email: string, role: GcpRole, resource: string): void;
  readonly faults: GcpFaults;
  readonly stats: GcpStats;
  close(): Promise<void>;
}
