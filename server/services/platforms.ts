import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { platforms } from '../db/schema/index.ts';
import { createApiKey } from './api-keys.ts';
import { newId } from './ids.ts';

export async function createPlatform(db: Db, name: string): Promise<{ id: string; name: string }> {
  const [row] = await db.insert(platforms).values({ id: newId('plt'), name }).returning({ id: platforms.id, name: platforms.name });
  return row!;
}

/**
 * SM_BOOTSTRAP_ADMIN_TOKEN: on a database with no platform, create platform `default`
 * and an admin key equal to the token. Does nothing once any platform exists.
 */
export async function bootstrapPlatform(db: Db, adminToken: string): Promise<{ platformId: string } | null> {
  return db.transaction(async (tx) => {
    // Two instances starting at once on an empty database must not both seed.
    await tx.execute(sql`select pg_advisory_xact_lock(7262731002)`);
    const existing = await tx.select({ id: platforms.id }).from(platforms).limit(1);
    if (existing.length > 0) return null;
    const platform = await createPlatform(tx as unknown as Db, 'default');
    await createApiKey(tx as unknown as Db, { platformId: platform.id, role: 'admin', name: 'bootstrap admin key', token: adminToken });
    return { platformId: platform.id };
  });
}
