import type { ProviderInfo } from '../../shared/providers/index.ts';
import type { SecretManagersClient } from '../client.ts';

const loaded = new WeakMap<SecretManagersClient, Promise<ProviderInfo[]>>();

/** `providers.list` never changes while a server runs: one request per client, shared by every element. */
export function providersOf(client: SecretManagersClient): Promise<ProviderInfo[]> {
  let providers = loaded.get(client);
  if (!providers) {
    providers = client.providers.list.query();
    providers.catch(() => loaded.delete(client));
    loaded.set(client, providers);
  }
  return providers;
}
