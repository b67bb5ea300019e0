/**
 * The raw storage under the secret cache: opaque (already sealed) strings, addressed by
 * platform, connection and entry key, with generation counters so that clearing a
 * connection or a whole platform is one O(1) write, whatever it holds.
 */
export interface EntryAddress {
  platformId: string;
  connectionId: string;
  /** Hashed entry key within the connection (kind + path). */
  key: string;
}

/** The generations an entry was read under; a write with them lands where that read looked. */
export type Generations = string;

export interface StoreRead {
  value: string | undefined;
  generations: Generations;
}

export interface CacheStore {
  /** Resolves once the store can answer, or after `timeoutMs` (the cache then starts in fail-open mode). */
  ready(timeoutMs: number): Promise<boolean>;
  /** One round trip: the generations and the entry under them. */
  get(address: EntryAddress): Promise<StoreRead>;
  getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]>;
  /** Writes under the generations of an earlier read, so a clear in between wins. */
  set(address: EntryAddress, generations: Generations, value: string, ttlSeconds: number): Promise<void>;
  clearConnection(platformId: string, connectionId: string): Promise<void>;
  clearPlatform(platformId: string): Promise<void>;
  close(): Promise<void>;
}
