import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

let t: TestServer;
let token: string;
beforeAll(async () => {
  t = await startTestServer({ database: 'postgres', env: { SM_ALLOWED_ORIGINS: 'https://host.example, http://localhost:5173' } });
  token = (await t.newPlatform()).adminToken;
});
afterAll(async () => {
  await t?.stop();
});

const call = (origin: string | undefined, method = 'GET') =>
  fetch(`${t.url}/trpc/projects.list`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(origin && { origin }), ...(method === 'OPTIONS' && { 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }) },
  });

describe('CORS', () => {
  it('lets listed host origins call the API from a browser', async () => {
    const preflight = await call('https://host.example', 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://host.example');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const res = await call('http://localhost:5173');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('refuses every other origin, and serves same-origin and non-browser callers', async () => {
    for (const method of ['GET', 'OPTIONS']) {
      const res = await call('https://evil.example', method);
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect((await call(new URL(t.url).origin)).status).toBe(200);
    expect((await call(undefined)).status).toBe(200);
  });
});
