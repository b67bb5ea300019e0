import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { Deadline, DeadlineExceededError, withRetry } from '../providers/retry.ts';
import { openDatabase, type Database } from './client.ts';
import { pgErrorMessage, unavailabilityOf } from './errors.ts';

/** Start-up could not open the database; its message is the one line the CLI prints. */
export class DatabaseStartError extends Error {
  override readonly name = 'DatabaseStartError';
}

/**
 * Opens and migrates the database at start. PostgreSQL is often still starting, or not yet
 * reachable, when this server starts (containers started together, a failover): attempts
 * repeat with backoff, one log line each, for up to SM_DB_START_TIMEOUT_MS. What waiting
 * will not fix (a refused password, a missing database, a failed migration) stops at once.
 */
export async function openDatabaseAtStart(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'database'>, logger: Logger): Promise<Database> {
  const { startTimeoutMs } = config.database;
  const deadline = new Deadline(startTimeoutMs);
  try {
    return await withRetry(
      async ({ number, signal }) => {
        try {
          return await openDatabase({ ...config, logger, signal });
        } catch (e) {
          const reason = unavailabilityOf(e);
          if (reason !== undefined) {
            logger.warn({ attempt: number, reason }, `database not available (attempt ${number}: ${reason}); trying again for up to ${Math.ceil(deadline.remainingMs() / 1000)} s`);
          }
          throw e;
        }
      },
      { deadline, isTransient: (e) => unavailabilityOf(e) !== undefined, attempts: Number.POSITIVE_INFINITY, baseDelayMs: 500, maxDelayMs: 5_000 },
    );
  } catch (e) {
    const within = `within ${Math.round(startTimeoutMs / 1000)} s (SM_DB_START_TIMEOUT_MS)`;
    if (e instanceof DeadlineExceededError) throw new DatabaseStartError(`the database did not answer ${within}`, { cause: e });
    const reason = unavailabilityOf(e);
    if (reason !== undefined) throw new DatabaseStartError(`the database was not available ${within}: ${reason}`, { cause: e });
    const refusal = pgErrorMessage(e);
    if (refusal !== undefined) throw new DatabaseStartError(`the database refused to start this server: ${refusal}`, { cause: e });
    throw e;
  }
}
