import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { platforms, projects } from './tenancy.ts';

export const apiKeyRoles = ['admin', 'engine'] as const;

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text().primaryKey(),
    platformId: text()
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    role: text({ enum: apiKeyRoles }).notNull(),
    /** Engine keys bound to one project; null = the whole platform. */
    projectId: text().references(() => projects.id, { onDelete: 'cascade' }),
    /** SHA-256 of the token, hex. The token itself is never stored. */
    tokenHash: text().notNull().unique(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('api_keys_platform_idx').on(t.platformId)],
);

export const embedKeyAlgorithms = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;

export const embedSigningKeys = pgTable(
  'embed_signing_keys',
  {
    /** Also the JWT `kid` hosts put in the header. */
    id: text().primaryKey(),
    platformId: text()
      .notNull()
      .references(() => platforms.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    algorithm: text({ enum: embedKeyAlgorithms }).notNull(),
    /** HS256 shared secret, sealed like connection configs. */
    secretCiphertext: text(),
    keyVersion: integer(),
    /** Public JWK for asymmetric algorithms. */
    publicJwk: jsonb(),
    /** When set, tokens signed with this key must carry exactly this `iss`. */
    issuer: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('embed_keys_platform_idx').on(t.platformId)],
);
