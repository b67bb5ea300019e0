import { z } from 'zod';
import { parseAllowRules, type AllowRule } from './providers/egress/egress-policy.ts';
import type { RateLimitSettings } from './http/rate-limits.ts';
import type { ProviderPolicy } from './providers/types.ts';

/** PostgreSQL only (PGlite runs in process): how long to wait for it, once running and at start. */
export interface DatabaseSettings {
  /** Per connection attempt: TCP, TLS and authentication. */
  connectTimeoutMs: number;
  /** PostgreSQL's statement_timeout; a connection silent for a second longer than this is given up on. */
  statementTimeoutMs: number;
  /** How long start-up keeps trying to connect and migrate before it gives up. */
  startTimeoutMs: number;
}

export const databaseDefaults: DatabaseSettings = { connectTimeoutMs: 10_000, statementTimeoutMs: 10_000, startTimeoutMs: 60_000 };

/** Every setting comes from the environment and is validated once, at start. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  SM_DATA_DIR: z.string().min(1).default('./.data'),
  SM_DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(databaseDefaults.connectTimeoutMs),
  SM_DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(databaseDefaults.statementTimeoutMs),
  SM_DB_START_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(databaseDefaults.startTimeoutMs),
  SM_ENCRYPTION_KEYS: z.string().min(1).optional(),
  SM_BOOTSTRAP_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  SM_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  SM_PUBLIC_URL: z.url().optional(),
  SM_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const origins = v.split(',').map((s) => s.trim()).filter(Boolean);
      for (const o of origins) {
        let ok = false;
        try {
          ok = new URL(o).origin === o;
        } catch {
          ok = false;
        }
        if (!ok) ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin such as https://app.example.com (scheme, host, optional port; no path)` });
      }
      return origins;
    }),
  SM_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(3600),
  SM_STALE_IF_ERROR_SECONDS: z.coerce.number().int().min(0).max(7 * 24 * 3600).default(0),
  SM_CACHE_MAX_ENTRIES: z.coerce.number().int().min(100).max(10_000_000).default(50_000),
  SM_REDIS_KEY_PREFIX: z.string().max(100).default('sm:'),
  SM_ALLOW_AMBIENT_CREDENTIALS: z.stringbool().default(false),
  SM_ALLOW_CUSTOM_PROVIDER_HOSTS: z.stringbool().default(false),
  SM_PROVIDER_ALLOWED_NETWORKS: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const { rules, problems } = parseAllowRules(v);
      for (const message of problems) ctx.addIssue({ code: 'custom', message });
      return rules;
    }),
  SM_MAX_REFERENCES_PER_CALL: z.coerce.number().int().min(1).max(100_000).default(1000),
  SM_RESOLVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  SM_MAX_VALUE_DEPTH: z.coerce.number().int().min(1).max(1000).default(64),
  SM_MAX_VALUE_STRINGS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  SM_MAX_VALUE_CHARS: z.coerce.number().int().min(1).max(1024 * 1024 * 1024).default(1024 * 1024),
  SM_AUDIT_MAX_BUFFER: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  SM_EMBED_AUDIENCE: z.string().trim().min(1).max(256).default('secret-managers'),
  SM_EMBED_MAX_TTL_SECONDS: z.coerce.number().int().min(60).max(24 * 3600).default(3600),
  SM_AUTH_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  SM_RATE_LIMIT_FAILED_AUTH: z.coerce.number().int().min(0).default(30),
  SM_RATE_LIMIT_CALLS: z.coerce.number().int().min(0).default(60_000),
  SM_RATE_LIMIT_RESOLVES: z.coerce.number().int().min(0).default(120_000),
  SM_METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  SM_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SM_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  database: DatabaseSettings;
  redisUrl: string | undefined;
  dataDir: string;
  encryptionKeys: string | undefined;
  bootstrapAdminToken: string | undefined;
  providerTimeoutMs: number;
  publicUrl: string | undefined;
  allowedOrigins: string[];
  logLevel: Env['LOG_LEVEL'];
  providerPolicy: ProviderPolicy;
  /** SM_PROVIDER_ALLOWED_NETWORKS: destinations beyond public addresses on the usual ports (private networks, emulators, other ports). */
  allowedNetworks: readonly AllowRule[];
  /** What an embed JWT must carry: `aud` equal to `audience`, and `exp - iat` at most `maxTtlSeconds`. */
  embed: { audience: string; maxTtlSeconds: number };
  cache: { ttlSeconds: number; staleSeconds: number; maxMemoryEntries: number; keyPrefix: string };
  /** Per minute; 0 turns a limit off. */
  rateLimits: RateLimitSettings;
  /**
   * How long principals and connections read from the database are kept in memory at most.
   * Changes through any instance sharing Redis are seen at once regardless (Generations).
   */
  authCacheSeconds: number;
  /** Where /metrics is served: to a bearer `token` on the API's port, and/or without one on `port` at `host`. */
  metrics: { token: string | undefined; port: number | undefined; host: string };
  resolve: ResolveBounds;
  /** Resolution audit events held in memory, not yet written: at this many, resolves are refused (AUDIT_UNAVAILABLE). */
  audit: { maxBuffer: number };
}

