import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiKeys, platforms, projects } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { generateApiKeyToken, hashApiKeyToken } from '../auth/api-key-token.ts';
import { newId } from './ids.ts';

export async function createPlatform(db: Db, name: string): Promise<{ id: string; name: string }> {
  const [row] = await db.insert(platforms).values({ id: newId('plt'), name }).returning({ id: platforms.id, name: platforms.name });
  return row!;
}

export interface CreatedApiKey {
  id: string;
  /** Shown once; only its hash is stored. */
  token: string;
}

export async function createApiKey(
  db: Db,
  input: { platformId: string; role: 'admin' | 'engine'; projectId?: string | null; name?: string; token?: string },
): Promise<CreatedApiKey> {
  const [platform] = await db.select({ id: platforms.id }).from(platforms).where(eq(platforms.id, input.platformId));
  if (!platform) throw new AppError('NOT_FOUND', `No platform ${input.platformId}`);
  if (input.projectId) {
    if (input.role !== 'engine') throw new AppError('BAD_REQUEST', 'Only engine keys are bound to a project');
    const [project] = await db.select({ platformId: projects.platformId }).from(projects).where(eq(projects.id, input.projectId));
    if (!project || project.platformId !== input.platformId) {
      throw new AppError('BAD_REQUEST', `Project ${input.projectId} is not a project of platform ${input.platformId}`);
    }
  }
  const token = input.token ?? generateApiKeyToken();
  const id = newId('key');
  await db.insert(apiKeys).values({
    id,
    platformId: input.platformId,
    name: input.name ?? `${input.role} key`,
    role: input.role,
    projectId: input.projectId ?? null,
    tokenHash: hashApiKeyToken(token),
  });
  return { id, token };
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
