import type { Logger } from 'pino';
import type { SecretPath } from '../../shared/secret-path.ts';
import type { EgressGuard } from './egress/egress-guard.ts';

/** What the operator allows tenants' connections to do (a multi-tenant service must not lend its identity). */
export interface ProviderPolicy {
  /** SM_ALLOW_AMBIENT_CREDENTIALS: use the server's own cloud identity (env, instance role, managed identity). */
  allowAmbientCredentials: boolean;
  /** SM_ALLOW_CUSTOM_PROVIDER_HOSTS: provider endpoints outside the official clouds (emulators, private endpoints). */
  allowCustomHosts: boolean;
}

export interface ProviderContext {
  /** Budget for one provider request, including retries. */
  timeoutMs: number;
  logger: Logger;
  policy: ProviderPolicy;
  /** Every request to the provider connects through it (egress/egress-guard.ts). */
  egress: EgressGuard;
}

/** A config field the operator's policy refuses; reported as a 400 on `config.<field>`. */
export interface PolicyViolation {
  field: string;
  message: string;
}

export interface SecretValue {
  /** The value after the `#key` selection (whole JSON text when no key was asked). */
  value: string;
  /** The concrete version read, when the provider has versions. */
  version?: string;
  /** Top-level key names when the secret is a JSON object / KV map. */
  keys?: string[];
}

export interface ListOptions {
  prefix?: string;
  pageToken?: string;
  pageSize?: number;
}

export interface ListPage {
  /** Secret names (or folders ending in `/`) usable as paths. */
  names: string[];
  nextPageToken?: string;
}

export interface CheckInfo {
  /** Non-secret facts about the identity the connection uses (e.g. policies). */
  identity?: string;
  details?: Record<string, string | number | boolean | string[]>;
}

/**
 * A live connection to one provider: keeps its auth (renewing tokens instead of
 * logging in per read). Every method throws only SecretManagerError, or, once the
 * caller's `signal` aborts, that signal's reason: the call then stops at once and its
 * request to the provider is aborted (work shared with other callers, such as a login,
 * goes on for them).
 */
export interface ProviderClient {
  check(signal?: AbortSignal): Promise<CheckInfo>;
  read(path: SecretPath, signal?: AbortSignal): Promise<SecretValue>;
  list(options: ListOptions, signal?: AbortSignal): Promise<ListPage>;
  close(): Promise<void>;
}

export interface ProviderAdapter<Config> {
  connect(config: Config, context: ProviderContext): ProviderClient;
  /** Checks a validated config against the operator's policy before anything is sent. */
  checkPolicy?(config: Config, policy: ProviderPolicy): PolicyViolation | undefined;
}
