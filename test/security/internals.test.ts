/**
 * Attack: a client sends what the server does not expect — NUL bytes and non-strings where
 * ids and claims go, broken bodies — or calls while the database is gone, to make it
 * answer 500 with SQL, parameters, a stack, a token hash or a driver's message; or reads
 * /metrics to learn how busy each provider is.
 *
 * It must not reveal: any of those in an answer. A client's mistake is a 4xx; what is
 * unexpected is a bare 500 whose request id leads to the detail in the log. Metrics go only
 * to the operator's token or to a listener of their own.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKeyToken } from '../../server/auth/api-key-token.ts';
import { hs256Token } from '../server/support/embed-tokens.ts';
import { startTestServer, type TestServer } from '../server/support/server.ts';

const METRICS_TOKEN = 'metrics-token-for-the-internals-test-42';
/** What no answer may contain: SQL, driver and stack words. */
const INTERNALS = /select |insert |update |delete from|from "|where "|\$1|postgres|PostgresError|drizzle|at .*\.ts:\d+|node_modules|ECONNREFUSED|stack/i;

let t: TestServer;
let adminToken: string;

beforeAll(async () => {
  t = await startTestServer({ database: 'postgres', env: { SM_METRICS_TOKEN: METRICS_TOKEN } });
  ({ adminToken } = await t.newPlatform());
});
afterAll(() => t?.stop());

async function call(path: string, init: RequestInit & { token?: string } = {}) {
  const { token, ...rest } = init;
  const res = await fetch(`${t.url}${path}`, { ...rest, headers: { ...(token && { authorization: `Bearer ${token}` }), ...(rest.headers as Record<string, string>) } });
  const text = await res.text();
  return { status: res.status, text, requestId: res.headers.get('x-request-id') };
}

/** A JWT with any header, signed with some key: the server must refuse it before it goes near the database. */
const jwtWithKid = (kid: unknown) => new SignJWT({ role: 'member' }).setProtectedHeader({ alg: 'HS256', kid } as never).setSubject('x').setExpirationTime('1m').sign(Buffer.from('k'.repeat(32)));

describe("a client's mistakes are 4xx, never a 500, and say nothing of the inside", () => {
  it('refuses JWT kids that are not ids (NUL, non-strings) with 401', async () => {
    for (const kid of ['esk_\u0000', 'esk_a\u0000b', true, 42, { a: 1 }, 'x'.repeat(10_000)]) {
      const answer = await call('/trpc/providers.list', { token: await jwtWithKid(kid) });
      expect(answer.status, JSON.stringify(kid).slice(0, 40)).toBe(401);
      expect(answer.text).not.toMatch(INTERNALS);
    }
  });

  it('refuses a member token whose projectId holds a NUL byte with 401', async () => {
    const admin = t.client(adminToken);
    const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
    const answer = await call('/trpc/secretManagers.list', { token: await hs256Token(key, { role: 'member', projectId: 'a\u0000b' }) });
    expect(answer.status).toBe(401);
    expect(answer.text).not.toMatch(INTERNALS);
  });

  it('refuses tokens of an embed key whose secret this server cannot decrypt with 401', async () => {
    const admin = t.client(adminToken);
    const key = await admin.embedKeys.create.mutate({ name: 'lost key', algorithm: 'HS256' });
    // Its key version left the ring (SM_ENCRYPTION_KEYS changed without rotate-keys).
    await t.database.db.execute(`update embed_signing_keys set key_version = 99 where id = '${key.id}'`);
    const answer = await call('/trpc/providers.list', { token: await hs256Token(key, { role: 'admin' }) });
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('cannot verify tokens');
    expect(answer.text).not.toMatch(INTERNALS);
  });

  it('refuses a connection id with a NUL byte on the REST cache route with 400', async () => {
    const answer = await call('/api/v1/secret-managers/cache?connectionId=con_%00', { method: 'DELETE', token: adminToken });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'BAD_REQUEST', requestId: answer.requestId });
    expect(answer.text).not.toMatch(INTERNALS);
  });

  it('refuses control characters in ids and names of tRPC inputs with 400', async () => {
    const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
    for (const path of [
      `/trpc/secretManagers.get?input=${input({ id: 'con_\u0000' })}`,
      `/trpc/secretManagers.list?input=${input({ projectId: 'prj_\u0007' })}`,
      `/trpc/secrets.list?input=${input({ connectionId: 'con_x', prefix: 'secret/\u0000' })}`,
      `/trpc/secrets.list?input=${input({ connectionId: 'con_x', pageToken: 'a\u001bb' })}`,
    ]) {
      const answer = await call(path, { token: adminToken });
      expect(answer.status, path).toBe(400);
      expect(answer.text).not.toMatch(INTERNALS);
    }
    const created = await call('/trpc/projects.create', { method: 'POST', token: adminToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bad\u0000name' }) });
    expect(created.status).toBe(400);
  });

  it('answers broken bodies with 4xx', async () => {
    for (const body of ['{', '"', 'null', '[]', '{"name":', '\u0000']) {
      const answer = await call('/trpc/projects.create', { method: 'POST', token: adminToken, headers: { 'content-type': 'application/json' }, body });
      expect(answer.status, body).toBeGreaterThanOrEqual(400);
      expect(answer.status, body).toBeLessThan(500);
      expect(answer.text).not.toMatch(INTERNALS);
    }
  });
});

