import type { ConnectionStatus } from '../../shared/connections.ts';
import type { SecretCache } from '../cache/index.ts';
import { SecretManagerError } from '../errors.ts';

type Stamped = { id: string; platformId: string; updatedAt: Date };

const scopeOf = (c: Stamped) => ({ platformId: c.platformId, connectionId: c.id, stamp: String(c.updatedAt.getTime()) });

/** Remembers how the latest check of a connection went (failures too: they are shown, not served). */
export function recordStatus(cache: SecretCache, connection: Stamped, outcome: 'connected' | SecretManagerError): Promise<void> {
  const checkedAt = new Date().toISOString();
  const status: ConnectionStatus =
    outcome === 'connected' ? { state: 'connected', checkedAt } : { state: 'failed', code: outcome.code, message: outcome.message, checkedAt };
  return cache.put(scopeOf(connection), 'status', '', status);
}

export async function readStatuses(cache: SecretCache, connections: Stamped[]): Promise<ConnectionStatus[]> {
  const found = await cache.peekMany<ConnectionStatus>(connections.map((c) => ({ scope: scopeOf(c), kind: 'status', key: '' })));
  return found.map((s) => s ?? { state: 'unknown' });
}
