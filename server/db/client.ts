import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { DatabaseSettings } from '../config.ts';
import type { Logger } from '../logger.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type * as schema from './schema/index.ts';

export { openPglite } from './pglite.ts';
export { openPostgres } from './postgres.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  database?: Partial<DatabaseSettings>;
  logger?: Logger;
  signal?: AbortSignal;
}

/** PostgreSQL when DATABASE_URL is set, else the embedded database in the data folder; migrated either way. */
export function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, { ...options.database, logger: options.logger, signal: options.signal })
    : openPglite(options.dataDir);
}
