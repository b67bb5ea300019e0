import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { ConnectionDto, ConnectionStatus, CreateConnectionInput, TestConnectionInput, TestResult, UpdateConnectionInput } from '../../shared/connections.ts';
import { parseConnectionConfig } from '../../shared/connections.ts';
import { isProviderId, type ProviderId } from '../../shared/providers/index.ts';
import type { Db } from '../db/client.ts';
import { isForeignKeyViolation, isStrandedConnection, isUniqueViolation } from '../db/errors.ts';
import { connectionProjects, projects, secretManagerConnections } from '../db/schema/index.ts';
import { AppError, locationFreeMessage, SecretManagerError, withoutLocation } from '../errors.ts';
import { platformScope } from '../invalidation/generations.ts';
import { policyViolation, type ProviderConfig } from '../providers/registry.ts';
import { recordAudit } from './audit.ts';
import { assertManageable, assertScopeAllowed, assertVisible, canManage } from './connection-access.ts';
import { readStatuses, recordStatus } from './connection-status.ts';
import { configAfterEdit, openConfig, publicConfig, sealConfig, tryOpenConfig, undecryptableStatus, type OpenedConfig } from './connection-config.ts';
import type { AdminActor, ServiceDeps } from './deps.ts';
import { newId } from './ids.ts';
import { fieldIssues, ValidationError } from './validation-error.ts';
import { assignedProjectIds, lockConnection, lockProjectsToAssign, unknownProjects } from './write-locks.ts';

type Row = typeof secretManagerConnections.$inferSelect;
type AssignedProject = { id: string; name: string };

const duplicateName = (name: string) => new AppError('CONFLICT', `A connection named "${name}" already exists on this platform.`);

/** Maps what the database refuses on a write to the client's mistake it stands for. */
function writeConflict(e: unknown, name: string, projectIds: string[] = []): never {
  if (isUniqueViolation(e)) throw duplicateName(name);
  if (isForeignKeyViolation(e)) throw unknownProjects(projectIds);
  if (isStrandedConnection(e)) throw new AppError('CONFLICT', 'A project-scoped connection needs at least one project; one of its projects was deleted meanwhile.');
  throw e;
}

async function loadRow(db: Db, platformId: string, id: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(secretManagerConnections)
    .where(and(eq(secretManagerConnections.id, id), eq(secretManagerConnections.platformId, platformId)));
  if (!row) throw new AppError('NOT_FOUND', `No secret manager connection ${id}`);
  return row;
}

async function projectsOf(db: Db, connectionIds: string[]): Promise<Map<string, AssignedProject[]>> {
  const byConnection = new Map<string, AssignedProject[]>();
  if (connectionIds.length === 0) return byConnection;
  const rows = await db
    .select({ connectionId: connectionProjects.connectionId, id: projects.id, name: projects.name })
    .from(connectionProjects)
    .innerJoin(projects, eq(projects.id, connectionProjects.projectId))
    .where(inArray(connectionProjects.connectionId, connectionIds))
    .orderBy(asc(projects.name));
  for (const r of rows) {
    const list = byConnection.get(r.connectionId) ?? [];
    list.push({ id: r.id, name: r.name });
    byConnection.set(r.connectionId, list);
  }
  return byConnection;
}

/**
 * A connection as one caller sees it. Those it manages come with their non-secret config;
 * the others (a member's, or a platform connection shown to a project admin) only with
 * what the picker needs. In a project context only that project is named. One whose stored
 * config does not open is listed as `undecryptable`, without config, beside the others.
 */
function toDto(
  row: Row,
  opened: OpenedConfig,
  assigned: AssignedProject[],
  viewer: { manager: AdminActor | null; projectId: string | null | undefined },
  status: ConnectionStatus,
): ConnectionDto {
  const provider = row.provider as ProviderId;
  const manages = viewer.manager !== null && canManage(viewer.manager, { id: row.id, scope: row.scope, projectIds: assigned.map((p) => p.id) });
  const { projectId } = viewer;
  return {
    id: row.id,
    name: row.name,
    provider,
    authMethod: row.authMethod,
    scope: row.scope,
    projects: projectId ? assigned.filter((p) => p.id === projectId) : assigned,
    canManage: manages,
    config: manages && opened.ok ? publicConfig(provider, opened.config) : {},
    status: !opened.ok
      ? undecryptableStatus(opened.error, manages)
      : // Its message names where the connection points: for those who may change it only.
        manages || status.state !== 'failed'
        ? status
        : { ...status, message: locationFreeMessage(status.code) },
    createdBy: manages ? row.createdBy : '',
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** 400 unless every id is a project of the platform: a clear answer before the provider is asked. */
async function assertProjects(db: Db, platformId: string, projectIds: string[]): Promise<void> {
  const found = await db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.platformId, platformId), inArray(projects.id, projectIds)));
  const missing = projectIds.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) throw unknownProjects(missing);
}

