import { inArray } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import type { ProviderId } from '../../shared/providers/index.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { connectionProjects, secretManagerConnections } from '../db/schema/index.ts';
import type { ProviderConfig } from '../providers/registry.ts';
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
  /** Decrypted on first use only: most resolutions are cache hits and never need it. */
  config(): ProviderConfig;
}

/** Connections kept in memory at most: enough for every connection a busy platform resolves from. */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * Connections as resolution sees them, kept in process for a few seconds so a cached
 * resolve costs no database round trip. Edits through this instance drop the entry at
 * once; edits through another instance are seen within `ttlMs`. Bounded: the least
 * recently used go first, and an id that names no connection is not remembered at all,
 * so random ids cannot grow it.
 */
export class ConnectionDirectory {
  private readonly entries: LRUCache<string, ConnectionHandle>;

  constructor(
    private readonly db: Db,
    private readonly keyRing: KeyRing,
    ttlMs: number,
    maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    this.entries = new LRUCache({ max: maxEntries, ttl: ttlMs });
  }

  /** How many connections are held: never more than the bound. */
  get size(): number {
    return this.entries.size;
  }

  /** The platform's connections among `ids` (missing ones are absent from the map). */
  async lookup(platformId: string, ids: readonly string[]): Promise<Map<string, ConnectionHandle>> {
    const found = new Map<string, ConnectionHandle>();
    const unknown: string[] = [];
    for (const id of new Set(ids)) {
      const handle = this.entries.get(id);
      if (handle === undefined) unknown.push(id);
      else if (handle.platformId === platformId) found.set(id, handle);
    }
    if (unknown.length > 0) {
      for (const handle of await this.load(unknown)) {
        if (handle.platformId === platformId) found.set(handle.id, handle);
      }
    }
    return found;
  }

  private async load(ids: string[]): Promise<ConnectionHandle[]> {
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
        config: () => (config ??= openConfig(this.keyRing, row)),
      };
      this.entries.set(row.id, handle);
      return handle;
    });
  }

  invalidate(connectionId?: string): void {
    if (connectionId === undefined) this.entries.clear();
    else this.entries.delete(connectionId);
  }
}
