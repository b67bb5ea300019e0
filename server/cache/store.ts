/**
 * The raw storage under the secret cache: opaque (already sealed) strings, addressed by
 * platform, connection and entry key. Each connection has a generation; clearing bumps
 * it and drops the connection's entries in O(1), whatever they hold, and a write made
 * under an older generation is refused, so a value loaded before a clear never lands
 * after it.
 */
export interface EntryAddress {
  platformId: string;
  connectionId: string;
  /** Hashed entry key within the connection (version stamp + kind + path). */
  key: string;
}

export interface CacheStore {
  /** Resolves once the store can answer, or after `timeoutMs` (the cache then starts in fail-open mode). */
  ready(timeoutMs: number): Promise<boolean>;
  /** The hot read: one round trip, one plain command. */
  get(address: EntryAddress): Promise<string | undefined>;
  getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]>;
  /** The connection's current generation, read before loading a missed value. */
  generation(platformId: string, connectionId: string): Promise<string>;
  /** Writes unless the connection was cleared since `generation` was read. */
  set(address: EntryAddress, generation: string, value: string, ttlSeconds: number): Promise<void>;
  /** Clears each connection: one generation bump and one unlink each, never a scan. */
  clearConnections(platformId: string, connectionIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