/** The connection with its projects, after the admin's access check: 404 if it cannot see it, 403 if it may not change it. */
async function loadManageable(db: Db, admin: AdminActor, id: string): Promise<{ row: Row; projectIds: string[] }> {
  const row = await loadRow(db, admin.platformId, id);
  const projectIds = await assignedProjectIds(db, id);
  assertManageable(admin, { id, scope: row.scope, projectIds });
  return { row, projectIds };
}

/**
 * The visibility rule of DESIGN.md: without a project, every connection of the platform;
 * in project P, platform-scoped ones plus project-scoped ones assigned to P. `manager` is
 * the caller when it is an admin (it decides what each row shows), null for others.
 */
export async function listConnections(
  deps: ServiceDeps,
  platformId: string,
  options: { projectId?: string | undefined; manager: AdminActor | null },
): Promise<ConnectionDto[]> {
  const { projectId } = options;
  const visible = projectId
    ? or(
        eq(secretManagerConnections.scope, 'PLATFORM'),
        inArray(
          secretManagerConnections.id,
          deps.db.select({ id: connectionProjects.connectionId }).from(connectionProjects).where(eq(connectionProjects.projectId, projectId)),
        ),
      )
    : undefined;
  const rows = await deps.db
    .select()
    .from(secretManagerConnections)
    .where(and(eq(secretManagerConnections.platformId, platformId), visible))
    .orderBy(asc(sql`lower(${secretManagerConnections.name})`));
  const [assigned, statuses] = await Promise.all([projectsOf(deps.db, rows.map((r) => r.id)), readStatuses(deps.cache, rows)]);
  return rows.map((row, i) =>
    toDto(row, tryOpenConfig(deps.keyRing, row), assigned.get(row.id) ?? [], { manager: options.manager, projectId }, statuses[i]!),
  );
}

/**
 * One connection the admin can see (404 otherwise, as for an unknown id). One whose stored
 * config does not open answers CONNECTION_UNDECRYPTABLE (409) with what to do about it.
 */
export async function getConnection(deps: ServiceDeps, admin: AdminActor, id: string): Promise<ConnectionDto> {
  const row = await loadRow(deps.db, admin.platformId, id);
  const [assigned, [status]] = await Promise.all([projectsOf(deps.db, [id]), readStatuses(deps.cache, [row])]);
  const projectsOfRow = assigned.get(id) ?? [];
  const access = { id, scope: row.scope, projectIds: projectsOfRow.map((p) => p.id) };
  assertVisible(admin, access);
  const opened = tryOpenConfig(deps.keyRing, row);
  if (!opened.ok) throw canManage(admin, access) ? opened.error : withoutLocation(opened.error, 'read');
  return toDto(row, opened, projectsOfRow, { manager: admin, projectId: admin.projectId }, status!);
}

/** Runs the provider's check on a fresh client, so a saved connection's token state cannot mask a bad config. */
async function checkConfig(deps: ServiceDeps, provider: ProviderId, config: ProviderConfig): Promise<TestResult> {
  const violation = policyViolation(provider, config, deps.config.providerPolicy);
  if (violation) {
    throw new ValidationError(fieldIssues([{ path: ['config', violation.field], message: violation.message }]));
  }
  const client = deps.clients.connectUnsaved(provider, config);
  try {
    const info = await client.check();
    return { ok: true, ...(info.identity !== undefined && { identity: info.identity }), ...(info.details && { details: info.details }) };
  } catch (e) {
    if (e instanceof SecretManagerError) throw e;
    deps.logger.error({ err: { name: (e as Error)?.name }, provider }, 'provider check failed unexpectedly');
    throw new SecretManagerError('PROVIDER_ERROR', 'The connection test failed unexpectedly.', { cause: e });
  } finally {
    await client.close();
  }
}

/** Tests a config and records the outcome; rethrows the failure. */
async function testAndAudit(
  deps: ServiceDeps,
  actor: AdminActor,
  action: string,
  target: { id?: string; name?: string; provider: ProviderId },
  config: ProviderConfig,
): Promise<TestResult> {
  try {
    return await checkConfig(deps, target.provider, config);
  } catch (e) {
    await recordAudit(deps.db, {
      platformId: actor.platformId,
      actor: actor.actor,
      action,
      targetType: 'connection',
      targetId: target.id ?? null,
      outcome: 'failure',
      details: { name: target.name, provider: target.provider, code: (e as SecretManagerError).code },
    });
    throw e;
  }
}

