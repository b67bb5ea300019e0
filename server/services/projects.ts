import { and, asc, eq, ne, notExists } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { connectionProjects, projects, secretManagerConnections } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { ProjectDto } from '../../shared/projects.ts';
import { newId } from './ids.ts';

function toDto(row: typeof projects.$inferSelect): ProjectDto {
  return {
    id: row.id,
    name: row.name,
    externalId: row.externalId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function conflict(e: unknown): never {
  if (isUniqueViolation(e)) throw new AppError('CONFLICT', 'A project with this name or external id already exists on this platform.');
  throw e;
}

export async function listProjects(db: Db, platformId: string): Promise<ProjectDto[]> {
  const rows = await db.select().from(projects).where(eq(projects.platformId, platformId)).orderBy(asc(projects.name));
  return rows.map(toDto);
}

export async function createProject(db: Db, platformId: string, input: { name: string; externalId?: string | undefined }): Promise<ProjectDto> {
  const [row] = await db
    .insert(projects)
    .values({ id: newId('prj'), platformId, name: input.name, externalId: input.externalId ?? null })
    .returning()
    .catch(conflict);
  return toDto(row!);
}

export async function updateProject(
  db: Db,
  platformId: string,
  input: { id: string; name?: string | undefined; externalId?: string | null | undefined },
): Promise<ProjectDto> {
  const [row] = await db
    .update(projects)
    .set({
      ...(input.name !== undefined && { name: input.name }),
      ...(input.externalId !== undefined && { externalId: input.externalId }),
      updatedAt: new Date(),
    })
    .where(and(eq(projects.id, input.id), eq(projects.platformId, platformId)))
    .returning()
    .catch(conflict);
  if (!row) throw new AppError('NOT_FOUND', `No project ${input.id}`);
  return toDto(row);
}

/** Project-scoped connections that would be left with no project if `projectId` went away. */
async function connectionsOnlyIn(db: Db, projectId: string): Promise<string[]> {
  const others = db
    .select({ one: connectionProjects.projectId })
    .from(connectionProjects)
    .where(and(eq(connectionProjects.connectionId, secretManagerConnections.id), ne(connectionProjects.projectId, projectId)));
  const rows = await db
    .select({ name: secretManagerConnections.name })
    .from(secretManagerConnections)
    .innerJoin(connectionProjects, eq(connectionProjects.connectionId, secretManagerConnections.id))
    .where(and(eq(connectionProjects.projectId, projectId), eq(secretManagerConnections.scope, 'PROJECT'), notExists(others)));
  return rows.map((r) => r.name);
}

export async function deleteProject(db: Db, platformId: string, id: string): Promise<void> {
  await assertProjectInPlatform(db, platformId, id);
  const stranded = await connectionsOnlyIn(db, id);
  if (stranded.length > 0) {
    throw new AppError(
      'CONFLICT',
      `These connections are scoped to this project only: ${stranded.map((n) => `"${n}"`).join(', ')}. Assign them elsewhere or delete them first.`,
    );
  }
  const rows = await db
    .delete(projects)
    .where(and(eq(projects.id, id), eq(projects.platformId, platformId)))
    .returning({ id: projects.id });
  if (rows.length === 0) throw new AppError('NOT_FOUND', `No project ${id}`);
}

/** Throws 404 unless the project belongs to the platform. */
export async function assertProjectInPlatform(db: Db, platformId: string, projectId: string): Promise<void> {
  const [row] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.platformId, platformId)));
  if (!row) throw new AppError('NOT_FOUND', `No project ${projectId}`);
}
