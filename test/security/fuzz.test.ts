/**
 * Attack: every tRPC procedure and REST route receives what a hostile or careless client
 * sends — wrong types, huge and deeply nested values, control characters, lone surrogates,
 * right-to-left overrides, repeated reference openers, SQL, prototype keys, ids of another
 * platform — as every kind of principal and as nobody.
 *
 * It must not: answer 5xx, or put SQL, a stack, a driver's words, a credential, or (to
 * anyone but the platform's own admins and engines) a secret value into any answer. Cases
 * are a seeded sample; SM_FUZZ_RUNS sets how many per procedure (2,000 by default; more for
 * a long local run).
 */
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/routers/_app.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { hs256Token } from '../server/support/embed-tokens.ts';
import { startTestServer, type TestServer } from '../server/support/server.ts';
import { startSeededVault, vaultTokenConfig } from '../server/support/vault.ts';

const RUNS = Number(process.env.SM_FUZZ_RUNS ?? 2_000);
const SEED = 1202;
const CONCURRENCY = 16;
/** Per test: SM_FUZZ_RUNS cases take seconds on an idle machine, far longer on a busy one. */
const BUDGET_MS = 120_000 * Math.max(1, RUNS / 2_000);
/** SQL, drivers, stacks, file paths: the inside of the server. */
const INTERNALS = /\bselect\b[^"]{0,300}\bfrom "|insert into "|delete from "|update "\w+" set|\bwhere "|PostgresError|drizzle|node_modules|\.ts:\d+:\d+|\bat [\w.<>]+ \(\/|ECONNREFUSED|pglite/i;
const SECRET_VALUE = 'vault-value-canary-7c1e';

type Principal = 'nobody' | 'admin' | 'engine' | 'projectEngine' | 'embedAdmin' | 'projectAdmin' | 'member' | 'foreignAdmin';
/** Who may legitimately receive the platform's secret values. */
const mayReadValues: ReadonlySet<Principal> = new Set(['admin', 'engine', 'projectEngine']);

let t: TestServer;
let vault: VaultEmulator;
let credentials: string[];
let tokens: Record<Exclude<Principal, 'nobody'>, string>;
let knownIds: string[];

beforeAll(async () => {
  const seeded = await startSeededVault();
  vault = seeded.vault;
  t = await startTestServer({ database: 'postgres' });
  const a = await t.newPlatform('fuzzed');
  const b = await t.newPlatform('foreign');
  const project = await a.admin.projects.create.mutate({ name: 'P', externalId: 'host-p' });
  const connection = await a.admin.secretManagers.create.mutate({ name: 'Vault', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, seeded.readToken) });
  const scoped = await a.admin.secretManagers.create.mutate({ name: 'Scoped', provider: 'vault', authMethod: 'token', scope: 'PROJECT', projectIds: [project.id], config: vaultTokenConfig(vault, seeded.readToken) });
  const foreign = await b.admin.secretManagers.create.mutate({ name: 'Foreign', provider: 'vault', authMethod: 'token', scope: 'PLATFORM', config: vaultTokenConfig(vault, seeded.readToken) });
  const key = await a.admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
  const engine = await a.admin.apiKeys.create.mutate({ name: 'engine', role: 'engine' });
  const projectEngine = await a.admin.apiKeys.create.mutate({ name: 'project engine', role: 'engine', projectId: project.id });
  const hour = { lifetimeSeconds: 3600 };
  tokens = {
    admin: a.adminToken,
    engine: engine.token,
    projectEngine: projectEngine.token,
    embedAdmin: await hs256Token(key, { role: 'admin' }, hour),
    projectAdmin: await hs256Token(key, { role: 'admin', projectId: project.id }, hour),
    member: await hs256Token(key, { role: 'member', projectId: project.id }, hour),
    foreignAdmin: b.adminToken,
  };
  credentials = [seeded.readToken, vault.rootToken, key.secret!, ...Object.values(tokens).filter((token) => token.startsWith('smk_'))];
  knownIds = [connection.id, scoped.id, foreign.id, project.id, key.id, engine.id, 'host-p', a.platformId, b.platformId];
});

afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

/** An id that exists (known only once the server runs, hence picked when a case is made). */
const knownId = () => fc.nat(1_000).map((i) => knownIds[i % knownIds.length]!);

/** Strings that have broken servers before, and ids that exist. */
const nastyString = () =>
  fc.oneof(
    fc.constantFrom(
      '\u0000',
      'a\u0000b',
      'con_\u0000',
      '\u0007\u001b[2J',
      '\ud800',
      '\udfff',
      '\u202eevil',
      '\ufeff',
      '🔑'.repeat(3),
      '{{sm:',
      '{{sm:a:',
      '}}{{',
      '%00',
      '../../../etc/passwd',
      '__proto__',
      'constructor',
      "'; drop table projects; --",
      '$1',
      'NaN',
    ),
    knownId(),
    knownId().map((id) => `{{sm:${id}:secret/app/db#password}}`),
    fc.tuple(fc.constantFrom('{{sm:', '{{sm:a:', '{{', 'x', '\u0000'), fc.integer({ min: 1, max: 20_000 })).map(([s, n]) => s.repeat(n)),
  );

const text = () => fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), nastyString());

const hostileJson = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(text(), tie('node'), { maxKeys: 5 }),
  ),
})).node;

/** Nesting deeper than any schema expects (deeper still, as text, in the bodies below). */
const deep = fc.integer({ min: 50, max: 800 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { value };
  return value;
});

const INPUT_KEYS = ['id', 'name', 'projectId', 'projectIds', 'connectionId', 'path', 'prefix', 'pageToken', 'pageSize', 'references', 'value', 'onError', 'provider', 'authMethod', 'scope', 'config', 'externalId', 'algorithm', 'publicJwk', 'issuer', 'role'];

const input = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...INPUT_KEYS), fc.oneof(hostileJson, deep), { maxKeys: 6 }) },
  { weight: 1, arbitrary: hostileJson },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Every byte of the text's UTF-8 as %XX: any string, lone surrogates included, becomes a path segment. */
const percentEncoded = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const principal = fc.constantFrom<Principal>('nobody', 'admin', 'engine', 'projectEngine', 'embedAdmin', 'projectAdmin', 'member', 'foreignAdmin');

async function send(method: 'GET' | 'POST' | 'DELETE', path: string, who: Principal, body?: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = who === 'nobody' ? {} : { authorization: `Bearer ${tokens[who]}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${t.url}${path}`, { method, headers, ...(body !== undefined && { body }) });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    // A request the server refuses at the HTTP level (a 400 for a malformed URL) closes its
    // connection; a request the client had already put on that kept-alive socket fails
    // without an answer. Sent again on a connection of its own, it must get one.
    if (e instanceof Error && e.cause instanceof Error && /other side closed|ECONNRESET/.test(e.cause.message)) return sendOnFreshConnection(method, path, headers, body);
    throw e;
  }
}

function sendOnFreshConnection(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${t.url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function assertSafe(answer: { status: number; text: string }, who: Principal, what: string): void {
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  expect(answer.text, what).not.toMatch(INTERNALS);
  for (const credential of credentials) expect(answer.text.includes(credential), `${what}: a credential in the answer`).toBe(false);
  if (!mayReadValues.has(who)) expect(answer.text.includes(SECRET_VALUE), `${what}: a value for ${who}`).toBe(false);
}

const procedures = Object.entries((appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: 'query' | 'mutation' } }> } })._def.procedures);

/**
 * Sends every case of a seeded sample, `CONCURRENCY` at a time (a shrinking run one by one
 * would not fit the test budget), and fails with the first cases that went wrong.
 */
