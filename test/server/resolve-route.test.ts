/**
 * `POST /trpc/secrets.resolve` is served by a route of its own (server/http/resolve-route.ts)
 * for speed; every other call goes through tRPC's adapter. A client must not be able to tell:
 * for each input and token, the answer (status, Retry-After, body but its request id) is
 * the one the adapter gives for the same call inside a batch of two.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { hs256Token } from './support/embed-tokens.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { startSeededVault, vaultTokenConfig } from './support/vault.ts';

let t: TestServer;
let vault: VaultEmulator;
let tokens: Record<'admin' | 'engine' | 'embed' | 'none' | 'bogus', string | undefined>;
let reference: string;

beforeAll(async () => {
  const seeded = await startSeededVault();
  vault = seeded.vault;
  vault.putSecret('secret', 'app/route', { value: 'route-value' });
  t = await startTestServer({ database: 'postgres' });
  const { admin, adminToken } = await t.newPlatform();
  const connection = await admin.secretManagers.create.mutate({ name: 'V', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, seeded.readToken) });
  reference = `{{sm:${connection.id}:secret/app/route#value}}`;
  const engine = await admin.apiKeys.create.mutate({ name: 'engine', role: 'engine' });
  const embedKey = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
  tokens = { admin: adminToken, engine: engine.token, embed: await hs256Token(embedKey, { role: 'admin' }), none: undefined, bogus: 'smk_not-a-key' };
});
afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

/** Request ids differ per request by design; everything else must match. */
const withoutRequestId = (body: unknown) => JSON.parse(JSON.stringify(body), (key, value) => (key === 'requestId' ? undefined : value));

async function post(path: string, token: string | undefined, body: string) {
  const response = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body,
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as unknown };
}

describe('the resolve route', () => {
  it('is a route of its own, ahead of the adapter', () => {
    expect(t.server.app.hasRoute({ method: 'POST', url: '/trpc/secrets.resolve' })).toBe(true);
  });

  it.each(['admin', 'engine', 'embed', 'none', 'bogus'] as const)('answers as tRPC does, as %s', async (who) => {
    const inputs: unknown[] = [
      { references: [reference] },
      { references: [reference], onError: 'report' },
      { value: { url: `postgres://u:${reference}@db` } },
      { references: ['{{sm:con_unknown000000000000000:secret/x}}'] },
      { references: ['{{sm:con_unknown000000000000000:secret/x}}'], onError: 'report' },
      { references: 'not a list' },
      {},
      null,
    ];
    for (const input of inputs) {
      const single = await post('/trpc/secrets.resolve', tokens[who], JSON.stringify(input));
      const batchOfOne = await post('/trpc/secrets.resolve?batch=1', tokens[who], JSON.stringify({ 0: input }));
      const viaAdapter = await post('/trpc/secrets.resolve,secrets.resolve?batch=1', tokens[who], JSON.stringify({ 0: input, 1: input }));
      const [first] = viaAdapter.body as unknown[];
      const what = `${who} with ${JSON.stringify(input)}`;
      expect(withoutRequestId(single.body), what).toEqual(withoutRequestId(first));
      expect(withoutRequestId(batchOfOne.body), what).toEqual(withoutRequestId([first]));
      expect([single.status, batchOfOne.status], what).toEqual([viaAdapter.status, viaAdapter.status]);
      expect([single.retryAfter, batchOfOne.retryAfter], what).toEqual([viaAdapter.retryAfter, viaAdapter.retryAfter]);
    }
  });
});
