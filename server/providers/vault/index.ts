/**
 * HashiCorp Vault (KV v1 and v2) through node-vault. One client per connection keeps
 * its token (auth.ts), its knowledge of KV mounts (kv.ts) and maps every failure to the
 * taxonomy (errors.ts). Every public call runs under one budget of `context.timeoutMs`,
 * login, discovery and retries included.
 */
import { parseProviderPath } from '../../../shared/providers/index.ts';
import type { VaultConfig } from '../../../shared/providers/vault.ts';
import type { SecretPath } from '../../../shared/secret-path.ts';
import { SecretManagerError } from '../../errors.ts';
import { Deadline } from '../retry.ts';
import type { CheckInfo, ListOptions, ListPage, ProviderAdapter, ProviderClient, ProviderContext, SecretValue } from '../types.ts';
import { TokenSession } from './auth.ts';
import { createVaultErrorMapper } from './errors.ts';
import { KvStore } from './kv.ts';
import { createVaultTransport, type VaultSend } from './transport.ts';

function credentialsOf(config: VaultConfig): string[] {
  switch (config.authMethod) {
    case 'token':
      return [config.token];
    case 'approle':
      return [config.secretId, config.roleId];
    case 'kubernetes':
      return [config.jwt];
  }
}

class VaultClient implements ProviderClient {
  readonly #budgetMs: number;
  readonly #session: TokenSession;
  readonly #kv: KvStore;
  readonly #send: VaultSend;

  constructor(
    private readonly config: VaultConfig,
    context: ProviderContext,
  ) {
    this.#budgetMs = context.timeoutMs;
    const mapError = createVaultErrorMapper({ url: config.url, budgetMs: this.#budgetMs, credentials: credentialsOf(config) });
    const send = createVaultTransport(config, context.egress);
    this.#send = send;
    const logger = context.logger.child({ provider: 'vault' });
    this.#session = new TokenSession({ config, send, mapError, logger, budgetMs: this.#budgetMs });
    this.#kv = new KvStore({ config, send, mapError });
  }

  /** lookup-self (never node-vault's health(), which takes error statuses for success), then the test path. */
  check(signal?: AbortSignal): Promise<CheckInfo> {
    return this.#run(signal, (deadline) => this.#check(deadline));
  }

  async #check(deadline: Deadline): Promise<CheckInfo> {
    const token = await this.#session.current(deadline);
    const self = await this.#session.lookupSelf(token, deadline);
    const details: NonNullable<CheckInfo['details']> = {
      authMethod: this.config.authMethod,
      policies: self.policies,
      ttlSeconds: self.ttlSeconds,
      renewable: self.renewable,
    };
    if (self.type) details['tokenType'] = self.type;
    if (self.expireTime) details['expireTime'] = self.expireTime;
    if (this.config.namespace) details['namespace'] = this.config.namespace;
    if (this.config.testPath) {
      const parsed = parseProviderPath('vault', this.config.testPath);
      if (!parsed.ok) throw new SecretManagerError('INVALID_PATH', `The test path is not valid: ${parsed.message}`);
      const read = await this.#authorized(deadline, (t) => this.#kv.read(parsed.path, t, deadline));
      details['testPath'] = this.config.testPath;
      if (read.version !== undefined) details['testPathVersion'] = read.version;
    }
    return self.displayName ? { identity: self.displayName, details } : { details };
  }

  read(path: SecretPath, signal?: AbortSignal): Promise<SecretValue> {
    return this.#run(signal, (deadline) => this.#authorized(deadline, (token) => this.#kv.read(path, token, deadline)));
  }

  list(options: ListOptions, signal?: AbortSignal): Promise<ListPage> {
    return this.#run(signal, (deadline) => this.#authorized(deadline, (token) => this.#kv.list(options, token, deadline)));
  }

  /** Stops the renewal timer and drops kept-alive sockets. A token the user provided is theirs: it is not revoked. */
  async close(): Promise<void> {
    this.#session.close();
    this.#send.close();
  }

  /** One operation under one budget; once the caller's signal aborts, it fails with the signal's reason. */
  async #run<T>(signal: AbortSignal | undefined, operation: (deadline: Deadline) => Promise<T>): Promise<T> {
    try {
      return await operation(new Deadline(this.#budgetMs, { signal }));
    } catch (error) {
      signal?.throwIfAborted();
      throw error;
    }
  }

  /** Vault says 403 both for a policy denial and for a token it no longer accepts: tell them apart once. */
  async #authorized<T>(deadline: Deadline, run: (token: string) => Promise<T>): Promise<T> {
    const token = await this.#session.current(deadline);
    try {
      return await run(token);
    } catch (error) {
      if (!(error instanceof SecretManagerError && error.code === 'PERMISSION_DENIED')) throw error;
      const replacement = await this.#session.replaceIfRejected(token, deadline);
      if (replacement === undefined) throw error;
      return run(replacement);
    }
  }
}

export const vaultAdapter: ProviderAdapter<VaultConfig> = {
  connect: (config, context) => new VaultClient(config, context),
};
