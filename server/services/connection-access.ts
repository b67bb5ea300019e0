import type { ConnectionScope } from '../../shared/connections.ts';
import { AppError } from '../errors.ts';
import type { AdminActor } from './deps.ts';

/** What access decisions need to know of a connection. */
export interface ScopedConnection {
  id: string;
  scope: ConnectionScope;
  projectIds: Iterable<string>;
}

const notFound = (id: string) => new AppError('NOT_FOUND', `No secret manager connection ${id}`);

/** DESIGN.md: the platform context sees every connection; project P sees platform-scoped ones and those assigned to P. */
export function visibleInProject(connection: ScopedConnection, projectId: string | null | undefined): boolean {
  return projectId == null || connection.scope === 'PLATFORM' || [...connection.projectIds].includes(projectId);
}

/** A connection belongs to a project alone when it is scoped to exactly that project. */
function ownedByProject(connection: ScopedConnection, projectId: string): boolean {
  const assigned = [...connection.projectIds];
  return connection.scope === 'PROJECT' && assigned.length === 1 && assigned[0] === projectId;
}

/** Whether the admin may change, test, clear or delete the connection. */
export function canManage(admin: AdminActor, connection: ScopedConnection): boolean {
  return admin.projectId === null || ownedByProject(connection, admin.projectId);
}

/** 404 when the admin cannot see the connection (as for an unknown id), 403 when it sees it but may not change it. */
export function assertManageable(admin: AdminActor, connection: ScopedConnection): void {
  if (!visibleInProject(connection, admin.projectId)) throw notFound(connection.id);
  if (!canManage(admin, connection)) {
    throw new AppError(
      'FORBIDDEN',
      connection.scope === 'PLATFORM'
        ? 'This connection is shared by the whole platform; only a platform admin may change it.'
        : 'This connection is shared with other projects; only a platform admin may change it.',
    );
  }
}

/** 404 unless the admin can see the connection. */
export function assertVisible(admin: AdminActor, connection: ScopedConnection): void {
  if (!visibleInProject(connection, admin.projectId)) throw notFound(connection.id);
}

/** A project admin gives a connection to its own project only: never to the platform, never to other projects. */
export function assertScopeAllowed(admin: AdminActor, scope: ConnectionScope, projectIds: readonly string[]): void {
  if (admin.projectId === null) return;
  if (scope === 'PLATFORM') throw new AppError('FORBIDDEN', 'A token bound to a project cannot make a platform-scoped connection; choose scope PROJECT.');
  if (projectIds.some((id) => id !== admin.projectId)) {
    throw new AppError('FORBIDDEN', 'A token bound to a project can assign a connection to its own project only.');
  }
}

/** Clearing every connection's cache is a platform admin's call. */
export function assertPlatformAdmin(admin: AdminActor, what: string): void {
  if (admin.projectId !== null) throw new AppError('FORBIDDEN', `${what} needs a platform admin; this token is bound to a project.`);
}