async function sendAll<T>(arbitrary: fc.Arbitrary<T>, run: (value: T) => Promise<void>, numRuns = RUNS): Promise<void> {
  const cases = fc.sample(arbitrary, { seed: SEED, numRuns });
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) {
        const value = cases[next++]!;
        await run(value).catch((e: unknown) => {
          const cause = e instanceof Error && e.cause instanceof Error ? ` (${e.cause.message})` : '';
          failures.push(`${e instanceof Error ? e.message : String(e)}${cause} for ${JSON.stringify(value)?.slice(0, 200)}`);
        });
      }
    }),
  );
  expect(failures.slice(0, 3), `${failures.length} of ${cases.length} cases failed`).toEqual([]);
}

describe('fuzzing every procedure as every principal', () => {
  it.each(procedures.map(([name, p]) => [name, p._def.type] as const))('%s (%s) never answers 5xx or internals', async (name, type) => {
    await sendAll(fc.tuple(principal, input), async ([who, value]) => {
      const json = value === undefined ? undefined : JSON.stringify(value);
      const answer =
        type === 'query'
          ? await send('GET', `/trpc/${name}${json === undefined ? '' : `?input=${encodeURIComponent(json)}`}`, who)
          : await send('POST', `/trpc/${name}`, who, json ?? '');
      assertSafe(answer, who, `${name} as ${who} with ${(json ?? '').slice(0, 120)}`);
    });
  }, BUDGET_MS);

  it('never answers 5xx to broken bodies, methods, batches and nesting no schema expects', async () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('{', '"', '[', 'null', '{"0":', '\u0000', '{"json":{}}'),
      // Nested far deeper than the generated values (built as text: no recursion in the test itself).
      fc.integer({ min: 1_000, max: 100_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    );
    const paths = fc.oneof(
      fc.constantFrom(...procedures.map(([name]) => `/trpc/${name}`)),
      fc.constantFrom(...procedures.map(([name]) => name)).chain((a) => fc.constantFrom(...procedures.map(([name]) => name)).map((b) => `/trpc/${a},${b}?batch=1`)),
      text().map((s) => `/trpc/${percentEncoded(s)}`),
    );
    await sendAll(fc.tuple(principal, fc.constantFrom<'GET' | 'POST'>('GET', 'POST'), paths, bodies), async ([who, method, path, body]) => {
      assertSafe(await send(method, path, who, method === 'POST' ? body : undefined), who, `${method} ${path}`);
    });
  }, BUDGET_MS);
});

describe('fuzzing the REST routes', () => {
  it('DELETE /api/v1/secret-managers/cache never answers 5xx or internals', async () => {
    const query = fc.tuple(fc.option(text(), { nil: undefined }), fc.option(text(), { nil: undefined })).map(([connectionId, extra]) => {
      const params = new URLSearchParams();
      if (connectionId !== undefined) params.set('connectionId', connectionId);
      if (extra !== undefined) params.set(extra, extra);
      return params.toString();
    });
    await sendAll(fc.tuple(principal, query), async ([who, params]) => {
      assertSafe(await send('DELETE', `/api/v1/secret-managers/cache?${params}`, who), who, `cache ${params}`);
    });
  }, BUDGET_MS);

  it('the static, health and readiness routes never answer 5xx', async () => {
    // Without a build the admin page answers its documented 503 ("not built"): `npm test` builds first.
    expect(existsSync('dist/elements/admin-page/index.html'), 'The admin page is not built: run `npm run build` first.').toBe(true);
    const segments = fc.oneof(text().map(percentEncoded), fc.constantFrom('..', '%2e%2e', '%00', '%FF', '%C3%28', '%', 'secret-managers.js', 'admin-page/index.html', ''));
    const path = fc.tuple(fc.constantFrom('/elements/', '/', '/healthz/', '/readyz/', '/demo/'), fc.array(segments, { maxLength: 4 })).map(([base, parts]) => `${base}${parts.join('/')}`);
    await sendAll(path, async (p) => assertSafe(await send('GET', p, 'nobody'), 'nobody', p));
  }, BUDGET_MS);
});
