import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

let t: TestServer;
let token: string;

beforeAll(async () => {
  t = await startTestServer({ database: 'postgres' });
  token = (await t.newPlatform()).adminToken;
});
afterAll(async () => {
  await t?.stop();
});

const post = (path: string, body: string, auth = true) =>
  fetch(`${t.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth && { authorization: `Bearer ${token}` }) },
    body,
  });

describe('HTTP surface', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('speaks plain JSON, curl-friendly', async () => {
    const created = await post('projects.create', JSON.stringify({ name: 'curl project' }));
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ result: { data: { name: 'curl project', id: expect.stringMatching(/^prj_/) } } });
  });

  it('never answers 500 to anything a client can send', async () => {
    const bodies = [
      '',
      'not json',
      '[]',
      'null',
      '{"name": 5}',
      JSON.stringify({ name: 'x'.repeat(10_000) }),
      JSON.stringify({ name: 'x', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: { url: 'http://127.0.0.1:1', token: 7 } }),
      JSON.stringify({ name: 'x', provider: 'vault', authMethod: '__proto__', scope: 'PLATFORM', config: {} }),
      JSON.stringify({ name: 'x', provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds: [null], config: [] }),
      JSON.stringify({ id: { $ne: null } }),
    ];
    for (const path of ['secretManagers.create', 'secretManagers.update', 'secretManagers.test', 'projects.create', 'secretManagers.delete', 'nope.nothing']) {
      for (const body of bodies) {
        const res = await post(path, body);
        const what = `${path} ${body.slice(0, 40)}`;
        expect(res.status, what).not.toBe(500);
        // Anything that is not an object of the right shape is the client's mistake; valid extra keys are ignored.
        if (!body.startsWith('{') || path === 'nope.nothing') expect(res.status, what).toBeGreaterThanOrEqual(400);
        expect(res.status, what).toBeLessThan(500);
      }
    }
    const query = await fetch(`${t.url}/trpc/secretManagers.list?input=${encodeURIComponent('{bad')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(query.status).toBe(400);
    const unauth = await post('projects.create', '{"name":"x"}', false);
    expect(unauth.status).toBe(401);
  });
});
