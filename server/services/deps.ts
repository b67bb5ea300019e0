import type { AuthCache } from '../auth/auth-cache.ts';
import type { SecretCache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import type { Generations } from '../invalidation/generations.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ProviderClientPool } from '../providers/registry.ts';
import type { AuditWriter } from './audit-writer.ts';
import type { ConnectionDirectory } from './connection-directory.ts';

/** What services need from the running server; built once by `createServer` (assembleDeps). */
export interface ServiceDeps {
  db: Db;
  keyRing: KeyRing;
  clients: ProviderClientPool;
  logger: Logger;
  config: Config;
  cache: SecretCache;
  connections: ConnectionDirectory;
  /** What changes bump, so every instance stops using what it kept in memory of it. */
  generations: Generations;
  authCache: AuthCache;
  metrics: Metrics;
  /** Resolution audit events, batched; changes write theirs at once with `recordAudit`. */
  audit: AuditWriter;
}

/** The caller, as services see it: which platform, and who for the audit trail. */
export interface Actor {
  platformId: string;
  actor: string;
}

/**
 * An admin as the services see it. `projectId` null: the whole platform (an admin API key,
 * an embed admin token without a project). Set: an embed admin bound to that project, who
 * sees what the project may use and manages only connections of that project alone.
 */
export interface AdminActor extends Actor {
  projectId: string | null;
}
