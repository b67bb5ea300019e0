import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { databaseDefaults, type DatabaseSettings } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Database, Db } from './client.ts';
import { migrationsFolder } from './migrations.ts';
import * as schema from './schema/index.ts';
import { QueryDeadlines } from './query-deadlines.ts';

/** Serialises migrations when several instances start at once on one PostgreSQL. */
const MIGRATION_LOCK_ID = 7_262_731_001;
/** How much longer than statement_timeout a query may wait: the server's own timeout answers first. */
const DEADLINE_GRACE_MS = 1_000;

/**
 * Seconds between reconnection attempts after failed ones. postgres-js's own backoff grows
 * to 20 s, and a query waits for it: during an outage every request would take that long
 * to learn the database is down, and after it the first requests would wait that long.
 */
const reconnectBackoff = (failures: number) => Math.min(0.1 * 2 ** failures, 2);

export interface PostgresOptions extends Partial<Pick<DatabaseSettings, 'connectTimeoutMs' | 'statementTimeoutMs'>> {
  logger?: Logger;
  /** Gives up on the migration (start-up's deadline passed). */
  signal?: AbortSignal;
}

/**
 * Migrations run on a connection of their own with no statement timeout (a long migration
 * is not a stalled database), holding the advisory lock on that same connection.
 */
async function migrateDatabase(url: string, connectTimeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: connectTimeoutMs / 1000 });
  const abort = () => void client.end({ timeout: 0 });
  signal?.addEventListener('abort', abort, { once: true });
  try {
    signal?.throwIfAborted();
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrate(drizzle(client, { schema, casing: 'snake_case' }), { migrationsFolder });
  } finally {
    signal?.removeEventListener('abort', abort);
    // Closing the connection also releases the advisory lock.
    await client.end({ timeout: 5 });
  }
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const { connectTimeoutMs = databaseDefaults.connectTimeoutMs, statementTimeoutMs = databaseDefaults.statementTimeoutMs } = options;
  await migrateDatabase(url, connectTimeoutMs, options.signal);

  const deadlineMs = statementTimeoutMs + DEADLINE_GRACE_MS;
  const deadlines = new QueryDeadlines(deadlineMs, (closed) =>
    options.logger?.warn({ closedConnections: closed, deadlineMs }, 'the database stopped answering: closed its silent connections; queries fail until it answers again'),
  );
  const client = deadlines.wrap(postgres(url, {
    max: 10,
    onnotice: () => {},
    connect_timeout: connectTimeoutMs / 1000,
    connection: { statement_timeout: statementTimeoutMs },
    backoff: reconnectBackoff,
    // Documented in postgres-js's README ("Custom socket") but missing from its types.
    socket: deadlines.socket,
  } as postgres.Options<Record<string, never>>));
  const db = drizzle(client, { schema, casing: 'snake_case' });
  return {
    db: db as unknown as Db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      await client.end({ timeout: 5 });
    },
  };
}
