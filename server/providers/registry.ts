import { LRUCache } from 'lru-cache';
import type { ProviderId } from '../../shared/providers/index.ts';
import type { AwsConfig } from '../../shared/providers/aws.ts';
import type { AzureConfig } from '../../shared/providers/azure.ts';
import type { GcpConfig } from '../../shared/providers/gcp.ts';
import type { VaultConfig } from '../../shared/providers/vault.ts';
import { awsAdapter } from './aws/index.ts';
import { azureAdapter } from './azure/index.ts';
import { gcpAdapter } from './gcp/index.ts';
import type { PolicyViolation, ProviderAdapter, ProviderClient, ProviderContext, ProviderPolicy } from './types.ts';
import { vaultAdapter } from './vault/index.ts';

/** A connection's decrypted config with its auth method, as adapters receive it. */
export type ProviderConfig = { authMethod: string } & Record<string, unknown>;

const adapters = {
  vault: vaultAdapter as ProviderAdapter<VaultConfig>,
  aws: awsAdapter as ProviderAdapter<AwsConfig>,
  azure: azureAdapter as ProviderAdapter<AzureConfig>,
  gcp: gcpAdapter as ProviderAdapter<GcpConfig>,
} satisfies Record<ProviderId, ProviderAdapter<never>>;

export function connectProvider(provider: ProviderId, config: ProviderConfig, context: ProviderContext): ProviderClient {
  // The config was validated against this provider's schema for its auth method.
  return (adapters[provider] as ProviderAdapter<ProviderConfig>).connect(config, context);
}

export function policyViolation(provider: ProviderId, config: ProviderConfig, policy: ProviderPolicy): PolicyViolation | undefined {
  return (adapters[provider] as ProviderAdapter<ProviderConfig>).checkPolicy?.(config, policy);
}

/** Live clients kept at most; one evicted is closed, and built again (with a new login) when used again. */
const DEFAULT_MAX_CLIENTS = 1_000;

/**
 * One live client per saved connection, reused across reads so tokens are kept and
 * renewed; rebuilt when the connection changed (its `updatedAt` moved), which also
 * covers edits made through another server instance. Bounded: the least recently used
 * client is closed when the pool is full.
 */
export class ProviderClientPool {
  private readonly clients: LRUCache<string, { stamp: number; client: ProviderClient }>;
  /** Closes under way, of clients replaced, evicted or dropped: `closeAll` waits for them. */
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly context: ProviderContext,
    maxClients = DEFAULT_MAX_CLIENTS,
  ) {
    this.clients = new LRUCache({
      max: maxClients,
      dispose: ({ client }) => {
        const closed: Promise<void> = client.close().finally(() => this.closing.delete(closed));
        this.closing.add(closed);
      },
    });
  }

  /** How many live clients are held: never more than the bound. */
  get size(): number {
    return this.clients.size;
  }

  /** `config` is called only when a client must be built (it decrypts). */
  get(connection: { id: string; updatedAt: Date; provider: ProviderId; config: () => ProviderConfig }): ProviderClient {
    const stamp = connection.updatedAt.getTime();
    const existing = this.clients.get(connection.id);
    if (existing?.stamp === stamp) return existing.client;
    const client = connectProvider(connection.provider, connection.config(), this.context);
    // Replacing an entry closes the client it held.
    this.clients.set(connection.id, { stamp, client });
    return client;
  }

  /** A client for a config that is not saved (tests of unsaved forms); the caller closes it. */
  connectUnsaved(provider: ProviderId, config: ProviderConfig): ProviderClient {
    return connectProvider(provider, config, this.context);
  }

  evict(connectionId: string): void {
    this.clients.delete(connectionId);
  }

  async closeAll(): Promise<void> {
    this.clients.clear();
    await Promise.allSettled([...this.closing]);
  }
}
