import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretManagerError } from '../../server/errors.ts';
import { createLogger } from '../../server/logger.ts';
import type { ProviderClient, ProviderContext } from '../../server/providers/types.ts';
import { parseSecretPath } from '../../shared/secret-path.ts';
import type { SecretManagerErrorCode } from '../../shared/errors.ts';
import type { ContractCase, ContractEnv, ContractFixture } from './fixture.ts';
import { testEgress } from '../support/egress.ts';

/** One provider-agnostic suite, run for every provider against its emulator (and AWS against moto). */
const fixtures = Object.values(import.meta.glob<{ fixture: ContractFixture }>('./fixtures/*.ts', { eager: true })).map((m) => m.fixture);

const TIMEOUT_MS = 1500;

function path(input: string) {
  const parsed = parseSecretPath(input);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.path;
}

async function failure(promise: Promise<unknown>): Promise<SecretManagerError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(SecretManagerError);
    return e as SecretManagerError;
  }
  throw new Error('expected a SecretManagerError');
}

for (const fixture of fixtures) {
  describe(`provider contract: ${fixture.name}`, () => {
    let env: ContractEnv;
    const logs: string[] = [];
    const messages: string[] = [];
    const clients: ProviderClient[] = [];
    const context: ProviderContext = {
      timeoutMs: TIMEOUT_MS,
      policy: { allowAmbientCredentials: false, allowCustomHosts: true },
      egress: testEgress(),
      logger: createLogger('trace', new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) })),
    };
    const connect = (config: Record<string, unknown>) => {
      const client = env.connect(config, context);
      clients.push(client);
      return client;
    };
    const expectCode = async (promise: Promise<unknown>, code: SecretManagerErrorCode) => {
      const error = await failure(promise);
      messages.push(error.message, error.hint);
      expect(error.code, error.message).toBe(code);
      return error;
    };
    const unless = (c: ContractCase) => (fixture.skip?.includes(c) ? it.skip : it);

    beforeAll(async () => {
      env = await fixture.setup();
    }, 120_000);
    afterAll(async () => {
      await Promise.allSettled(clients.map((c) => c.close()));
      await env?.teardown();
    });

    it('checks a good connection', async () => {
      await expect(connect(env.goodConfig).check()).resolves.toBeDefined();
    });

    unless('badCredentials')('maps bad credentials to AUTHENTICATION_FAILED', async () => {
      await expectCode(connect(env.badCredentialsConfig).check(), 'AUTHENTICATION_FAILED');
    });

    unless('denied')('maps a policy denial to PERMISSION_DENIED', async () => {
      await expectCode(connect(env.deniedConfig).read(path(env.paths.plain)), 'PERMISSION_DENIED');
    });

    it('reads a plain secret', async () => {
      await expect(connect(env.goodConfig).read(path(env.paths.plain))).resolves.toMatchObject({ value: env.paths.plainValue });
    });

    it('maps a missing secret to SECRET_NOT_FOUND', async () => {
      await expectCode(connect(env.goodConfig).read(path(env.paths.missing)), 'SECRET_NOT_FOUND');
    });

    unless('missingVersion')('maps a missing version to SECRET_NOT_FOUND', async () => {
      await expectCode(connect(env.goodConfig).read(path(env.paths.missingVersion)), 'SECRET_NOT_FOUND');
    });

    it('reads a key of a JSON secret and lists its keys', async () => {
      const result = await connect(env.goodConfig).read(path(`${env.paths.json}#${env.paths.jsonKey}`));
      expect(result.value).toBe(env.paths.jsonKeyValue);
      expect(result.keys).toContain(env.paths.jsonKey);
    });

    it('maps a missing JSON key to KEY_NOT_FOUND', async () => {
      await expectCode(connect(env.goodConfig).read(path(`${env.paths.json}#no_such_key_here`)), 'KEY_NOT_FOUND');
    });

    it('explains that a plain secret has no such key', async () => {
      // A plain string is "not a JSON object"; a Vault entry is always a map, whose field names are listed instead.
      const error = await expectCode(connect(env.goodConfig).read(path(`${env.paths.plain}#k`)), 'KEY_NOT_FOUND');
      expect(error.message).toMatch(/"k"/);
    });

    unless('pinnedVersion')('reads a pinned older version', async () => {
      await expect(connect(env.goodConfig).read(path(env.paths.pinnedOld))).resolves.toMatchObject({ value: env.paths.pinnedOldValue });
    });

    unless('rotation')('sees a rotated secret when asked again', async () => {
      const client = connect(env.goodConfig);
      const before = await client.read(path(env.paths.plain));
      await env.rotate(`${before.value}-rotated`);
      await expect(client.read(path(env.paths.plain))).resolves.toMatchObject({ value: `${before.value}-rotated` });
    });

    unless('pagination')('lists names with pagination', async () => {
      const client = connect(env.goodConfig);
      const names: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await client.list({ prefix: env.listPrefix, pageSize: 2, ...(pageToken && { pageToken }) });
        expect(page.names.length).toBeLessThanOrEqual(2);
        names.push(...page.names);
        pageToken = page.nextPageToken;
        pages++;
      } while (pageToken && pages < 50);
      expect(pages).toBeGreaterThan(1);
      expect(names.sort()).toEqual([...env.listExpected].sort());
    });

    it('maps an unreachable host to CONNECTION_FAILED', async () => {
      await expectCode(connect(env.unreachableConfig).check(), 'CONNECTION_FAILED');
    });

    unless('slow')('gives up on a slow server within the budget', async () => {
      const latency = TIMEOUT_MS * 20;
      env.setLatency(latency);
      try {
        const started = performance.now();
        await expectCode(connect(env.goodConfig).read(path(env.paths.plain)), 'CONNECTION_FAILED');
        // Not a speed assertion: it fails only if the adapter waited for the slow answer instead of its budget.
        expect(performance.now() - started).toBeLessThan(latency / 2);
      } finally {
        env.setLatency(0);
      }
    });

    unless('slow')('stops a slow read at once when its caller gives up, failing with the caller\'s reason', async () => {
      const latency = TIMEOUT_MS * 20;
      env.setLatency(latency);
      try {
        // A budget beyond the latency: only the caller's signal can end this read before the answer comes.
        const client = env.connect(env.goodConfig, { ...context, timeoutMs: latency * 2 });
        clients.push(client);
        const caller = new AbortController();
        const read = client.read(path(env.paths.plain), caller.signal);
        setTimeout(() => caller.abort(new Error('the caller gave up')), 100);
        await expect(read).rejects.toThrow('the caller gave up');
      } finally {
        env.setLatency(0);
      }
    });

    it('never puts a credential in an error message or a log line', () => {
      const text = [...messages, ...logs].join('\n');
      expect(messages.length).toBeGreaterThan(0);
      for (const canary of env.canaries) expect(text).not.toContain(canary);
    });
  });
}
