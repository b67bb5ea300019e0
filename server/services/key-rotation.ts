import { and, eq, isNotNull, ne } from 'drizzle-orm';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { embedSigningKeys, secretManagerConnections } from '../db/schema/index.ts';
import { connectionAssociatedData } from './connection-config.ts';
import { embedKeyAssociatedData } from './embed-keys.ts';

export interface RotationResult {
  connections: number;
  embedKeys: number;
}

/**
 * Re-seals every row still under an older key with the newest one, in small batches.
 * Servers keep reading old rows meanwhile (they hold the whole ring), so there is no
 * downtime; an interrupted run is resumed by running it again. Each row is updated
 * only if its key version did not move, so a concurrent edit wins.
 */
export async function rotateKeys(db: Db, keyRing: KeyRing, options: { batchSize?: number } = {}): Promise<RotationResult> {
  const batchSize = options.batchSize ?? 200;
  const current = keyRing.currentVersion;
  const result: RotationResult = { connections: 0, embedKeys: 0 };

  for (;;) {
    const rows = await db
      .select({
        id: secretManagerConnections.id,
        platformId: secretManagerConnections.platformId,
        configCiphertext: secretManagerConnections.configCiphertext,
        keyVersion: secretManagerConnections.keyVersion,
      })
      .from(secretManagerConnections)
      .where(ne(secretManagerConnections.keyVersion, current))
      .limit(batchSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      const aad = connectionAssociatedData(row.platformId, row.id);
      const sealed = keyRing.seal(keyRing.open({ keyVersion: row.keyVersion, ciphertext: row.configCiphertext }, aad), aad);
      const updated = await db
        .update(secretManagerConnections)
        .set({ configCiphertext: sealed.ciphertext, keyVersion: sealed.keyVersion })
        .where(and(eq(secretManagerConnections.id, row.id), eq(secretManagerConnections.keyVersion, row.keyVersion)))
        .returning({ id: secretManagerConnections.id });
      result.connections += updated.length;
    }
  }

  for (;;) {
    const rows = await db
      .select({
        id: embedSigningKeys.id,
        platformId: embedSigningKeys.platformId,
        secretCiphertext: embedSigningKeys.secretCiphertext,
        keyVersion: embedSigningKeys.keyVersion,
      })
      .from(embedSigningKeys)
      .where(and(isNotNull(embedSigningKeys.secretCiphertext), ne(embedSigningKeys.keyVersion, current)))
      .limit(batchSize);
    if (rows.length === 0) break;
    for (const row of rows) {
      const aad = embedKeyAssociatedData(row.platformId, row.id);
      const sealed = keyRing.seal(keyRing.open({ keyVersion: row.keyVersion!, ciphertext: row.secretCiphertext! }, aad), aad);
      const updated = await db
        .update(embedSigningKeys)
        .set({ secretCiphertext: sealed.ciphertext, keyVersion: sealed.keyVersion })
        .where(and(eq(embedSigningKeys.id, row.id), eq(embedSigningKeys.keyVersion, row.keyVersion!)))
        .returning({ id: embedSigningKeys.id });
      result.embedKeys += updated.length;
    }
  }
  return result;
}
