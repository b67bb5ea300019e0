/** The PostgreSQL error in a thrown value; drivers and Drizzle nest it differently. */
function pgError(e: unknown): { code: string; constraint: string | undefined; message: string } | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const { code, constraint, constraint_name, message } = cur as { code?: unknown; constraint?: unknown; constraint_name?: unknown; message?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      // PGlite names the constraint `constraint`, postgres-js `constraint_name`.
      const name = constraint ?? constraint_name;
      return { code, constraint: typeof name === 'string' ? name : undefined, message: String(message) };
    }
  }
  return undefined;
}

/** PostgreSQL error codes we turn into client errors. */
export function pgErrorCode(e: unknown): string | undefined {
  return pgError(e)?.code;
}

/** PostgreSQL's own words for an error (`password authentication failed for user "sm"`): for the operator, never for an API answer. */
export function pgErrorMessage(e: unknown): string | undefined {
  return pgError(e)?.message;
}

export const isUniqueViolation = (e: unknown) => pgErrorCode(e) === '23505';
export const isForeignKeyViolation = (e: unknown) => pgErrorCode(e) === '23503';
/** Class 22: a value the database cannot take (a NUL character in text, a number out of range). */
export const isDataException = (e: unknown) => pgErrorCode(e)?.startsWith('22') ?? false;

/** The trigger of drizzle/0002 refused to leave a project-scoped connection without a project. */
export function isStrandedConnection(e: unknown): boolean {
  const error = pgError(e);
  return error?.code === '23514' && error.constraint === 'project_connection_keeps_a_project';
}

/**
 * The database cannot be reached or did not answer in time: an outage, not the caller's
 * mistake (answered as 503). The message is safe to show anyone; `reason` is a few words
 * for the log and the start-up line, never the driver's message (it names hosts and SQL).
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(
    readonly reason: string,
    options: { cause?: unknown } = {},
  ) {
    super('The database is not available.', options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** postgres-js and Node network error codes, and SQLSTATEs, that mean "not reachable now", in words. */
const unavailableCodes: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection broken',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  CONNECT_TIMEOUT: 'timed out connecting',
  CONNECTION_CLOSED: 'connection closed',
  CONNECTION_DESTROYED: 'connection closed',
  CONNECTION_ENDED: 'connection closed',
  // https://www.postgresql.org/docs/current/errcodes-appendix.html
  '57014': 'statement timed out',
  '57P01': 'the database is shutting down',
  '57P02': 'the database crashed',
  '57P03': 'the database is starting up',
  '53300': 'too many connections',
};
/** Classes 08 (connection exception) and 53 (insufficient resources). */
const unavailableClasses: Record<string, string> = { '08': 'connection failure', '53': 'the database is out of resources' };

/**
 * Why the database is unavailable, in a few words, if that is what `e` (or an error it
 * wraps: Drizzle wraps driver errors with the SQL text) says; undefined for any other error.
 */
export function unavailabilityOf(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof DatabaseUnavailableError) return cur.reason;
    const { code } = cur as { code?: unknown };
    if (typeof code !== 'string') continue;
    const reason = unavailableCodes[code] ?? (/^[0-9A-Z]{5}$/.test(code) ? unavailableClasses[code.slice(0, 2)] : undefined);
    if (reason) return reason;
  }
  return undefined;
}

export const isDatabaseUnavailable = (e: unknown): boolean => unavailabilityOf(e) !== undefined;

/** `e` as a DatabaseUnavailableError when it means one; other errors unchanged. */
export function asDatabaseUnavailable(e: unknown): unknown {
  if (e instanceof DatabaseUnavailableError) return e;
  const reason = unavailabilityOf(e);
  return reason === undefined ? e : new DatabaseUnavailableError(reason, { cause: e });
}
