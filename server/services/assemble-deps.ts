import { AuthCache } from '../auth/auth-cache.ts';
import { LocalGenerations, type Generations } from '../invalidation/generations.ts';
import { AuditWriter } from './audit-writer.ts';
import { ConnectionDirectory } from './connection-directory.ts';
import type { ServiceDeps } from './deps.ts';

/** The stores and clients a server opens; the rest of ServiceDeps is built on them. */
export type ServiceStores = Pick<ServiceDeps, 'db' | 'keyRing' | 'clients' | 'logger' | 'config' | 'cache' | 'metrics'>;

/**
 * ServiceDeps the one way: what is kept in memory of the database (connections, what
 * authentication read), invalidated through `generations` (Redis for several instances,
 * in process for one), and the batching audit writer. `createServer` uses it, and so do the
 * bench and in-process tests, which then stop the writer (`audit.close`) before the database.
 */
export function assembleDeps(stores: ServiceStores, generations: Generations = new LocalGenerations()): ServiceDeps {
  const { db, keyRing, logger, metrics, config } = stores;
  return {
    ...stores,
    generations,
    connections: new ConnectionDirectory(db, keyRing, generations, config.authCacheSeconds * 1000),
    authCache: new AuthCache(generations, config.authCacheSeconds),
    audit: new AuditWriter(db, { logger, metrics, maxBuffer: config.audit.maxBuffer }),
  };
}
