import { LRUCache } from 'lru-cache';
import type { Generations } from '../invalidation/generations.ts';

/** Entries kept at most: every key and embed key of a busy deployment, and no more. */
const MAX_ENTRIES = 10_000;

interface Entry {
  value: unknown;
  /** The `auth` generation read before the database was. */
  generation: string;
}

/**
 * What authentication read from the database — an API key's principal by its token's hash,
 * an embed key's verification key, a project an embed token names — kept in process for at
 * most `ttlSeconds` and only while the `auth` generation is the one it was read under (see
 * Generations). Nothing is kept for what was not found, so unknown tokens cannot grow it.
 */
export class AuthCache {
  private readonly entries: LRUCache<string, Entry> | undefined;

  constructor(
    private readonly generations: Generations,
    ttlSeconds: number,
  ) {
    // 0 turns it off: every request reads the database.
    this.entries = ttlSeconds > 0 ? new LRUCache({ max: MAX_ENTRIES, ttl: ttlSeconds * 1000 }) : undefined;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** One request's reads: which generations what it used was read under. */
  session(): AuthSession {
    return new AuthSession(this.entries, this.generations);
  }
}

export class AuthSession {
  private readonly used = new Set<string>();

  constructor(
    private readonly entries: LRUCache<string, Entry> | undefined,
    private readonly generations: Generations,
  ) {}

  /** The kept value of `key`, or `load()`'s (kept when the generation is known). `load` throws for what is not found. */
  async remembered<T>(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries?.get(key);
    // Kept under an older generation than the last one read: read again now rather than find out later.
    if (entry && entry.generation === this.generations.current('auth')) {
      this.used.add(entry.generation);
      return entry.value as T;
    }
    const generation = this.generations.current('auth');
    const value = await load();
    if (generation !== undefined) this.entries?.set(key, { value, generation });
    return value;
  }

  /**
   * After the request read the generations: whether anything it used was read under an
   * older one. Then everything kept under older ones is dropped, and the caller
   * authenticates again.
   */
  usedStale(): boolean {
    const current = this.generations.current('auth');
    if ([...this.used].every((g) => g === current)) return false;
    if (this.entries) for (const [key, entry] of this.entries.entries()) if (entry.generation !== current) this.entries.delete(key);
    this.used.clear();
    return true;
  }
}
