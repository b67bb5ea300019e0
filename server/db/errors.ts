/** PostgreSQL error codes we turn into client errors; drivers and Drizzle nest them differently. */
export function pgErrorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const isUniqueViolation = (e: unknown) => pgErrorCode(e) === '23505';
export const isForeignKeyViolation = (e: unknown) => pgErrorCode(e) === '23503';
