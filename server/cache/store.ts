/**
 * The raw storage under the secret cache: opaque (already sealed) strings, addressed by
 * platform, connection and entry key. Each connection has a generation; a clear bumps
 * it — one O(1) write whatever the connection holds — and entries written under an
 * older generation read as missing. A value is written with the generation of the read
 * that missed, so a value loaded before a clear is never served after it.
 */
export interface EntryAddress {
  platformId: string;
  connectionId: string;
  /** Hashed entry key within the connection (version stamp + kind + path). */
  key: string;
}

export interface StoreRead {
  value: string | undefined;
  /** The connection's generation at the time of the read, for a following `set`. */
  generation: string;
}

export interface CacheStore {
  /** Resolves once the store can answer, or after `timeoutMs` (the cache then starts in fail-open mode). */
  ready(timeoutMs: number): Promise<boolean>;
  /** The hot read: one round trip, one plain command. */
  get(address: EntryAddress): Promise<StoreRead>;
  getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]>;
  /** Writes under `generation` (from the read that missed); if a clear came since, the entry is never read. */
  set(address: EntryAddress, generation: string, value: string, ttlSeconds: number): Promise<void>;
  /** Clears each connection with one generation bump: no scan, no per-entry work. */
  clearConnections(platformId: string, connectionIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
