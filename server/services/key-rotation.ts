import { and, asc, eq, gt, isNotNull, ne } from 'drizzle-orm';
import { KeyRingError, type KeyRing, type Sealed } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { embedSigningKeys, secretManagerConnections } from '../db/schema/index.ts';
import { connectionAssociatedData } from './connection-config.ts';
import { embedKeyAssociatedData } from './embed-keys.ts';

export interface RotationResult {
  connections: number;
  embedKeys: number;
  /** Ids of rows left under their old key because they do not open (key not in the ring, or damaged). */
  skipped: string[];
}

interface SealedRow extends Sealed {
  id: string;
  associatedData: string;
}

/** A table holding sealed values: how to find rows under an old key, and how to re-seal one. */
interface SealedTable {
  /** Rows not under `current`, by id, after `afterId`. */
  staleRows(db: Db, current: number, afterId: string, limit: number): Promise<SealedRow[]>;
  /** Writes only if the row is still under `from`; true when it did. */
  replace(db: Db, id: string, from: number, to: Sealed): Promise<boolean>;
}

const connections: SealedTable = {
  async staleRows(db, current, afterId, limit) {
    const rows = await db
      .select({
        id: secretManagerConnections.id,
        platformId: secretManagerConnections.platformId,
        ciphertext: secretManagerConnections.configCiphertext,
        keyVersion: secretManagerConnections.keyVersion,
      })
      .from(secretManagerConnections)
      .where(and(ne(secretManagerConnections.keyVersion, current), gt(secretManagerConnections.id, afterId)))
      .orderBy(asc(secretManagerConnections.id))
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
  async staleRows(db, current, afterId, limit) {
    const rows = await db
      .select({
        id: embedSigningKeys.id,
        platformId: embedSigningKeys.platformId,
        ciphertext: embedSigningKeys.secretCiphertext,
        keyVersion: embedSigningKeys.keyVersion,
      })
      .from(embedSigningKeys)
      .where(and(isNotNull(embedSigningKeys.secretCiphertext), ne(embedSigningKeys.keyVersion, current), gt(embedSigningKeys.id, afterId)))
      .orderBy(asc(embedSigningKeys.id))
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

async function rotateTable(db: Db, keyRing: KeyRing, table: SealedTable, batchSize: number): Promise<{ count: number; skipped: string[] }> {
  let count = 0;
  const skipped: string[] = [];
  // Walks the ids forward, so a row that does not open is passed once, not fetched again and again.
  for (let afterId = ''; ; ) {
    const rows = await table.staleRows(db, keyRing.currentVersion, afterId, batchSize);
    if (rows.length === 0) return { count, skipped };
    for (const row of rows) {
      let plaintext: string;
      try {
        plaintext = keyRing.open(row, row.associatedData);
      } catch (e) {
        if (!(e instanceof KeyRingError)) throw e;
        skipped.push(row.id);
        continue;
      }
      if (await table.replace(db, row.id, row.keyVersion, keyRing.seal(plaintext, row.associatedData))) count++;
    }
    afterId = rows.at(-1)!.id;
  }
}

/**
 * Re-seals every row still under an older key with the newest one, in small batches.
 * Servers keep reading old rows meanwhile (they hold the whole ring), so there is no
 * downtime; an interrupted run is resumed by running it again. Each row is updated
 * only if its key version did not move, so a concurrent edit wins. A row that does not
 * open (its key is not in the ring, or it is damaged) is left as it is and reported:
 * one broken row does not stop the others from moving to the new key.
 */
export async function rotateKeys(db: Db, keyRing: KeyRing, options: { batchSize?: number } = {}): Promise<RotationResult> {
  const batchSize = options.batchSize ?? 200;
  const rotatedConnections = await rotateTable(db, keyRing, connections, batchSize);
  const rotatedEmbedKeys = await rotateTable(db, keyRing, embedKeys, batchSize);
  return {
    connections: rotatedConnections.count,
    embedKeys: rotatedEmbedKeys.count,
    skipped: [...rotatedConnections.skipped, ...rotatedEmbedKeys.skipped],
  };
}
