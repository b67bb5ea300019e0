import type { Logger } from 'pino';
import type { SecretPath } from '../../shared/secret-path.ts';

export interface ProviderContext {
  /** Budget for one provider request, including retries. */
  timeoutMs: number;
  logger: Logger;
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
 * logging in per read). Every method throws only SecretManagerError.
 */
export interface ProviderClient {
  check(): Promise<CheckInfo>;
  read(path: SecretPath): Promise<SecretValue>;
  list(options: ListOptions): Promise<ListPage>;
  close(): Promise<void>;
}

export interface ProviderAdapter<Config> {
  connect(config: Config, context: ProviderContext): ProviderClient;
}
