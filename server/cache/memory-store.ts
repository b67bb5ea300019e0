import type { CacheStore, EntryAddress, Generations, StoreRead } from './store.ts';

/**
 * The embedded default (no REDIS_URL): the same contract in one process, bounded by
 * entry count with least-recently-used eviction.
 */
export class MemoryStore implements CacheStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly platformGens = new Map<string, number>();
  private readonly connectionGens = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async ready(): Promise<boolean> {
    return true;
  }

  private generations(a: EntryAddress): Generations {
    return `${this.platformGens.get(a.platformId) ?? 0}:${this.connectionGens.get(`${a.platformId}/${a.connectionId}`) ?? 0}`;
  }

  private lookup(a: EntryAddress, generations: Generations): string | undefined {
    const id = `${a.platformId}/${a.connectionId}/${generations}/${a.key}`;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(id, entry); // most recently used goes last
    return entry.value;
  }

  async get(a: EntryAddress): Promise<StoreRead> {
    const generations = this.generations(a);
    return { value: this.lookup(a, generations), generations };
  }

  async getMany(addresses: EntryAddress[]): Promise<(string | undefined)[]> {
    return addresses.map((a) => this.lookup(a, this.generations(a)));
  }

  async set(a: EntryAddress, generations: Generations, value: string, ttlSeconds: number): Promise<void> {
    const id = `${a.platformId}/${a.connectionId}/${generations}/${a.key}`;
    this.entries.delete(id);
    this.entries.set(id, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  async clearConnection(platformId: string, connectionId: string): Promise<void> {
    const id = `${platformId}/${connectionId}`;
    this.connectionGens.set(id, (this.connectionGens.get(id) ?? 0) + 1);
  }

  async clearPlatform(platformId: string): Promise<void> {
    this.platformGens.set(platformId, (this.platformGens.get(platformId) ?? 0) + 1);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
