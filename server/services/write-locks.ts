import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { connectionProjects, projects, secretManagerConnections } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';

/**
 * The row locks that keep a PROJECT-scoped connection from losing its last project while
 * writes run concurrently (the trigger of drizzle/0002 is the backstop). One order
 * everywhere, so no two writes deadlock: projects first (sorted by id), then connections
 * (sorted by id); a connection's assignments change only under its connection's lock.
 */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export const unknownProjects = (ids: string[]) => new AppError('BAD_REQUEST', `Unknown project(s) on this platform: ${ids.join(', ')}`);

/**
 * For a write that gives a connection these projects: a key-share lock on each, so a
 * concurrent `projects.delete` waits for this transaction, or this one finds the project
 * gone (400).
 */
export async function lockProjectsToAssign(tx: Tx, platformId: string, projectIds: string[]): Promise<void> {
  if (projectIds.length === 0) return;
  const found = await tx
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.platformId, platformId), inArray(projects.id, projectIds)))
    .orderBy(asc(projects.id))
    .for('key share');
  const missing = projectIds.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) throw unknownProjects(missing);
}

export async function assignedProjectIds(db: Db | Tx, connectionId: string): Promise<string[]> {
  const rows = await db.select({ id: connectionProjects.projectId }).from(connectionProjects).where(eq(connectionProjects.connectionId, connectionId));
  return rows.map((r) => r.id);
}

/** Locks a connection and reads its current scope and projects (404 if it went away). */
export async function lockConnection(tx: Tx, platformId: string, id: string): Promise<{ id: string; scope: 'PLATFORM' | 'PROJECT'; projectIds: string[] }> {
  const [row] = await tx
    .select({ scope: secretManagerConnections.scope })
    .from(secretManagerConnections)
    .where(and(eq(secretManagerConnections.id, id), eq(secretManagerConnections.platformId, platformId)))
    .for('no key update');
  if (!row) throw new AppError('NOT_FOUND', `No secret manager connection ${id}`);
  return { id, scope: row.scope, projectIds: await assignedProjectIds(tx, id) };
}

/**
 * For deleting a project: locks it (no connection can be given it meanwhile: that needs a
 * key-share lock on it), then the connections assigned to it (an edit of one of them
 * finishes first). 404 unless it is a project of the platform.
 */
export async function lockProjectToDelete(tx: Tx, platformId: string, id: string): Promise<void> {
  const [project] = await tx
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.id, id), eq(projects.platformId, platformId)))
    .for('update');
  if (!project) throw new AppError('NOT_FOUND', `No project ${id}`);
  await tx
    .select({ id: secretManagerConnections.id })
    .from(secretManagerConnections)
    .where(inArray(secretManagerConnections.id, tx.select({ id: connectionProjects.connectionId }).from(connectionProjects).where(eq(connectionProjects.projectId, id))))
    .orderBy(asc(secretManagerConnections.id))
    .for('no key update');
}
