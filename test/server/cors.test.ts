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

const call = (origin: string | undefined, method = 'GET', extra: Record<string, string> = {}, base = () => t.url) =>
  fetch(`${base()}/trpc/projects.list`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(origin && { origin }),
      ...(method === 'OPTIONS' && { 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }),
      ...extra,
    },
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
    // Same origin as the browser asserts it (a header no page can set), and callers that send no Origin.
    expect((await call(new URL(t.url).origin, 'GET', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await call(undefined)).status).toBe(200);
  });

  it('never takes the Host header for the server\'s own origin: only SM_PUBLIC_URL or the browser says so', async () => {
    // The attack: a page on evil.example (or a client that sends a matching Host) claims to be same-origin.
    const origin = new URL(t.url).origin;
    expect((await call(origin)).status).toBe(403);
    expect((await call('https://evil.example', 'GET', { host: 'evil.example' })).status).toBe(403);
    expect((await call('https://evil.example', 'GET', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const withPublicUrl = await startTestServer({ database: 'pglite', env: { SM_PUBLIC_URL: 'https://secrets.example.com' } });
    try {
      token = (await withPublicUrl.newPlatform()).adminToken;
      expect((await call('https://secrets.example.com', 'GET', {}, () => withPublicUrl.url)).status).toBe(200);
      expect((await call(new URL(withPublicUrl.url).origin, 'GET', {}, () => withPublicUrl.url)).status).toBe(403);
    } finally {
      await withPublicUrl.stop();
    }
  });

  it('keeps answers for different origins apart in caches, never sniffed, never stored, with the request id', async () => {
    for (const res of [await call('https://host.example'), await call(undefined), await fetch(`${t.url}/healthz`), await fetch(`${t.url}/trpc/nope`)]) {
      expect(res.headers.get('vary')).toMatch(/(^|, )Origin(,|$)/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
