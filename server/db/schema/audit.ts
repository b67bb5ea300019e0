import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { platforms } from './tenancy.ts';

export const auditEvents = pgTable(
  'audit_events',
  {
    id: text().primaryKey(),
    platformId: text()
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** `api-key:<id>`, `embed:<sub>` or `system`. */
    actor: text().notNull(),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text(),
    outcome: text({ enum: ['success', 'failure'] }).notNull(),
    /** Never a credential or a secret value. */
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_platform_at_idx').on(t.platformId, t.at)],
);
