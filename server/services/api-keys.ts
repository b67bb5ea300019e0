import { and, asc, count, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiKeys, platforms, projects } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { generateApiKeyToken, hashApiKeyToken } from '../auth/api-key-token.ts';
import { newId } from './ids.ts';

export type ApiKeyRole = 'admin' | 'engine';

/** An API key as clients see it: never its token or hash. */
export interface ApiKeyDto {
  id: string;
  name: string;
  role: ApiKeyRole;
  /** Engine keys bound to a project; null = the whole platform. */
  projectId: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeyDto {
  /** Shown once; only its hash is stored. */
  token: string;
}

const columns = {
  id: apiKeys.id,
  name: apiKeys.name,
  role: apiKeys.role,
  projectId: apiKeys.projectId,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
};

function toDto(row: { id: string; name: string; role: ApiKeyRole; projectId: string | null; createdAt: Date; revokedAt: Date | null }): ApiKeyDto {
  return { ...row, createdAt: row.createdAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null };
}

export async function createApiKey(
  db: Db,
  input: { platformId: string; role: ApiKeyRole; projectId?: string | null | undefined; name?: string | undefined; token?: string },
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
  const [row] = await db
    .insert(apiKeys)
    .values({
      id: newId('key'),
      platformId: input.platformId,
      name: input.name ?? `${input.role} key`,
      role: input.role,
      projectId: input.projectId ?? null,
      tokenHash: hashApiKeyToken(token),
    })
    .returning(columns);
  return { ...toDto(row!), token };
}

/** The platform's keys, active ones first. */
export async function listApiKeys(db: Db, platformId: string): Promise<ApiKeyDto[]> {
  const rows = await db
    .select(columns)
    .from(apiKeys)
    .where(eq(apiKeys.platformId, platformId))
    .orderBy(asc(apiKeys.revokedAt), desc(apiKeys.createdAt));
  return rows.map(toDto);
}

/**
 * Revokes an active key. The caller then bumps the `auth` generation, so every instance
 * refuses the key from its next request on (Generations). Over the API, the platform's last
 * active admin key is kept (409): revoking it would lock every admin out; an operator can
 * still revoke it with the CLI (`platformId` undefined).
 */
export async function revokeApiKey(db: Db, id: string, platformId?: string): Promise<{ platformId: string; name: string; role: ApiKeyRole }> {
  return db.transaction(async (tx) => {
    const [key] = await tx
      .select({ platformId: apiKeys.platformId, name: apiKeys.name, role: apiKeys.role })
      .from(apiKeys)
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt), platformId === undefined ? undefined : eq(apiKeys.platformId, platformId)))
      .for('update');
    if (!key) throw new AppError('NOT_FOUND', `No active API key ${id}`);
    if (platformId !== undefined && key.role === 'admin') {
      // Locks the platform row so two revocations of its last two admin keys cannot both pass.
      await tx.select({ id: platforms.id }).from(platforms).where(eq(platforms.id, platformId)).for('update');
      const [admins] = await tx
        .select({ n: count() })
        .from(apiKeys)
        .where(and(eq(apiKeys.platformId, platformId), eq(apiKeys.role, 'admin'), isNull(apiKeys.revokedAt)));
      if (admins!.n <= 1) throw new AppError('CONFLICT', 'This is the platform\'s last active admin key; create another admin key before revoking it.');
    }
    await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
    return key;
  });
}