async function assertNameFree(db: Db, platformId: string, name: string, exceptId?: string): Promise<void> {
  const [row] = await db
    .select({ id: secretManagerConnections.id })
    .from(secretManagerConnections)
    .where(and(eq(secretManagerConnections.platformId, platformId), eq(secretManagerConnections.name, name)));
  if (row && row.id !== exceptId) throw duplicateName(name);
}

export async function createConnection(deps: ServiceDeps, actor: AdminActor, input: CreateConnectionInput): Promise<ConnectionDto> {
  const { platformId } = actor;
  const parsed = parseConnectionConfig(input.provider, input.authMethod, input.config);
  if (!parsed.success) throw new ValidationError(parsed.error);
  const config: ProviderConfig = { authMethod: input.authMethod, ...parsed.data };
  const projectIds = input.scope === 'PROJECT' ? [...new Set(input.projectIds ?? [])] : [];
  assertScopeAllowed(actor, input.scope, projectIds);
  if (projectIds.length > 0) await assertProjects(deps.db, platformId, projectIds);
  await assertNameFree(deps.db, platformId, input.name);

  await testAndAudit(deps, actor, 'connection.create', { name: input.name, provider: input.provider }, config);

  const id = newId('con');
  const now = new Date();
  const sealed = sealConfig(deps.keyRing, platformId, id, config);
  try {
    await deps.db.transaction(async (tx) => {
      await lockProjectsToAssign(tx, platformId, projectIds);
      await tx.insert(secretManagerConnections).values({
        id,
        platformId,
        name: input.name,
        provider: input.provider,
        authMethod: input.authMethod,
        scope: input.scope,
        configCiphertext: sealed.ciphertext,
        keyVersion: sealed.keyVersion,
        createdBy: actor.actor,
        createdAt: now,
        updatedAt: now,
      });
      if (projectIds.length > 0) await tx.insert(connectionProjects).values(projectIds.map((projectId) => ({ connectionId: id, projectId })));
    });
  } catch (e) {
    writeConflict(e, input.name, projectIds);
  }
  await recordStatus(deps.cache, { id, platformId, updatedAt: now }, 'connected');
  await recordAudit(deps.db, {
    ...actor,
    action: 'connection.create',
    targetType: 'connection',
    targetId: id,
    outcome: 'success',
    details: { name: input.name, provider: input.provider, authMethod: input.authMethod, scope: input.scope, projectIds },
  });
  return getConnection(deps, actor, id);
}

/** The projects an update gives the connection: undefined keeps the current ones. 400 for none. */
function projectsAfterUpdate(scope: Row['scope'], requested: string[] | undefined): string[] | undefined {
  if (scope === 'PLATFORM') {
    if (requested && requested.length > 0) throw new AppError('BAD_REQUEST', 'A platform-scoped connection is not assigned to projects; choose scope PROJECT');
    return undefined;
  }
  if (requested === undefined) return undefined;
  if (requested.length === 0) {
    throw new ValidationError(fieldIssues([{ path: ['projectIds'], message: 'A project-scoped connection needs at least one project' }]));
  }
  return [...new Set(requested)];
}

export async function updateConnection(deps: ServiceDeps, actor: AdminActor, input: UpdateConnectionInput): Promise<ConnectionDto> {
  const { platformId } = actor;
  const { row, projectIds: current } = await loadManageable(deps.db, actor, input.id);
  const provider = row.provider as ProviderId;
  const authMethod = input.authMethod ?? row.authMethod;
  const config = configAfterEdit(deps.keyRing, row, authMethod, input.config);

  const scope = input.scope ?? row.scope;
  const projectIds = projectsAfterUpdate(scope, input.projectIds);
  assertScopeAllowed(actor, scope, projectIds ?? (scope === 'PROJECT' ? current : []));
  if (projectIds) await assertProjects(deps.db, platformId, projectIds);
  const name = input.name ?? row.name;
  await assertNameFree(deps.db, platformId, name, row.id);

  await testAndAudit(deps, actor, 'connection.update', { id: row.id, name, provider }, config);

  const sealed = sealConfig(deps.keyRing, platformId, row.id, config);
  const updatedAt = new Date();
  try {
    await deps.db.transaction(async (tx) => {
      await lockProjectsToAssign(tx, platformId, projectIds ?? []);
      // The provider check took a while: someone may have shared or deleted the connection meanwhile.
      assertManageable(actor, await lockConnection(tx, platformId, row.id));
      await tx
        .update(secretManagerConnections)
        .set({ name, authMethod, scope, configCiphertext: sealed.ciphertext, keyVersion: sealed.keyVersion, updatedAt })
        .where(eq(secretManagerConnections.id, row.id));
      if (scope === 'PLATFORM' || projectIds) await tx.delete(connectionProjects).where(eq(connectionProjects.connectionId, row.id));
      if (projectIds) await tx.insert(connectionProjects).values(projectIds.map((projectId) => ({ connectionId: row.id, projectId })));
    });
  } catch (e) {
    writeConflict(e, name, projectIds);
  }
  await forget(deps, row);
  await recordStatus(deps.cache, { id: row.id, platformId, updatedAt }, 'connected');
  await recordAudit(deps.db, {
    ...actor,
    action: 'connection.update',
    targetType: 'connection',
    targetId: row.id,
    outcome: 'success',
    details: {
      name,
      authMethod,
      scope,
      ...(projectIds && { projectIds }),
      changed: Object.keys(input).filter((k) => k !== 'id' && k !== 'config').concat(input.config ? ['config'] : []),
    },
  });
  return getConnection(deps, actor, row.id);
}