/** What one `secrets.resolve` call may ask for, and how long it may take (DESIGN.md, "Bounded work"). */
export interface ResolveBounds {
  /** Entries of `references` plus references written in `value`, broken ones included. */
  maxReferences: number;
  /** The call's one deadline: what has not resolved by then fails with TIMEOUT. */
  timeoutMs: number;
  /** Levels of arrays and objects in `value`. */
  maxValueDepth: number;
  /** String values in `value`. */
  maxValueStrings: number;
  /** Characters of all of `value`'s strings together. */
  maxValueChars: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Empty strings count as unset, as in most deployment tools. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL && !e.SM_ENCRYPTION_KEYS) {
    // A generated key lives in one machine's data folder; instances sharing PostgreSQL need the same ring.
    throw new ConfigError('SM_ENCRYPTION_KEYS: required when DATABASE_URL is set (generate one with `secret-managers generate-key`)');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    database: { connectTimeoutMs: e.SM_DB_CONNECT_TIMEOUT_MS, statementTimeoutMs: e.SM_DB_STATEMENT_TIMEOUT_MS, startTimeoutMs: e.SM_DB_START_TIMEOUT_MS },
    redisUrl: e.REDIS_URL,
    dataDir: e.SM_DATA_DIR,
    encryptionKeys: e.SM_ENCRYPTION_KEYS,
    bootstrapAdminToken: e.SM_BOOTSTRAP_ADMIN_TOKEN,
    providerTimeoutMs: e.SM_PROVIDER_TIMEOUT_MS,
    publicUrl: e.SM_PUBLIC_URL,
    allowedOrigins: e.SM_ALLOWED_ORIGINS,
    logLevel: e.LOG_LEVEL,
    cache: {
      ttlSeconds: e.SM_CACHE_TTL_SECONDS,
      staleSeconds: e.SM_STALE_IF_ERROR_SECONDS,
      maxMemoryEntries: e.SM_CACHE_MAX_ENTRIES,
      keyPrefix: e.SM_REDIS_KEY_PREFIX,
    },
    resolve: {
      maxReferences: e.SM_MAX_REFERENCES_PER_CALL,
      timeoutMs: e.SM_RESOLVE_TIMEOUT_MS,
      maxValueDepth: e.SM_MAX_VALUE_DEPTH,
      maxValueStrings: e.SM_MAX_VALUE_STRINGS,
      maxValueChars: e.SM_MAX_VALUE_CHARS,
    },
    audit: { maxBuffer: e.SM_AUDIT_MAX_BUFFER },
    embed: { audience: e.SM_EMBED_AUDIENCE, maxTtlSeconds: e.SM_EMBED_MAX_TTL_SECONDS },
    providerPolicy: { allowAmbientCredentials: e.SM_ALLOW_AMBIENT_CREDENTIALS, allowCustomHosts: e.SM_ALLOW_CUSTOM_PROVIDER_HOSTS },
    allowedNetworks: e.SM_PROVIDER_ALLOWED_NETWORKS,
    metrics: { token: e.SM_METRICS_TOKEN, port: e.SM_METRICS_PORT, host: e.SM_METRICS_HOST },
    authCacheSeconds: e.SM_AUTH_CACHE_SECONDS,
    rateLimits: {
      failedAuthentications: e.SM_RATE_LIMIT_FAILED_AUTH,
      callsPerPrincipal: e.SM_RATE_LIMIT_CALLS,
      resolvesPerPlatform: e.SM_RATE_LIMIT_RESOLVES,
    },
  };
}
