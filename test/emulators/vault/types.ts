/** The public contract of the Vault emulator; other test suites code against these names. */

export interface VaultEmulatorOptions {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to a random `hvs.` token. */
  rootToken?: string;
}

export type Capability = 'read' | 'list' | 'create' | 'update' | 'delete' | 'sudo' | 'deny';

export interface PolicyRule {
  /** A Vault policy path: exact, `+` for one segment, a trailing `*` for a prefix. */
  path: string;
  capabilities: Capability[];
}

/** Scopes a set-up call to a Vault Enterprise namespace; omitted means the root namespace. */
export interface InNamespace {
  namespace?: string;
}

export interface TokenOptions extends InNamespace {
  policies: string[];
  /** Omitted: Vault's default of 768h. 0: the token never expires (and cannot be renewed). */
  ttlSeconds?: number;
  /** Defaults to true for tokens that expire. */
  renewable?: boolean;
  /** The explicit max TTL renewals cannot go past; omitted: Vault's system max of 768h. */
  maxTtlSeconds?: number;
}

export interface AppRoleOptions extends InNamespace {
  policies: string[];
  tokenTtlSeconds?: number;
  /** Defaults to `approle`. */
  mount?: string;
}

export interface KubernetesRoleOptions extends InNamespace {
  mount: string;
  /** `*` allows any. */
  boundServiceAccountNames: string[];
  /** `*` allows any. */
  boundNamespaces: string[];
  policies: string[];
  tokenTtlSeconds?: number;
}

export interface VaultFaults {
  /** Delays every response, errors included. */
  latencyMs: number;
  /** Answers the next N requests with `status5xx`, counting down. */
  failNextRequests: number;
  /** Defaults to 503. */
  status5xx: number;
  /** Destroys the socket of every request without answering. */
  dropConnections: boolean;
  /** Reads every request and never answers, keeping the connection open (a Vault stuck behind its load balancer). */
  hang: boolean;
}

export interface VaultStats {
  requests: number;
  /** Successful AppRole and Kubernetes logins. */
  logins: number;
  /** Successful renew-self calls. */
  renewals: number;
  /** Requests per `METHOD route`, e.g. `GET kv-read`, `POST approle-login`. */
  byRoute: Record<string, number>;
  /** Requests whose client closed the connection before the answer was sent (it gave up on them). */
  abandoned: number;
  reset(): void;
}

export interface VaultEmulator {
  /** e.g. http://127.0.0.1:PORT */
  readonly url: string;
  readonly rootToken: string;
  enableKv(mount: string, version: 1 | 2, opts?: InNamespace): void;
  /** Returns the new version (always 1 for KV v1). */
  putSecret(mount: string, path: string, data: Record<string, unknown>, opts?: InNamespace): number;
  /** Soft-deletes one version of a KV v2 secret. */
  deleteSecretVersion(mount: string, path: string, version: number, opts?: InNamespace): void;
  writePolicy(name: string, rules: PolicyRule[], opts?: InNamespace): void;
  createToken(opts: TokenOptions): string;
  /** Mount defaults to `approle`. */
  enableAppRole(mount?: string, opts?: InNamespace): void;
  createAppRole(name: string, opts: AppRoleOptions): { roleId: string; secretId: string };
  /** `publicKeyPem`: the RS256/ES256 SPKI PEM that service-account JWTs are verified with. */
  enableKubernetes(mount: string, opts: { publicKeyPem: string } & InNamespace): void;
  createKubernetesRole(name: string, opts: KubernetesRoleOptions): void;
  readonly faults: VaultFaults;
  readonly stats: VaultStats;
  close(): Promise<void>;
}