/**
 * Drops everything derived from a connection that changed or went away: its live client,
 * resolution's view of it, and its cached values. The cache keys also carry the
 * connection's version, so an edit is safe even when the clear cannot reach Redis.
 */
async function forget(deps: ServiceDeps, connection: { id: string; platformId: string }): Promise<void> {
  deps.clients.evict(connection.id);
  deps.connections.invalidate(connection.id);
  await deps.generations.bump([platformScope(connection.platformId)]);
  try {
    await deps.cache.clearConnections(connection.platformId, [connection.id]);
  } catch (e) {
    deps.logger.warn({ connectionId: connection.id, err: { message: (e as Error).message } }, 'could not clear the cache of a changed connection');
  }
}

export async function deleteConnection(deps: ServiceDeps, actor: AdminActor, id: string): Promise<void> {
  const deleted = await deps.db.transaction(async (tx) => {
    assertManageable(actor, await lockConnection(tx, actor.platformId, id));
    const [row] = await tx
      .delete(secretManagerConnections)
      .where(eq(secretManagerConnections.id, id))
      .returning({ name: secretManagerConnections.name, provider: secretManagerConnections.provider });
    return row!;
  });
  await forget(deps, { id, platformId: actor.platformId });
  await recordAudit(deps.db, {
    ...actor,
    action: 'connection.delete',
    targetType: 'connection',
    targetId: id,
    outcome: 'success',
    details: { name: deleted.name, provider: deleted.provider },
  });
}

/** Tests a saved connection (optionally with unsaved edits, secrets kept) or an unsaved config. */
export async function testConnection(deps: ServiceDeps, actor: AdminActor, input: TestConnectionInput): Promise<TestResult> {
  let provider: ProviderId;
  let config: ProviderConfig;
  let target: { id?: string; name?: string; provider: ProviderId };
  let saved: Row | undefined;
  if (input.id !== undefined) {
    const { row } = await loadManageable(deps.db, actor, input.id);
    saved = row;
    provider = row.provider as ProviderId;
    if (input.provider !== undefined && input.provider !== provider) {
      throw new AppError('BAD_REQUEST', 'The provider of a saved connection cannot change');
    }
    if (input.config === undefined && input.authMethod === undefined) config = openConfig(deps.keyRing, row);
    else {
      saved = undefined; // a test of unsaved edits says nothing of the saved connection's status
      config = configAfterEdit(deps.keyRing, row, input.authMethod ?? row.authMethod, input.config);
    }
    target = { id: row.id, name: row.name, provider };
  } else {
    if (!input.provider || !isProviderId(input.provider)) throw new AppError('BAD_REQUEST', 'Unknown provider');
    provider = input.provider;
    const parsed = parseConnectionConfig(provider, input.authMethod!, input.config);
    if (!parsed.success) throw new ValidationError(parsed.error);
    config = { authMethod: input.authMethod!, ...parsed.data };
    target = { provider };
  }
  let result: TestResult;
  try {
    result = await testAndAudit(deps, actor, 'connection.test', target, config);
  } catch (e) {
    if (saved && e instanceof SecretManagerError) await recordStatus(deps.cache, saved, e);
    throw e;
  }
  if (saved) await recordStatus(deps.cache, saved, 'connected');
  await recordAudit(deps.db, {
    ...actor,
    action: 'connection.test',
    targetType: 'connection',
    targetId: target.id ?? null,
    outcome: 'success',
    details: { ...(target.name && { name: target.name }), provider },
  });
  return result;
}
