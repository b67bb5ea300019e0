/**
 * Attack: a caller (a member through secrets.check / secrets.list, an engine through
 * secrets.resolve, an admin through clearCache) sends ids that name no connection, by the
 * hundred thousand, to grow the server's in-process caches until it runs out of memory.
 *
 * It must not grow: the connection directory or the provider client pool beyond their
 * bounds; unknown ids are not remembered at all. The real connection still resolves.
 * secrets.resolve carries 100,000 ids (1,000 a call), each one-id procedure that reaches
 * the directory 5,000, the others 500; SM_FUZZ_SCALE multiplies them for a long local run
 * (SM_FUZZ_SCALE=20: 100,000 through every procedure).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateRequest, createContextInner } from '../../server/trpc/context.ts';
import { createCallerFactory } from '../../server/trpc/init.ts';
import { appRouter } from '../../server/routers/_app.ts';
import { ConnectionDirectory } from '../../server/services/connection-directory.ts';
import { newId } from '../../server/services/ids.ts';
import { ProviderClientPool } from '../../server/providers/registry.ts';
import { createLogger } from '../../server/logger.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { hs256Token } from '../server/support/embed-tokens.ts';
import { startTestServer, type TestServer } from '../server/support/server.ts';
import { startSeededVault, vaultTokenConfig } from '../server/support/vault.ts';
import { testEgress } from '../support/egress.ts';

const SCALE = Number(process.env.SM_FUZZ_SCALE ?? 1);
/** Ids per call of secrets.resolve (its limit), and calls at once for the one-id procedures. */
const REFERENCES_PER_CALL = 1_000;
const CONCURRENCY = 64;

let t: TestServer;
let vault: VaultEmulator;
let readToken: string;
let tokens: { admin: string; engine: string; member: string };
let connectionId: string;
let projectId: string;

const unknownId = () => `con_${randomBytes(12).toString('base64url')}`;

/** The server's own router, in process: the same procedures and context, without HTTP's cost per call. */
async function callerFor(token: string) {
  const deps = t.server.deps;
  return createCallerFactory(appRouter)(createContextInner(deps, await authenticateRequest(deps, `Bearer ${token}`)));
}

/** Runs `call` on `count` fresh unknown ids, `CONCURRENCY` at a time; every answer must be a 4xx. */
async function flood(count: number, call: (id: string) => Promise<unknown>): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const outcome = await call(unknownId()).then(
          () => 'answered',
          (e: { code?: string }) => e.code,
        );
        expect(['NOT_FOUND', 'FORBIDDEN', 'answered']).toContain(outcome);
      }
    }),
  );
}

beforeAll(async () => {
  ({ vault, readToken } = await startSeededVault());
  t = await startTestServer({ database: 'postgres' });
  const { admin, adminToken } = await t.newPlatform();
  projectId = (await admin.projects.create.mutate({ name: 'P' })).id;
  connectionId = (await admin.secretManagers.create.mutate({ name: 'Vault', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) })).id;
  const key = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
  tokens = {
    admin: adminToken,
    engine: (await admin.apiKeys.create.mutate({ name: 'engine', role: 'engine' })).token,
    member: await hs256Token(key, { role: 'member', projectId }, { lifetimeSeconds: 3600 }),
  };
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

describe('in-process caches stay within their bounds', () => {
  it('whatever unknown connection ids are resolved, checked, listed and cleared', async () => {
    const [engine, member, admin] = [await callerFor(tokens.engine), await callerFor(tokens.member), await callerFor(tokens.admin)];
    const real = `{{sm:${connectionId}:secret/app/db#username}}`;
    expect((await engine.secrets.resolve({ references: [real] })).values).toEqual(['app']);

    const idsThroughResolve = 100_000 * SCALE;
    for (let sent = 0; sent < idsThroughResolve; sent += REFERENCES_PER_CALL) {
      const references = Array.from({ length: REFERENCES_PER_CALL }, () => `{{sm:${unknownId()}:secret/app/db}}`);
      const out = await engine.secrets.resolve({ references, onError: 'report' });
      expect(out.results!.every((r) => !r.ok && r.code === 'CONNECTION_NOT_FOUND')).toBe(true);
    }
    const idsPerCall = 5_000 * SCALE;
    await flood(idsPerCall, (id) => member.secrets.check({ projectId, connectionId: id, path: 'secret/app/db' }));
    await flood(idsPerCall, (id) => member.secrets.list({ projectId, connectionId: id }));
    await flood(idsPerCall, (id) => admin.secretManagers.clearCache({ connectionId: id }));
    // The procedures that read no in-process cache get fewer: the bound is about the ones that do.
    const fewer = 500 * SCALE;
    await flood(fewer, (id) => admin.secretManagers.get({ id }));
    await flood(fewer, (id) => admin.secretManagers.update({ id, name: 'renamed' }));
    await flood(fewer, (id) => admin.secretManagers.test({ id }));
    await flood(fewer, (id) => admin.secretManagers.delete({ id }));
    await flood(fewer, (id) => admin.projects.update({ id, name: 'renamed' }));
    await flood(fewer, (id) => admin.projects.delete({ id }));
    await flood(fewer, (id) => admin.embedKeys.revoke({ id }));
    await flood(fewer, (id) => admin.apiKeys.revoke({ id }));

    const { connections, clients } = t.server.deps;
    // Only the one real connection (and its one client) is held: unknown ids left nothing behind.
    expect(connections.size).toBeLessThanOrEqual(1);
    expect(clients.size).toBeLessThanOrEqual(1);
    expect((await engine.secrets.resolve({ references: [real] })).values).toEqual(['app']);
  }, 120_000);

  it('whatever unknown API keys and embed tokens of unknown keys are presented', async () => {
    const { deps } = t.server;
    const before = deps.authCache.size;
    for (let i = 0; i < 500 * SCALE; i++) {
      const apiKey = await authenticateRequest(deps, `Bearer smk_${randomBytes(24).toString('base64url')}`);
      const embed = await authenticateRequest(deps, `Bearer ${await hs256Token({ id: newId('esk'), secret: 'guess' }, { role: 'admin' })}`);
      expect([apiKey.principal, embed.principal]).toEqual([null, null]);
    }
    // Only what names something is kept: a flood of guesses leaves nothing behind.
    expect(deps.authCache.size).toBe(before);
  }, 120_000);

  it('by evicting the least recently used connections and closing the clients it drops', async () => {
    const { admin, platformId } = await t.newPlatform();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await admin.secretManagers.create.mutate({ name: `V${i}`, provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, readToken) })).id);
    }
    const directory = new ConnectionDirectory(t.server.deps.db, t.keyRing, t.server.deps.generations, 60_000, 3);
    const handles = [];
    for (const id of ids) {
      handles.push((await directory.lookup(platformId, [id])).get(id)!);
      expect(directory.size).toBeLessThanOrEqual(3);
    }
    expect(directory.size).toBe(3);

    const closed: string[] = [];
    const pool = new ProviderClientPool({ timeoutMs: 1_000, logger: createLogger('silent'), policy: { allowAmbientCredentials: false, allowCustomHosts: true }, egress: testEgress() }, 2);
    for (const handle of handles) {
      const client = pool.get(handle);
      const close = client.close.bind(client);
      client.close = async () => {
        closed.push(handle.id);
        await close();
      };
      expect(pool.size).toBeLessThanOrEqual(2);
    }
    expect(closed).toEqual(ids.slice(0, 3));
    await pool.closeAll();
    expect(closed.sort()).toEqual([...ids].sort());
  });
});
