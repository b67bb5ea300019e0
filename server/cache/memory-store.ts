import type { CacheStore, EntryAddress, StoreRead } from './store.ts';

/**
 * The embedded default (no REDIS_URL): the same contract in one process, bounded by
 * entry count with least-recently-used eviction. Entries carry their generation in
 * their key, so a clear is one counter bump and old entries age out of the LRU.
 */
export class MemoryStore implements CacheStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async ready(): Promise<boolean> {
    return true;
  }

  private generationOf(a: { platformId: string; connectionId: string }): string {
    return String(this.generations.get(`${a.platformId}/${a.connectionId}`) ?? 0);
  }

  private lookup(a: EntryAddress, generation: string): string | undefined {
    const id = `${a.platformId}/${a.connectionId}/${generation}/${a.key}`;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(id, entry); // most recently used goes last
    return entry.value;
  }

  async get(a: EntryAddress): Promise<StoreRead> {
    const generation = this.generationOf(a);
    return { value: this.lookup(a, generation), generation };
  }

  async getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]> {
    return addresses.map((a) => this.lookup(a, this.generationOf(a)));
  }

  async set(a: EntryAddress, generation: string, value: string, ttlSeconds: number): Promise<void> {
    if (generation !== this.generationOf(a)) return;
    const id = `${a.platformId}/${a.connectionId}/${generation}/${a.key}`;
    this.entries.delete(id);
    this.entries.set(id, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async clearConnections(platformId: string, connectionIds: readonly string[]): Promise<void> {
    for (const connectionId of connectionIds) {
      const key = `${platformId}/${connectionId}`;
      this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    }
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
