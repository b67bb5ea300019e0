import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const platforms = pgTable('platforms', {
  id: text().primaryKey(),
  name: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const projects = pgTable(
  'projects',
  {
    id: text().primaryKey(),
    platformId: text()
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    /** The host application's own id for this project, for hosts that map theirs. */
    externalId: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('projects_platform_name_uq').on(t.platformId, t.name),
    uniqueIndex('projects_platform_external_id_uq').on(t.platformId, t.externalId),
    index('projects_platform_idx').on(t.platformId),
  ],
);
