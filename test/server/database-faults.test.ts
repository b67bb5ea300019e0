import { Writable } from 'node:stream';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKeyToken } from '../../server/auth/api-key-token.ts';
import { loadConfig } from '../../server/config.ts';
import { KeyRing } from '../../server/crypto/keyring.ts';
import { DatabaseUnavailableError, isDatabaseUnavailable, unavailabilityOf } from '../../server/db/errors.ts';
import { readinessProbe } from '../../server/db/readiness.ts';
import { createLogger } from '../../server/logger.ts';
import { createServer, type RunningServer } from '../../server/server.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { apiClient, rejection, type ApiClient } from './support/server.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const adminToken = `bootstrap-${generateApiKeyToken()}`;
let db: TestDatabase;
let proxy: TcpProxy;
let server: RunningServer;
let url: string;
let admin: ApiClient;
const logs: string[] = [];

/** GET /readyz with a generous client timeout: proves it answered, whatever the database does. */
async function readyz(): Promise<number> {
  return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;
}

/** The raw tRPC answer, to check what a client sees beyond the typed error. */
async function rawList(): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/trpc/secretManagers.list`, { headers: { authorization: `Bearer ${adminToken}` }, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, body: await response.text() };
}

async function expectUnavailable(): Promise<void> {
  const failure = await rejection(admin.secretManagers.list.query());
  expect(failure.data).toMatchObject({ httpStatus: 503, code: 'SERVICE_UNAVAILABLE' });
  const raw = await rawList();
  expect(raw.status).toBe(503);
  // No SQL, table, driver code or address of the database in the answer.
  for (const internal of ['select', 'api_keys', 'CONNECTION', 'ECONN', String(proxy.port), '127.0.0.1']) expect(raw.body).not.toContain(internal);
}

beforeAll(async () => {
  db = await createTestDatabase();
  proxy = await TcpProxy.start(db.url);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'debug',
    DATABASE_URL: proxy.via(db.url),
    SM_ENCRYPTION_KEYS: KeyRing.generateKey(1),
    SM_BOOTSTRAP_ADMIN_TOKEN: adminToken,
    SM_DB_CONNECT_TIMEOUT_MS: '1000',
    SM_DB_STATEMENT_TIMEOUT_MS: '1000',
  });
  server = await createServer(config, { logger: createLogger('debug', sink) });
  url = (await server.start()).replace('[::1]', '127.0.0.1');
  admin = apiClient(url, adminToken);
});
afterAll(async () => {
  await proxy?.restore();
  await server?.stop();
  await proxy?.close();
  await db?.drop();
});

describe('a database that goes away while the server runs', { timeout: 60_000 }, () => {
  it('cut: requests answer 503 SERVICE_UNAVAILABLE without internals, /readyz 503; restored: the same server answers again', async () => {
    await admin.secretManagers.list.query();
    expect(await readyz()).toBe(200);

    await proxy.cut();
    await expectUnavailable();
    expect(await readyz()).toBe(503);

    await proxy.restore();
    await expect(admin.secretManagers.list.query()).resolves.toEqual([]);
    expect(await readyz()).toBe(200);
  });

  it('stalled: /readyz answers 503 at once; requests fail with 503 once the database stayed silent past the statement timeout; restored: answers again', async () => {
    await admin.secretManagers.list.query();
    proxy.pause();
    try {
      expect(await readyz()).toBe(503);
      await expectUnavailable();
      expect(logs.some((line) => line.includes('the database stopped answering'))).toBe(true);
    } finally {
      await proxy.restore();
    }
    await expect(admin.secretManagers.list.query()).resolves.toEqual([]);
    expect(await readyz()).toBe(200);
  });
});

describe('recognising an unavailable database', () => {
  it('knows driver, network and PostgreSQL errors wrapped by Drizzle, and nothing else', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    expect(unavailabilityOf(new DrizzleQueryError('select * from api_keys where token_hash = $1', ['h'], refused))).toBe('connection refused');
    expect(unavailabilityOf(Object.assign(new Error('write CONNECTION_CLOSED db:5432'), { code: 'CONNECTION_CLOSED' }))).toBe('connection closed');
    expect(unavailabilityOf(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe('statement timed out');
    expect(unavailabilityOf(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe('the database is starting up');
    expect(unavailabilityOf(Object.assign(new Error('terminating connection'), { code: '08006' }))).toBe('connection failure');
    expect(unavailabilityOf(new DatabaseUnavailableError('the database stopped answering'))).toBe('the database stopped answering');

    for (const other of [new Error('boom'), Object.assign(new Error('duplicate key'), { code: '23505' }), Object.assign(new Error('bad password'), { code: '28P01' }), undefined, 'ECONNREFUSED']) {
      expect(isDatabaseUnavailable(other)).toBe(false);
    }
  });

  it('/readyz knows within its bound when a ping never answers (PGlite and PostgreSQL alike), and shares one ping among waiting probes', async () => {
    let pings = 0;
    const probe = readinessProbe({ ping: () => (pings++, new Promise<void>(() => {})) }, 50);
    expect(await Promise.all([probe(), probe(), probe()])).toEqual([false, false, false]);
    expect(pings).toBe(1);
    const failing = readinessProbe({ ping: () => Promise.reject(new Error('closed')) }, 1000);
    expect(await failing()).toBe(false);
    const healthy = readinessProbe({ ping: () => Promise.resolve() }, 1000);
    expect(await healthy()).toBe(true);
  });
});
