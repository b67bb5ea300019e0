import { eq } from 'drizzle-orm';
import type { KeyRing } from '../../../server/crypto/keyring.ts';
import type { Database } from '../../../server/db/client.ts';
import { secretManagerConnections } from '../../../server/db/schema/index.ts';
import type { ProviderConfig } from '../../../server/providers/registry.ts';
import { sealConfig } from '../../../server/services/connection-config.ts';

const connections = secretManagerConnections;

/**
 * Re-seals a saved connection's config under `foreignRing`, whose key the server does not
 * hold: the state a row is left in when a key leaves SM_ENCRYPTION_KEYS before
 * `rotate-keys` reached it, or when another instance runs with a newer ring.
 */
export async function sealUnderForeignKey(database: Database, connectionId: string, config: ProviderConfig, foreignRing: KeyRing): Promise<void> {
  const [row] = await database.db.select({ platformId: connections.platformId }).from(connections).where(eq(connections.id, connectionId));
  const sealed = sealConfig(foreignRing, row!.platformId, connectionId, config);
  await database.db.update(connections).set({ configCiphertext: sealed.ciphertext, keyVersion: sealed.keyVersion }).where(eq(connections.id, connectionId));
}

/** Flips one bit in the middle of a saved connection's ciphertext: a damaged or tampered row. */
export async function corruptStoredConfig(database: Database, connectionId: string): Promise<void> {
  const [row] = await database.db.select({ ciphertext: connections.configCiphertext }).from(connections).where(eq(connections.id, connectionId));
  const raw = Buffer.from(row!.ciphertext, 'base64');
  raw[raw.length >> 1]! ^= 0x01;
  await database.db.update(connections).set({ configCiphertext: raw.toString('base64') }).where(eq(connections.id, connectionId));
}
