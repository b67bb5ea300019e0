/**
 * Attack: a client guesses tokens as fast as it can, a token (stolen or runaway) calls
 * without pause, or one platform's engines resolve so much that the others starve — on one
 * instance or spread over several.
 *
 * It must not get: more than the configured number of attempts a minute. Over a limit the
 * answer is 429 with Retry-After (tRPC and REST alike), an address over the failed-auth
 * limit gets no further even with a good token, and instances sharing Redis count together.
 * Others (another principal, another platform) are not affected.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dropPrefix, REDIS_URL, testPrefix } from '../server/support/redis.ts';
import { startTestServer, type TestServer } from '../server/support/server.ts';

const servers: TestServer[] = [];
async function serverWith(env: Record<string, string>): Promise<TestServer> {
  const t = await startTestServer({ database: 'postgres', env });
  servers.push(t);
  return t;
}
afterEach(async () => {
  await Promise.allSettled(servers.splice(0).map((t) => t.stop()));
});
afterAll(async () => {
  await Promise.allSettled(servers.map((t) => t.stop()));
});

const get = (t: TestServer, token: string | undefined, path = '/trpc/providers.list') =>
  fetch(`${t.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('rate limits', () => {
  it('refuses an address that keeps failing to authenticate, even with a good token then, with Retry-After', async () => {
    const t = await serverWith({ SM_RATE_LIMIT_FAILED_AUTH: '5' });
    const { adminToken } = await t.newPlatform();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get(t, `smk_guess${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const blocked = await get(t, adminToken);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The REST route counts and refuses the same way.
    const rest = await fetch(`${t.url}/api/v1/secret-managers/cache`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits calls per principal, and not another principal', async () => {
    const t = await serverWith({ SM_RATE_LIMIT_CALLS: '4' });
    const [one, two] = [await t.newPlatform(), await t.newPlatform()];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(t, one.adminToken)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect((await get(t, two.adminToken)).status).toBe(200);
  });

  it("limits a platform's resolve calls, all its keys together, and not another platform's", async () => {
    const t = await serverWith({ SM_RATE_LIMIT_RESOLVES: '3' });
    const a = await t.newPlatform();
    const b = await t.newPlatform();
    const engines = [await a.admin.apiKeys.create.mutate({ name: 'e1', role: 'engine' }), await a.admin.apiKeys.create.mutate({ name: 'e2', role: 'engine' })];
    const resolve = (token: string) =>
      fetch(`${t.url}/trpc/secrets.resolve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ references: ['not a reference'], onError: 'report' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await resolve(engines[i % 2]!.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await resolve(b.adminToken)).status).toBe(200);
    // Other procedures of the same platform go on.
    expect((await get(t, a.adminToken)).status).toBe(200);
  });

  it('counts across instances that share Redis', async () => {
    const prefix = testPrefix();
    const env = { SM_RATE_LIMIT_FAILED_AUTH: '4', REDIS_URL, SM_REDIS_KEY_PREFIX: prefix };
    try {
      const [one, two] = [await serverWith(env), await serverWith(env)];
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await get(i % 2 === 0 ? one : two, `smk_guess${i}`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await dropPrefix(prefix);
    }
  });

  it("leaves an engine's steady resolving and a browser's normal use alone under the defaults", async () => {
    const t = await serverWith({});
    const { admin } = await t.newPlatform();
    const engine = t.client((await admin.apiKeys.create.mutate({ name: 'engine', role: 'engine' })).token);
    const outcomes = await Promise.all(Array.from({ length: 500 }, () => engine.secrets.resolve.mutate({ references: ['x'], onError: 'report' }).then(() => 'ok')));
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
  });
});
