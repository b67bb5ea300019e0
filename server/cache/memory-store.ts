import type { CacheStore, EntryAddress } from './store.ts';

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

  private currentGeneration(platformId: string, connectionId: string): string {
    return String(this.generations.get(`${platformId}/${connectionId}`) ?? 0);
  }

  private id(a: EntryAddress, generation: string): string {
    return `${a.platformId}/${a.connectionId}/${generation}/${a.key}`;
  }

  private lookup(a: EntryAddress): string | undefined {
    const id = this.id(a, this.currentGeneration(a.platformId, a.connectionId));
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(id, entry); // most recently used goes last
    return entry.value;
  }

  async get(a: EntryAddress): Promise<string | undefined> {
    return this.lookup(a);
  }

  async getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]> {
    return addresses.map((a) => this.lookup(a));
  }

  async generation(platformId: string, connectionId: string): Promise<string> {
    return this.currentGeneration(platformId, connectionId);
  }

  async set(a: EntryAddress, generation: string, value: string, ttlSeconds: number): Promise<void> {
    if (generation !== this.currentGeneration(a.platformId, a.connectionId)) return;
    const id = this.id(a, generation);
    this.entries.delete(id);
    this.entries.set(id, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async clearConnections(platformId: string, connectionIds: readonly string[]): Promise<void> {
    for (const id of connectionIds) {
      const key = `${platformId}/${id}`;
      this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    }
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
