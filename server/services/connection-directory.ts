import { inArray } from 'drizzle-orm';
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

/**
 * Connections as resolution sees them, kept in process for a few seconds so a cached
 * resolve costs no database round trip. Edits through this instance drop the entry at
 * once; edits through another instance are seen within `ttlMs`.
 */
export class ConnectionDirectory {
  private readonly entries = new Map<string, { handle: ConnectionHandle | null; fetchedAt: number }>();

  constructor(
    private readonly db: Db,
    private readonly keyRing: KeyRing,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The platform's connections among `ids` (missing ones are absent from the map). */
  async lookup(platformId: string, ids: readonly string[]): Promise<Map<string, ConnectionHandle>> {
    const found = new Map<string, ConnectionHandle>();
    const stale: string[] = [];
    for (const id of new Set(ids)) {
      const entry = this.entries.get(id);
      if (entry && this.now() - entry.fetchedAt < this.ttlMs) {
        if (entry.handle?.platformId === platformId) found.set(id, entry.handle);
      } else stale.push(id);
    }
    if (stale.length > 0) {
      for (const handle of await this.load(stale)) {
        if (handle.platformId === platformId) found.set(handle.id, handle);
      }
    }
    return found;
  }

  private async load(ids: string[]): Promise<ConnectionHandle[]> {
    const fetchedAt = this.now();
    const rows = await this.db.select().from(secretManagerConnections).where(inArray(secretManagerConnections.id, ids));
    const assignments = rows.length
      ? await this.db
          .select()
          .from(connectionProjects)
          .where(inArray(connectionProjects.connectionId, rows.map((r) => r.id)))
      : [];
    for (const id of ids) this.entries.set(id, { handle: null, fetchedAt });
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
      this.entries.set(row.id, { handle, fetchedAt });
      return handle;
    });
  }

  invalidate(connectionId?: string): void {
    if (connectionId === undefined) this.entries.clear();
    else this.entries.delete(connectionId);
  }
}
