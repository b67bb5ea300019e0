/** The PostgreSQL error in a thrown value; drivers and Drizzle nest it differently. */
function pgError(e: unknown): { code: string; constraint: string | undefined } | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const { code, constraint, constraint_name } = cur as { code?: unknown; constraint?: unknown; constraint_name?: unknown };
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
      // PGlite names the constraint `constraint`, postgres-js `constraint_name`.
      const name = constraint ?? constraint_name;
      return { code, constraint: typeof name === 'string' ? name : undefined };
    }
  }
  return undefined;
}

/** PostgreSQL error codes we turn into client errors. */
export function pgErrorCode(e: unknown): string | undefined {
  return pgError(e)?.code;
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
