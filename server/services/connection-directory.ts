import { inArray } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { ProviderId } from '../../shared/providers/index.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { connectionProjects, secretManagerConnections } from '../db/schema/index.ts';
import type { ProviderConfig } from '../providers/registry.ts';
import { platformScope, type Generations } from '../invalidation/generations.ts';
import { openConfig } from './connection-config.ts';

/** What resolution needs to know of a connection. */
export interface ConnectionHandle {
  id: string;
  platformId: string;
  name: string;
  provider: ProviderId;
  scope: 'PLATFORM' | 'PROJECT';
  projectIds: ReadonlySet<string>;
  updatedAt: Date;
  /** The platform's generation it was read under (see Generations). */
  generation: string | undefined;
  /** Decrypted on first use only: most resolutions are cache hits and never need it. */
  config(): ProviderConfig;
}

/** Connections kept in memory at most: enough for every connection a busy platform resolves from. */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Connections as resolution sees them, kept in process so a warm resolve costs no database
 * round trip. An entry is used only while its platform's generation is the one it was
 * read under: an edit, a re-scoping, a deletion (of the connection or of a project) bumps
 * it, so from the moment the change is answered no instance uses the old entry (each
 * request reads the generations first; see Generations). `ttlMs` bounds how long an entry
 * lives when no generation can say so (another process without Redis). Bounded: the least
 * recently used go first, and an id that names no connection is not remembered at all,
 * so random ids cannot grow it.
 */
export class ConnectionDirectory {
  private readonly entries: LRUCache<string, ConnectionHandle>;

  constructor(
    private readonly db: Db,
    private readonly keyRing: KeyRing,
    private readonly generations: Generations,
    private readonly ttlMs: number,
    maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    // lru-cache reads a TTL of 0 as "forever"; here 0 means "keep nothing".
    this.entries = new LRUCache({ max: maxEntries, ttl: Math.max(ttlMs, 1) });
  }

  /** How many connections are held: never more than the bound. */
  get size(): number {
    return this.entries.size;
  }

  /** The platform's connections among `ids` (missing ones are absent from the map). */
  async lookup(platformId: string, ids: readonly string[]): Promise<Map<string, ConnectionHandle>> {
    const found = new Map<string, ConnectionHandle>();
    const unknown: string[] = [];
    const generation = this.generations.current(platformScope(platformId));
    for (const id of new Set(ids)) {
      const handle = this.entries.get(id);
      if (handle === undefined || handle.platformId !== platformId || handle.generation !== generation) unknown.push(id);
      else found.set(id, handle);
    }
    if (unknown.length > 0) {
      for (const handle of await this.load(unknown, generation, platformId)) {
        if (handle.platformId === platformId) found.set(handle.id, handle);
      }
    }
    return found;
  }

  /** `generation`: the platform's, read before the database is; unknown = nothing is kept. */
  private async load(ids: string[], generation: string | undefined, platformId: string): Promise<ConnectionHandle[]> {
    const rows = await this.db.select().from(secretManagerConnections).where(inArray(secretManagerConnections.id, ids));
    const assignments = rows.length
      ? await this.db
          .select()
          .from(connectionProjects)
          .where(inArray(connectionProjects.connectionId, rows.map((r) => r.id)))
      : [];
    return rows.map((row) => {
      let config: ProviderConfig | undefined;
      const handle: ConnectionHandle = {
        id: row.id,
        platformId: row.platformId,
        name: row.name,
        provider: row.provider as ProviderId,
        scope: row.scope,
        projectIds: new Set(assignments.filter((a) => a.connectionId === row.id).map((a) => a.projectId)),
        updatedAt: row.updatedAt,
        generation,
        config: () => (config ??= openConfig(this.keyRing, row)),
      };
      // Another platform's connection is not this call's, nor kept under this platform's generation.
      if (this.ttlMs > 0 && generation !== undefined && row.platformId === platformId) this.entries.set(row.id, handle);
      return handle;
    });
  }

  invalidate(connectionId?: string): void {
    if (connectionId === undefined) this.entries.clear();
    else this.entries.delete(connectionId);
  }
}
