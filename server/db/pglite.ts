import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Database, Db } from './client.ts';
import { prepareDataDir, tightenDataDir } from './data-dir.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { migrationsFolder } from './migrations.ts';
import * as schema from './schema/index.ts';

/** Embedded PostgreSQL in `dataDir`; undefined = in memory (tests). */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) prepareDataDir(dataDir);
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  try {
    const client = new PGlite(dataDir ? join(dataDir, 'pgdata') : undefined);
    const db = drizzle(client, { schema, casing: 'snake_case' });
    await migrate(db, { migrationsFolder });
    // PGlite copies its initial files with mode 0666 and rewrites a few as it starts (see prepareDataDir).
    if (dataDir) tightenDataDir(dataDir);
    return {
      db: db as unknown as Db,
      kind: 'pglite',
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: async () => {
        await client.close();
        if (dataDir) tightenDataDir(dataDir);
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
