import { AppError } from '../errors.ts';
import { recordAudit } from './audit.ts';
import type { Actor, ServiceDeps } from './deps.ts';

/**
 * Clears cached values and checks of one connection, or of the whole platform: one
 * generation bump in Redis, the same cost whatever is cached, seen by every instance at
 * once. No provider is called; fresh values are fetched on the next resolve.
 */
export async function clearCache(deps: ServiceDeps, actor: Actor, connectionId?: string): Promise<void> {
  if (connectionId !== undefined) {
    const found = await deps.connections.lookup(actor.platformId, [connectionId]);
    if (!found.has(connectionId)) throw new AppError('NOT_FOUND', `No secret manager connection ${connectionId}`);
  }
  try {
    if (connectionId === undefined) await deps.cache.clearPlatform(actor.platformId);
    else await deps.cache.clearConnection(actor.platformId, connectionId);
  } catch (e) {
    await recordAudit(deps.db, { ...actor, action: 'cache.clear', targetType: connectionId ? 'connection' : 'platform', targetId: connectionId ?? actor.platformId, outcome: 'failure' });
    throw new AppError('SERVICE_UNAVAILABLE', `The cache could not be cleared: ${(e as Error).message}. Try again when Redis is reachable.`);
  }
  await recordAudit(deps.db, {
    ...actor,
    action: 'cache.clear',
    targetType: connectionId ? 'connection' : 'platform',
    targetId: connectionId ?? actor.platformId,
    outcome: 'success',
  });
}