describe('outages and the unexpected', () => {
  it('answers 503 with Retry-After when the database is gone, and logs the detail under the request id', async () => {
    // The attack's own setting: the database connection is gone (here: closed under the running server).
    const gone = await startTestServer({ database: 'postgres' });
    const { adminToken: token } = await gone.newPlatform();
    await gone.database.close();
    try {
      const res = await fetch(`${gone.url}/trpc/projects.list`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(text).not.toMatch(INTERNALS);
      expect(text).not.toContain(hashApiKeyToken(token));
      expect(text).not.toContain(token);
      const requestId = res.headers.get('x-request-id')!;
      expect(JSON.parse(text)).toMatchObject({ error: { data: { code: 'SERVICE_UNAVAILABLE', requestId } } });
      expect(gone.logs.some((line) => line.includes(requestId) && line.includes('unavailable')), 'the log line with the detail').toBe(true);
    } finally {
      await gone.server.stop();
    }
  });

  it('answers a bare 500 with the request id for what nobody foresaw, and the log has the detail under that id', async () => {
    // Something no code path expects: a table gone from under the running server.
    const broken = await startTestServer({ database: 'postgres' });
    const { adminToken: token } = await broken.newPlatform();
    await broken.database.db.execute('alter table projects rename to projects_gone');
    try {
      const res = await fetch(`${broken.url}/trpc/projects.list`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(text).not.toMatch(INTERNALS);
      expect(text).not.toMatch(/relation|does not exist/);
      const requestId = res.headers.get('x-request-id')!;
      expect(JSON.parse(text)).toMatchObject({ error: { message: 'Internal error', data: { code: 'INTERNAL_SERVER_ERROR', requestId } } });
      expect(broken.logs.some((line) => line.includes(requestId) && line.includes('"level":50') && line.includes('does not exist')), 'the error line with the detail').toBe(true);
    } finally {
      await broken.stop();
    }
  });
});

describe('/metrics', () => {
  it('goes only to the operator token on the API port', async () => {
    expect((await call('/metrics')).status).toBe(401);
    expect((await call('/metrics', { token: 'wrong-token-of-the-same-length-4242' })).status).toBe(401);
    const answer = await call('/metrics', { token: METRICS_TOKEN });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('sm_provider_calls_total');
  });

  it('is not served at all without a token, and without one on a listener of its own', async () => {
    const separate = await startTestServer({ database: 'pglite', env: { SM_METRICS_PORT: '0' } });
    try {
      expect((await fetch(`${separate.url}/metrics`)).status).toBe(404);
      const url = separate.server.metricsUrl()!;
      expect(new URL(url).hostname).toBe('127.0.0.1');
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('sm_provider_calls_total');
    } finally {
      await separate.stop();
    }
  });
});
