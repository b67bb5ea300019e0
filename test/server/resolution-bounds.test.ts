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
 * names it before any connection, cache or provider is asked; one deadline for the whole
 * call, and `onError: 'throw'` stopping at the first failure, both abandoning provider
 * requests in flight (seen by the provider as closed connections) without failing another
 * call's read of the same secret; audit rows that keep the references, never the text
 * around them. Nothing here reads a clock: requests and closed connections are counted at
 * the emulator, and outcomes told apart by their codes.
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
  const connect = async (to: VaultEmulator, token: string) => {
    const connection = await admin.secretManagers.create.mutate({ name: `vault ${to.url}`, provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(to, token) });
    return (path: string) => `{{sm:${connection.id}:${path}}}`;
  };
  const engine = t.client((await createApiKey(t.database.db, { platformId, role: 'engine', token: generateApiKeyToken() })).token);
  return { t, platformId, engine, ref: await connect(vault, readToken), connect };
}

/**
 * A second Vault that, once `hang()` is called, reads every request and never answers.
 * Its connection is saved (which needs an answer) and used once before, so the client
 * already holds its token when the Vault stops answering.
 */
async function hangingVault(server: Awaited<ReturnType<typeof serverWith>>) {
  const { vault: stuck, readToken: token } = await startSeededVault();
  stuckVaults.push(stuck);
  const ref = await server.connect(stuck, token);
  await server.engine.secrets.resolve.mutate({ references: [ref('secret/app/db#username')] });
  stuck.faults.hang = true;
  stuck.stats.reset();
  const reads = () => stuck.stats.byRoute['GET kv-read'] ?? 0;
  /** Every read that reached this Vault was given up by its client (the connection closed before an answer). */
  const allAbandoned = () => expect.poll(() => ({ reads: reads(), abandoned: stuck.stats.abandoned })).toSatisfy(({ reads, abandoned }) => reads > 0 && abandoned === reads);
  return { stuck, ref, reads, allAbandoned };
}
const stuckVaults: VaultEmulator[] = [];
afterAll(async () => {
  for (const stuck of stuckVaults) await stuck.close();
});

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

  it('answers a 980 KB value of "{{sm:a:" repeated as one broken reference, with an audit row of one reference', async () => {
    const { t, platformId, engine } = await serverWith();
    const value = '{{sm:a:'.repeat(140_000);
    const out = await engine.secrets.resolve.mutate({ value, onError: 'report' });
    expect(out.value).toBeNull();
    expect(out.results).toEqual([{ reference: value.slice(0, 2120), ok: false, code: 'INVALID_PATH', message: expect.any(String) }]);
    const error = await rejection(engine.secrets.resolve.mutate({ value }));
    expect(error.data).toMatchObject({ httpStatus: 400, secretManagerCode: 'INVALID_PATH' });
    expect(error.message.length).toBeLessThan(2120 + 200);
    await t.flushAudit();
    const rows = await rawRows<{ size: number }>(t.database, `select length(details::text) as size from audit_events where platform_id = '${platformId}' and action = 'secrets.resolve'`);
    expect(rows.map((r) => Number(r.size) < 3000)).toEqual([true, true]);
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

    await t.flushAudit();
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

describe('the deadline of a resolve call', () => {
  let server: Awaited<ReturnType<typeof serverWith>>;
  let stuck: Awaited<ReturnType<typeof hangingVault>>;
  // The call's deadline is well under one provider request's budget (2 s in tests): a
  // reference that ends with TIMEOUT ended at the deadline, not at its request's budget.
  beforeAll(async () => {
    server = await serverWith({ SM_RESOLVE_TIMEOUT_MS: '400' });
    stuck = await hangingVault(server);
  });

  it('ends 48 references to a Vault that never answers at the deadline, each with TIMEOUT, and abandons their requests', async () => {
    const references = Array.from({ length: 48 }, (_, i) => stuck.ref(`secret/app/hang-${i}`));
    const out = await server.engine.secrets.resolve.mutate({ references, onError: 'report' });
    expect(out.values).toEqual(references.map(() => null));
    expect(out.results).toEqual(references.map((reference) => ({ reference, ok: false, code: 'TIMEOUT', message: expect.stringMatching(/deadline of 400 ms/) })));
    // At most one request per concurrent slot went out; the rest were never started, and every one sent was abandoned.
    expect(stuck.reads()).toBeLessThanOrEqual(16);
    await stuck.allAbandoned();
  });

  it('fails the call with 504 TIMEOUT in throw mode, naming the first reference not resolved', async () => {
    stuck.stuck.stats.reset();
    const references = Array.from({ length: 48 }, (_, i) => stuck.ref(`secret/app/hang-throw-${i}`));
    const error = await rejection(server.engine.secrets.resolve.mutate({ references, onError: 'throw' }));
    expect(error.data).toMatchObject({ httpStatus: 504, code: 'GATEWAY_TIMEOUT', secretManagerCode: 'TIMEOUT', title: 'Not resolved in time', hint: expect.stringContaining('SM_RESOLVE_TIMEOUT_MS') });
    expect(error.message).toContain(references[0]);
    expect(error.message).toContain('48 of 48 references were not');
    await stuck.allAbandoned();

    await server.t.flushAudit();
    const events = await rawRows<{ outcome: string; details: { failures: { code: string }[] } }>(
      server.t.database,
      `select outcome, details from audit_events where platform_id = '${server.platformId}' and action = 'secrets.resolve' order by at desc limit 1`,
    );
    expect(events[0]!.outcome).toBe('failure');
    expect(events[0]!.details.failures.map((f) => f.code)).toEqual(references.map(() => 'TIMEOUT'));
  });

  it('leaves what resolved in time resolved', async () => {
    const out = await server.engine.secrets.resolve.mutate({ value: { ok: server.ref('secret/app/plain'), stuck: stuck.ref('secret/app/never') }, onError: 'report' });
    expect(out.value).toEqual({ ok: 'plain-canary-3e1d', stuck: null });
    expect(out.results!.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'TIMEOUT']);
  });
});

describe('onError throw', () => {
  let server: Awaited<ReturnType<typeof serverWith>>;
  beforeAll(async () => {
    server = await serverWith();
  });

  it('stops at the first failure: starts nothing more and aborts the requests in flight', async () => {
    const stuck = await hangingVault(server);
    const missing = server.ref('secret/app/missing');
    const references = Array.from({ length: 100 }, (_, i) => stuck.ref(`secret/app/stop-${i}`));
    references.splice(3, 0, missing);
    // The missing secret is reported slowly, so the other reads are all at the stuck Vault by then.
    vault.faults.latencyMs = 300;
    const error = await rejection(server.engine.secrets.resolve.mutate({ references, onError: 'throw' })).finally(() => (vault.faults.latencyMs = 0));
    expect(error.data).toMatchObject({ httpStatus: 422, secretManagerCode: 'SECRET_NOT_FOUND' });
    expect(error.message).toContain(missing);
    // 16 at a time: the missing secret took one slot, the stuck Vault the 15 others, and nothing more was started.
    expect(stuck.reads()).toBe(15);
    await stuck.allAbandoned();

    await server.t.flushAudit();
    const [event] = await rawRows<{ details: { failures: unknown[]; abandoned: number } }>(
      server.t.database,
      `select details from audit_events where platform_id = '${server.platformId}' and action = 'secrets.resolve' order by at desc limit 1`,
    );
    expect(event!.details.failures).toEqual([{ reference: missing, code: 'SECRET_NOT_FOUND' }]);
    expect(event!.details.abandoned).toBe(100);
  });

  it("does not fail another call's read of the same secret", async () => {
    const slow = await startSeededVault();
    stuckVaults.push(slow.vault);
    slow.vault.putSecret('secret', 'app/shared', { value: 'shared-canary-41c0' });
    const slowRef = await server.connect(slow.vault, slow.readToken);
    const shared = slowRef('secret/app/shared');
    await server.engine.secrets.resolve.mutate({ references: [slowRef('secret/app/db#username')] });
    slow.vault.stats.reset();
    slow.vault.faults.latencyMs = 1500;
    vault.faults.latencyMs = 200;
    try {
      const patient = server.engine.secrets.resolve.mutate({ references: [shared], onError: 'report' });
      await expect.poll(() => slow.vault.stats.requests).toBe(1);
      // This call reads the same secret (joining the read under way), then fails on another reference and stops.
      const failing = await rejection(server.engine.secrets.resolve.mutate({ references: [shared, server.ref('secret/app/missing-too')], onError: 'throw' }));
      expect(failing.data.secretManagerCode).toBe('SECRET_NOT_FOUND');
      expect((await patient).results).toEqual([{ reference: shared, ok: true, value: 'shared-canary-41c0' }]);
    } finally {
      slow.vault.faults.latencyMs = 0;
      vault.faults.latencyMs = 0;
    }
    expect(slow.vault.stats.byRoute['GET kv-read']).toBe(1);
    expect(slow.vault.stats.abandoned).toBe(0);
  });
});
