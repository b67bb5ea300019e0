import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', dataDir: './.data', databaseUrl: undefined, logLevel: 'info', providerTimeoutMs: 10_000 });
    expect(config.embed).toEqual({ audience: 'secret-managers', maxTtlSeconds: 3600 });
    expect(config.database).toEqual({ connectTimeoutMs: 10_000, statementTimeoutMs: 10_000, startTimeoutMs: 60_000 });
  });

  it('reads how long to wait for PostgreSQL', () => {
    expect(loadConfig({ SM_DB_CONNECT_TIMEOUT_MS: '2500', SM_DB_STATEMENT_TIMEOUT_MS: '30000', SM_DB_START_TIMEOUT_MS: '120000' }).database).toEqual({
      connectTimeoutMs: 2500,
      statementTimeoutMs: 30_000,
      startTimeoutMs: 120_000,
    });
  });

  it('reads the embed token audience and maximum lifetime', () => {
    expect(loadConfig({ SM_EMBED_AUDIENCE: 'https://sm.example.com', SM_EMBED_MAX_TTL_SECONDS: '600' }).embed).toEqual({
      audience: 'https://sm.example.com',
      maxTtlSeconds: 600,
    });
  });

  it('bounds every resolve call by default, each bound set by its own variable', () => {
    expect(loadConfig({}).resolve).toEqual({ maxReferences: 1000, timeoutMs: 30_000, maxValueDepth: 64, maxValueStrings: 10_000, maxValueChars: 1024 * 1024 });
    expect(
      loadConfig({ SM_MAX_REFERENCES_PER_CALL: '50', SM_RESOLVE_TIMEOUT_MS: '5000', SM_MAX_VALUE_DEPTH: '8', SM_MAX_VALUE_STRINGS: '100', SM_MAX_VALUE_CHARS: '4096' }).resolve,
    ).toEqual({ maxReferences: 50, timeoutMs: 5000, maxValueDepth: 8, maxValueStrings: 100, maxValueChars: 4096 });
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgres/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ SM_EMBED_MAX_TTL_SECONDS: '10' }, /^SM_EMBED_MAX_TTL_SECONDS: /],
    [{ SM_EMBED_MAX_TTL_SECONDS: 'forever' }, /^SM_EMBED_MAX_TTL_SECONDS: /],
    [{ SM_MAX_REFERENCES_PER_CALL: '0' }, /^SM_MAX_REFERENCES_PER_CALL: /],
    [{ SM_RESOLVE_TIMEOUT_MS: 'soon' }, /^SM_RESOLVE_TIMEOUT_MS: /],
    [{ SM_BOOTSTRAP_ADMIN_TOKEN: 'short' }, /^SM_BOOTSTRAP_ADMIN_TOKEN: must be at least 24/],
    [{ DATABASE_URL: 'postgres://h/db' }, /^SM_ENCRYPTION_KEYS: required when DATABASE_URL/],
    [{ SM_DB_STATEMENT_TIMEOUT_MS: '0' }, /^SM_DB_STATEMENT_TIMEOUT_MS: /],
    [{ SM_DB_CONNECT_TIMEOUT_MS: 'soon' }, /^SM_DB_CONNECT_TIMEOUT_MS: /],
    [{ SM_DB_START_TIMEOUT_MS: '500' }, /^SM_DB_START_TIMEOUT_MS: /],
  ])('names the variable that is wrong: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });
});
