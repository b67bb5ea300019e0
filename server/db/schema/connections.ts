import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { connectionScopes } from '../../../shared/connections.ts';
import { platforms, projects } from './tenancy.ts';

export const secretManagerConnections = pgTable(
  'secret_manager_connections',
  {
    id: text().primaryKey(),
    platformId: text()
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    provider: text().notNull(),
    authMethod: text().notNull(),
    scope: text({ enum: connectionScopes }).notNull(),
    /** The whole provider config (credentials included), AES-256-GCM sealed. */
    configCiphertext: text().notNull(),
    keyVersion: integer().notNull(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('connections_platform_name_uq').on(t.platformId, t.name),
    index('connections_key_version_idx').on(t.keyVersion),
  ],
);

export const connectionProjects = pgTable(
  'connection_projects',
  {
    connectionId: text()
      .notNull()
      .references(() => secretManagerConnections.id, { onDelete: 'cascade' }),
    projectId: text()
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.projectId] }), index('connection_projects_project_idx').on(t.projectId)],
);
