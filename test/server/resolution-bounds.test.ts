import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateApiKeyToken } from '../../server/auth/api-key-token.ts';
import { createApiKey } from '../../server/services/api-keys.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { dropPrefix, REDIS_URL, testPrefix } from './support/redis.ts';
import { rawRows, rejection, startTestServer, type ApiClient, type TestServer } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

/**
 * The bounds of one `secrets.resolve` call (issue 12): one limit on references counted
 * across `references` and `value`, limits on `value` itself, each refused with a 400 that
 * names it before any connection, cache or provider is asked; audit rows that keep the
 * references, never the text around them.
 */
const prefix = testPrefix();
let vault: VaultEmulator;
let readToken: string;
const servers: TestServer[] = [];

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  vault.putSecret('secret', 'app/plain', { value: 'plain-canary-3e1d' });
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  await vault?.close();
  await dropPrefix(prefix);
});

async function serverWith(env: Record<string, string> = {}) {
  const t = await startTestServer({ database: 'postgres', env: { REDIS_URL, SM_REDIS_KEY_PREFIX: prefix, ...env } });
  servers.push(t);
  const { admin, platformId } = await t.newPlatform();
  const connection = await admin.secretManagers.create.mutate({ name: 'vault', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) });
  const engine = t.client((await createApiKey(t.database.db, { platformId, role: 'engine', token: generateApiKeyToken() })).token);
  const ref = (path: string) => `{{sm:${connection.id}:${path}}}`;
  return { t, platformId, engine, ref };
}

/** Calls `run` and says how many connection lookups, cache reads and provider requests it caused. */
async function work(t: TestServer, run: () => Promise<unknown>) {
  const lookups = vi.spyOn(t.server.deps.connections, 'lookup');
  const cacheReads = vi.spyOn(t.server.deps.cache, 'getOrLoad');
  const before = vault.stats.requests;
  try {
    await run();
    return { lookups: lookups.mock.calls.length, cacheReads: cacheReads.mock.calls.length, providerRequests: vault.stats.requests - before };
  } finally {
    lookups.mockRestore();
    cacheReads.mockRestore();
  }
}

const none = { lookups: 0, cacheReads: 0, providerRequests: 0 };

describe('the bounds of a resolve call', () => {
  let engine: ApiClient;
  let t: TestServer;
  let ref: (path: string) => string;
  beforeAll(async () => {
    ({ t, engine, ref } = await serverWith({ SM_MAX_REFERENCES_PER_CALL: '5', SM_MAX_VALUE_DEPTH: '3', SM_MAX_VALUE_STRINGS: '8', SM_MAX_VALUE_CHARS: '3000' }));
  });

  const refused = async (input: Parameters<ApiClient['secrets']['resolve']['mutate']>[0], field: string, bound: RegExp) => {
    let error: Awaited<ReturnType<typeof rejection>> | undefined;
    expect(await work(t, async () => (error = await rejection(engine.secrets.resolve.mutate(input))))).toEqual(none);
    expect(error!.data).toMatchObject({ httpStatus: 400, code: 'BAD_REQUEST' });
    expect(error!.data.zodError.issues).toEqual([{ path: field, message: expect.stringMatching(bound) }]);
  };

  it('counts references across references and value together, each one written', async () => {
    const three = ['a', 'b', 'c'].map((p) => ref(`secret/app/${p}`));
    await refused({ references: three, value: { x: `${three[0]} ${three[1]}`, y: three[2] }, onError: 'report' }, 'value', /at most 5 references \(SM_MAX_REFERENCES_PER_CALL\)/);
    // The same reference written twice counts twice: the work of replacing it grows with it.
    await refused({ value: Array.from({ length: 6 }, () => ref('secret/app/plain')) }, 'value', /at most 5 references/);
    await refused({ references: Array.from({ length: 6 }, (_, i) => ref(`secret/app/${i}`)) }, 'references', /at most 5 references/);
    // A broken reference counts too: it is still resolved, as a failure.
    await refused({ references: three.slice(0, 2), value: [...three, '{{sm:x'] }, 'value', /at most 5 references/);

    const atTheLimit = await engine.secrets.resolve.mutate({ references: three.slice(0, 2), value: [ref('secret/app/plain'), ref('secret/app/plain'), 'text'], onError: 'report' });
    expect(atTheLimit.value).toEqual(['plain-canary-3e1d', 'plain-canary-3e1d', 'text']);
  });

  it('bounds the depth, the strings and the characters of value', async () => {
    await refused({ value: { a: { b: { c: { d: 'deep' } } } } }, 'value', /nested more than 3 levels deep \(SM_MAX_VALUE_DEPTH\)/);
    await refused({ value: Array.from({ length: 9 }, (_, i) => `s${i}`) }, 'value', /more than 8 strings \(SM_MAX_VALUE_STRINGS\)/);
    await refused({ value: { a: 'x'.repeat(1500), b: 'y'.repeat(1501) } }, 'value', /more than 3000 characters in all \(SM_MAX_VALUE_CHARS\)/);
    const within = { a: { b: { c: 'x'.repeat(1500) } }, d: [1, 2, null, true], e: 'y'.repeat(1500) };
    expect((await engine.secrets.resolve.mutate({ value: within })).value).toEqual(within);
  });
});

describe('a resolve call under the default bounds', () => {
  it('refuses 1,500 references in value before any provider call, even with onError throw', async () => {
    const { t, engine, ref } = await serverWith();
    const value = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`field${i}`, ref(`secret/app/many-${i}`)]));
    let error: Awaited<ReturnType<typeof rejection>> | undefined;
    expect(await work(t, async () => (error = await rejection(engine.secrets.resolve.mutate({ value, onError: 'throw' }))))).toEqual(none);
    expect(error!.data.httpStatus).toBe(400);
    expect(error!.message).toMatch(/at most 1000 references \(SM_MAX_REFERENCES_PER_CALL\)/);
  });

  it('keeps the references in the audit row, never the text of value around them', async () => {
    const { t, platformId, engine, ref } = await serverWith();
    const filler = 'value-text-canary-'.repeat(15_000);
    const broken = `{{sm:con_x:secret/app/unclosed ${filler}`;
    const out = await engine.secrets.resolve.mutate({
      value: { dsn: `${filler} ${ref('secret/app/plain')} ${filler}`, header: `Bearer ${ref('secret/app/db#password')}`, broken },
      onError: 'report',
    });
    expect(out.value).toEqual({ dsn: `${filler} plain-canary-3e1d ${filler}`, header: 'Bearer vault-value-canary-7c1e', broken: null });
    const brokenResult = out.results!.find((r) => !r.ok)!;
    expect(brokenResult).toMatchObject({ ok: false, code: 'INVALID_PATH' });
    expect(brokenResult.reference.startsWith('{{sm:con_x:secret/app/unclosed value-text-canary-')).toBe(true);
    expect(brokenResult.reference.length).toBeLessThanOrEqual(2120);

    const [row] = await rawRows<{ details: Record<string, unknown> }>(
      t.database,
      `select details from audit_events where platform_id = '${platformId}' and action = 'secrets.resolve'`,
    );
    expect(row!.details).toMatchObject({
      references: 3,
      paths: ['secret/app/plain', 'secret/app/db#password', null],
      failures: [{ reference: brokenResult.reference, code: 'INVALID_PATH' }],
    });
    const stored = JSON.stringify(row!.details);
    expect(stored.length).toBeLessThan(3 * 2120);
    expect(stored).not.toContain('plain-canary-3e1d');
    expect(stored).not.toContain('vault-value-canary-7c1e');
  });
});
