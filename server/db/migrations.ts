import { fileURLToPath } from 'node:url';

/** drizzle/: the SQL migrations both drivers apply at start. */
export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
