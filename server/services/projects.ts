import { and, asc, eq, ne, notExists } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { isStrandedConnection, isUniqueViolation } from '../db/errors.ts';
import { connectionProjects, projects, secretManagerConnections } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { ProjectDto } from '../../shared/projects.ts';
import { newId } from './ids.ts';
import { lockProjectToDelete } from './write-locks.ts';

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

/** The platform's projects; `only` (a project admin's own project) narrows them to that one. */
export async function listProjects(db: Db, platformId: string, only?: string): Promise<ProjectDto[]> {
  const rows = await db
    .select()
    .from(projects)
    .where(and(eq(projects.platformId, platformId), only === undefined ? undefined : eq(projects.id, only)))
    .orderBy(asc(projects.name));
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

/** Names of the project-scoped connections that would be left with no project if `projectId` went away. */
async function connectionsOnlyIn(db: Db, projectId: string): Promise<string[]> {
  const others = db
    .select({ one: connectionProjects.projectId })
    .from(connectionProjects)
    .where(and(eq(connectionProjects.connectionId, secretManagerConnections.id), ne(connectionProjects.projectId, projectId)));
  const rows = await db
    .select({ name: secretManagerConnections.name })
    .from(secretManagerConnections)
    .innerJoin(connectionProjects, eq(connectionProjects.connectionId, secretManagerConnections.id))
    .where(and(eq(connectionProjects.projectId, projectId), eq(secretManagerConnections.scope, 'PROJECT'), notExists(others)))
    .orderBy(asc(secretManagerConnections.name));
  return rows.map((r) => r.name);
}

function stranded(names: string[]): AppError {
  return new AppError(
    'CONFLICT',
    `These connections are scoped to this project only: ${names.map((n) => `"${n}"`).join(', ')}. Assign them elsewhere or delete them first.`,
  );
}

/**
 * Deletes a project, unless it is the last project of a project-scoped connection (409
 * naming them). The check runs under the locks of write-locks.ts, so it holds while
 * connections are edited concurrently; the database trigger of drizzle/0002 backs it up.
 */
export async function deleteProject(db: Db, platformId: string, id: string): Promise<void> {
  try {
    await db.transaction(async (tx) => {
      await lockProjectToDelete(tx, platformId, id);
      const names = await connectionsOnlyIn(tx as unknown as Db, id);
      if (names.length > 0) throw stranded(names);
      await tx.delete(projects).where(eq(projects.id, id));
    });
  } catch (e) {
    if (!isStrandedConnection(e)) throw e;
    // Another transaction changed a connection in a way the locks above did not foresee; say which.
    const names = await connectionsOnlyIn(db, id);
    throw names.length > 0 ? stranded(names) : new AppError('CONFLICT', 'A connection of this project changed meanwhile; try again.');
  }
}

/** Throws 404 unless the project belongs to the platform. */
export async function assertProjectInPlatform(db: Db, platformId: string, projectId: string): Promise<void> {
  const [row] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.platformId, platformId)));
  if (!row) throw new AppError('NOT_FOUND', `No project ${projectId}`);
}
