import { eq } from 'drizzle-orm';
import { secretManagerConnections } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from './audit.ts';
import { assertManageable, assertPlatformAdmin } from './connection-access.ts';
import type { AdminActor, ServiceDeps } from './deps.ts';

async function platformConnectionIds(deps: ServiceDeps, platformId: string): Promise<string[]> {
  const rows = await deps.db
    .select({ id: secretManagerConnections.id })
    .from(secretManagerConnections)
    .where(eq(secretManagerConnections.platformId, platformId));
  return rows.map((r) => r.id);
}

/**
 * Clears cached values and checks of one connection, or of every connection of the
 * platform: per connection one generation bump and one unlink, the same cost whatever is
 * cached, seen by every instance at once. No provider is called; fresh values are fetched
 * on the next resolve. A project admin clears its own connections one by one; the whole
 * platform is a platform admin's call.
 */
export async function clearCache(deps: ServiceDeps, actor: AdminActor, connectionId?: string): Promise<void> {
  if (connectionId === undefined) assertPlatformAdmin(actor, "Clearing the whole platform's cache");
  else {
    const found = (await deps.connections.lookup(actor.platformId, [connectionId])).get(connectionId);
    if (!found) throw new AppError('NOT_FOUND', `No secret manager connection ${connectionId}`);
    assertManageable(actor, found);
  }
  try {
    const ids = connectionId === undefined ? await platformConnectionIds(deps, actor.platformId) : [connectionId];
    await deps.cache.clearConnections(actor.platformId, ids);
  } catch (e) {
    await recordAudit(deps.db, { platformId: actor.platformId, actor: actor.actor, action: 'cache.clear', targetType: connectionId ? 'connection' : 'platform', targetId: connectionId ?? actor.platformId, outcome: 'failure' });
    // The driver's words name the cache's host: for the log only.
    deps.logger.warn({ err: { message: (e as Error).message }, connectionId }, 'the cache could not be cleared');
    throw new AppError('SERVICE_UNAVAILABLE', 'The cache could not be cleared because it is unreachable; nothing was cleared. Try again shortly.');
  }
  await recordAudit(deps.db, {
    ...actor,
    action: 'cache.clear',
    targetType: connectionId ? 'connection' : 'platform',
    targetId: connectionId ?? actor.platformId,
    outcome: 'success',
  });
}
