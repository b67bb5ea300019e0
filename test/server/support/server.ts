import { Writable } from 'node:stream';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { loadConfig } from '../../../server/config.ts';
import { KeyRing } from '../../../server/crypto/keyring.ts';
import { openPglite, openPostgres, type Database } from '../../../server/db/client.ts';
import { createLogger } from '../../../server/logger.ts';
import type { AppRouter } from '../../../server/routers/_app.ts';
import { createServer, type RunningServer } from '../../../server/server.ts';
import { generateApiKeyToken } from '../../../server/auth/api-key-token.ts';
import { createApiKey } from '../../../server/services/api-keys.ts';
import { createPlatform } from '../../../server/services/platforms.ts';
import { LOOPBACK_NETWORKS } from '../../support/egress.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export type ApiClient = ReturnType<typeof apiClient>;

export function apiClient(baseUrl: string, token: string | undefined) {
  return createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${baseUrl}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
  });
}

/** The rejection of a tRPC call, with `data` typed loosely for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions probe the error data freely
export async function rejection(promise: Promise<unknown>): Promise<{ message: string; data: any }> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCClientError) return { message: e.message, data: e.data };
    throw e;
  }
  throw new Error('expected the call to fail');
}

export interface TestServer {
  url: string;
  server: RunningServer;
  database: Database;
  keyRing: KeyRing;
  /** Every log line the server wrote, for canary checks. */
  logs: string[];
  /** A platform with an admin key, created fresh. */
  newPlatform(name?: string): Promise<{ platformId: string; adminToken: string; admin: ApiClient }>;
  client(token: string | undefined): ApiClient;
  /** Writes the resolution audit events still queued in the server's batching writer, so a test can read them. */
  flushAudit(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestServer(options: { database: 'postgres' | 'pglite'; keyRing?: KeyRing; env?: Record<string, string> }): Promise<TestServer> {
  let testDb: TestDatabase | undefined;
  let database: Database;
  if (options.database === 'postgres') {
    testDb = await createTestDatabase();
    database = await openPostgres(testDb.url);
  } else {
    database = await openPglite(undefined);
  }
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const keyRing = options.keyRing ?? KeyRing.parse(KeyRing.generateKey(1));
  // The emulators listen on this machine's loopback, which the operator must allow; security tests override it.
  // Suites that refuse tokens by the dozen would trip the failed-authentication limit; its own tests set it.
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'debug',
    SM_PROVIDER_TIMEOUT_MS: '2000',
    SM_PROVIDER_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
    SM_RATE_LIMIT_FAILED_AUTH: '0',
    ...options.env,
  });
  const server = await createServer(config, { logger: createLogger('debug', sink), database, keyRing });
  const url = (await server.start()).replace('[::1]', '127.0.0.1');

  return {
    url,
    server,
    database,
    keyRing,
    logs,
    async newPlatform(name = 'test platform') {
      const platform = await createPlatform(database.db, name);
      const key = await createApiKey(database.db, { platformId: platform.id, role: 'admin', token: generateApiKeyToken() });
      return { platformId: platform.id, adminToken: key.token, admin: apiClient(url, key.token) };
    },
    client: (token) => apiClient(url, token),
    flushAudit: async () => server.deps.audit.flush(),
    async stop() {
      await server.stop();
      await database.close();
      await testDb?.drop();
    },
  };
}

/** Rows of a raw query, whichever driver runs it (postgres-js returns an array, PGlite `{ rows }`). */
export async function rawRows<T = Record<string, unknown>>(database: Database, query: string): Promise<T[]> {
  const result = (await database.db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}
