import { and, eq, isNotNull, ne } from 'drizzle-orm';
import type { KeyRing, Sealed } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { embedSigningKeys, secretManagerConnections } from '../db/schema/index.ts';
import { connectionAssociatedData } from './connection-config.ts';
import { embedKeyAssociatedData } from './embed-keys.ts';

export interface RotationResult {
  connections: number;
  embedKeys: number;
}

interface SealedRow extends Sealed {
  id: string;
  associatedData: string;
}

/** A table holding sealed values: how to find rows under an old key, and how to re-seal one. */
interface SealedTable {
  staleRows(db: Db, current: number, limit: number): Promise<SealedRow[]>;
  /** Writes only if the row is still under `from`; true when it did. */
  replace(db: Db, id: string, from: number, to: Sealed): Promise<boolean>;
}

const connections: SealedTable = {
  async staleRows(db, current, limit) {
    const rows = await db
      .select({
        id: secretManagerConnections.id,
        platformId: secretManagerConnections.platformId,
        ciphertext: secretManagerConnections.configCiphertext,
        keyVersion: secretManagerConnections.keyVersion,
      })
      .from(secretManagerConnections)
      .where(ne(secretManagerConnections.keyVersion, current))
      .limit(limit);
    return rows.map((r) => ({ ...r, associatedData: connectionAssociatedData(r.platformId, r.id) }));
  },
  async replace(db, id, from, to) {
    const updated = await db
      .update(secretManagerConnections)
      .set({ configCiphertext: to.ciphertext, keyVersion: to.keyVersion })
      .where(and(eq(secretManagerConnections.id, id), eq(secretManagerConnections.keyVersion, from)))
      .returning({ id: secretManagerConnections.id });
    return updated.length > 0;
  },
};

const embedKeys: SealedTable = {
  async staleRows(db, current, limit) {
    const rows = await db
      .select({
        id: embedSigningKeys.id,
        platformId: embedSigningKeys.platformId,
        ciphertext: embedSigningKeys.secretCiphertext,
        keyVersion: embedSigningKeys.keyVersion,
      })
      .from(embedSigningKeys)
      .where(and(isNotNull(embedSigningKeys.secretCiphertext), ne(embedSigningKeys.keyVersion, current)))
      .limit(limit);
    return rows.map((r) => ({ id: r.id, ciphertext: r.ciphertext!, keyVersion: r.keyVersion!, associatedData: embedKeyAssociatedData(r.platformId, r.id) }));
  },
  async replace(db, id, from, to) {
    const updated = await db
      .update(embedSigningKeys)
      .set({ secretCiphertext: to.ciphertext, keyVersion: to.keyVersion })
      .where(and(eq(embedSigningKeys.id, id), eq(embedSigningKeys.keyVersion, from)))
      .returning({ id: embedSigningKeys.id });
    return updated.length > 0;
  },
};

async function rotateTable(db: Db, keyRing: KeyRing, table: SealedTable, batchSize: number): Promise<number> {
  let count = 0;
  for (;;) {
    const rows = await table.staleRows(db, keyRing.currentVersion, batchSize);
    if (rows.length === 0) return count;
    for (const row of rows) {
      const resealed = keyRing.seal(keyRing.open(row, row.associatedData), row.associatedData);
      if (await table.replace(db, row.id, row.keyVersion, resealed)) count++;
    }
  }
}

/**
 * Re-seals every row still under an older key with the newest one, in small batches.
 * Servers keep reading old rows meanwhile (they hold the whole ring), so there is no
 * downtime; an interrupted run is resumed by running it again. Each row is updated
 * only if its key version did not move, so a concurrent edit wins.
 */
export async function rotateKeys(db: Db, keyRing: KeyRing, options: { batchSize?: number } = {}): Promise<RotationResult> {
  const batchSize = options.batchSize ?? 200;
  return {
    connections: await rotateTable(db, keyRing, connections, batchSize),
    embedKeys: await rotateTable(db, keyRing, embedKeys, batchSize),
  };
}
