import { randomBytes } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityId, type ConnectionDto } from '../../shared/connections.ts';
import type { ReferenceResult } from '../../shared/secrets.ts';
import { createApiKey } from '../../server/services/api-keys.ts';
import type { VaultEmulator } from '../emulators/vault/index.ts';
import { hs256Token } from '../server/support/embed-tokens.ts';
import { startTestServer, type ApiClient, type TestServer } from '../server/support/server.ts';
import { startSeededVault } from '../server/support/vault.ts';

/**
 * DESIGN.md's visibility rules as properties, over every procedure that takes an id or a
 * project and every kind of principal: the platform context sees all of its platform; a
 * project context sees platform-scoped connections plus those assigned to it; nothing of
 * another platform is ever visible (404, as for an unknown id); and no secret value or
 * credential planted in one platform or project appears in any answer to another.
 *
 * Seeded, so a failure reproduces; SM_PROPERTY_RUNS raises the number of runs for a long
 * local session (`SM_PROPERTY_RUNS=5000 npx vitest run test/security/visibility.property.test.ts`).
 */
const SEED = 20_251_111;
const RUNS = Number(process.env.SM_PROPERTY_RUNS ?? 80);

type Platform = 'A' | 'B';
type Kind = 'adminKey' | 'engine' | 'embedAdmin' | 'member';
interface Principal {
  name: string;
  platform: Platform;
  kind: Kind;
  /** The project the principal is bound to (engine key, embed token claim). */
  bound: string | null;
  client: ApiClient;
}
interface Connection {
  id: string;
  platform: Platform;
  name: string;
  scope: 'PLATFORM' | 'PROJECT';
  projectIds: string[];
  /** Planted in Vault at `path`: only an API key whose context sees this connection may receive it. */
  valueCanary: string;
  path: string;
  /** The connection's Vault token: no answer may ever contain it. */
  credentialCanary: string;
}
interface Project {
  id: string;
  platform: Platform;
  name: string;
}
interface World {
  principals: Principal[];
  connections: Connection[];
  projects: Project[];
  embedKeys: { id: string; platform: Platform }[];
  apiKeys: { id: string; platform: Platform; onlyAdminKey: boolean }[];
}

let t: TestServer;
let vault: VaultEmulator;
let world: World;

const canary = (label: string) => `${label}-${randomBytes(9).toString('hex')}`;

async function seedPlatform(platform: Platform): Promise<Omit<World, 'principals'> & { principals: Principal[] }> {
  const { admin, adminToken, platformId } = await t.newPlatform(`platform ${platform}`);
  const projects: Project[] = [];
  for (let i = 1; i <= 3; i++) {
    const p = await admin.projects.create.mutate({ name: canary(`project${platform}${i}`) });
    projects.push({ id: p.id, platform, name: p.name });
  }
  const [p1, p2, p3] = projects.map((p) => p.id) as [string, string, string];
  const connections: Connection[] = [];
  // Every project keeps one connection of its own, so projects.delete always answers 409 for them.
  for (const [scope, projectIds] of [
    ['PLATFORM', []],
    ['PROJECT', [p1]],
    ['PROJECT', [p1, p2]],
    ['PROJECT', [p2]],
    ['PROJECT', [p3]],
  ] as const) {
    const tag = canary('path');
    const valueCanary = canary(`value${platform}`);
    vault.putSecret('secret', `app/${tag}`, { value: valueCanary });
    const credentialCanary = vault.createToken({ policies: ['read-app'], ttlSeconds: 0 });
    const created = await admin.secretManagers.create.mutate({
      name: canary(`connection${platform}`),
      provider: 'vault',
      authMethod: 'token',
      scope,
      ...(scope === 'PROJECT' && { projectIds: [...projectIds] }),
      config: { url: vault.url, kvMount: 'secret', kvVersion: 2, token: credentialCanary },
    });
    connections.push({ id: created.id, platform, name: created.name, scope, projectIds: [...projectIds], valueCanary, path: `secret/app/${tag}#value`, credentialCanary });
  }
  const embedKey = await admin.embedKeys.create.mutate({ name: 'host', algorithm: 'HS256' });
  const engine = await createApiKey(t.database.db, { platformId, role: 'engine' });
  const engineP1 = await createApiKey(t.database.db, { platformId, role: 'engine', projectId: p1 });
  const spareEngine = await createApiKey(t.database.db, { platformId, role: 'engine' });
  const adminKeyId = (await admin.apiKeys.list.query()).find((k) => k.role === 'admin')!.id;
  const principal = (kind: Kind, bound: string | null, token: string): Principal => ({
    name: `${platform}:${kind}${bound ? `@${projects.find((p) => p.id === bound)!.name.slice(0, 9)}` : ''}`,
    platform,
    kind,
    bound,
    client: t.client(token),
  });
  const embed = (claims: Record<string, unknown>) => hs256Token(embedKey, claims, { lifetimeSeconds: 3600 });
  return {
    projects,
    connections,
    embedKeys: [{ id: embedKey.id, platform }],
    apiKeys: [
      { id: spareEngine.id, platform, onlyAdminKey: false },
      { id: adminKeyId, platform, onlyAdminKey: true },
    ],
    principals: [
      principal('adminKey', null, adminToken),
      principal('engine', null, engine.token),
      principal('engine', p1, engineP1.token),
      principal('embedAdmin', null, await embed({ role: 'admin' })),
      principal('embedAdmin', p1, await embed({ role: 'admin', projectId: p1 })),
      principal('embedAdmin', p2, await embed({ role: 'admin', projectId: p2 })),
      principal('member', p2, await embed({ role: 'member', projectId: p2 })),
    ],
  };
}

beforeAll(async () => {
  ({ vault } = await startSeededVault());
  t = await startTestServer({ database: 'postgres' });
  const [a, b] = [await seedPlatform('A'), await seedPlatform('B')];
  world = {
    principals: [...a.principals, ...b.principals],
    connections: [...a.connections, ...b.connections],
    projects: [...a.projects, ...b.projects],
    embedKeys: [...a.embedKeys, ...b.embedKeys],
    apiKeys: [...a.apiKeys, ...b.apiKeys],
  };
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await vault?.close();
});

// ---- The model: DESIGN.md's rules, written independently of the server's code. ----

const isAdmin = (p: Principal) => p.kind === 'adminKey' || p.kind === 'embedAdmin';
const isApiKey = (p: Principal) => p.kind === 'adminKey' || p.kind === 'engine';
/** undefined = the platform context. */
const visibleIn = (c: Connection, context: string | undefined) => context === undefined || c.scope === 'PLATFORM' || c.projectIds.includes(context);
const ownedBy = (c: Connection, project: string) => c.scope === 'PROJECT' && c.projectIds.length === 1 && c.projectIds[0] === project;
const manages = (p: Principal, c: Connection) => isAdmin(p) && (p.bound === null || ownedBy(c, p.bound));
const validId = (raw: string) => entityId.safeParse(raw);

class Refusal {
  constructor(readonly status: number) {}
}
const refuse = (status: number): never => {
  throw new Refusal(status);
};

/** The project a call acts in, or the refusal: a bound principal only in its own, others in one of their platform. */
function contextOf(p: Principal, requested: string | undefined): string | undefined {
  if (p.bound !== null) return requested !== undefined && requested !== p.bound ? refuse(403) : p.bound;
  if (requested !== undefined && !world.projects.some((x) => x.id === requested && x.platform === p.platform)) refuse(404);
  return requested;
}

function ownConnection(p: Principal, raw: string): Connection {
  const id = validId(raw);
  if (!id.success) refuse(400);
  const c = world.connections.find((x) => x.id === id.data && x.platform === p.platform);
  // Not visible from the principal's own project: as unknown as another platform's id.
  if (!c || !visibleIn(c, p.bound ?? undefined)) refuse(404);
  return c!;
}

type Procedure = 'list' | 'get' | 'update' | 'test' | 'clearCache' | 'delete' | 'create' | 'resolve' | 'check' | 'names' | 'projectUpdate' | 'projectDelete' | 'embedKeyRevoke' | 'apiKeyRevoke';
const procedures: Procedure[] = ['list', 'get', 'update', 'test', 'clearCache', 'delete', 'create', 'resolve', 'check', 'names', 'projectUpdate', 'projectDelete', 'embedKeyRevoke', 'apiKeyRevoke'];

interface Expectation {
  /** Checks a successful answer. */
  ok?: (answer: unknown) => void;
  /** A destructive call the model expects to succeed: not made, so the world stays as seeded. */
  skip?: boolean;
  /** Secret values this answer may carry. */
  values?: string[];
}

/** What the model says a call must do; throws a Refusal for the expected refusal. */
function expectation(p: Principal, procedure: Procedure, target: string, project: string | undefined): Expectation {
  const adminOnly = () => (isAdmin(p) ? undefined : refuse(403));
  const validProject = () => (project === undefined || validId(project).success ? undefined : refuse(400));
  switch (procedure) {
    case 'list': {
      validProject();
      const context = contextOf(p, project === undefined ? undefined : validId(project).data);
      const expected = world.connections.filter((c) => c.platform === p.platform && visibleIn(c, context));
      return {
        ok: (answer) => {
          const listed = answer as ConnectionDto[];
          expect(listed.map((c) => c.id).sort()).toEqual(expected.map((c) => c.id).sort());
          for (const dto of listed) {
            const c = world.connections.find((x) => x.id === dto.id)!;
            expect(dto.canManage, `${dto.name} canManage`).toBe(manages(p, c));
            if (!dto.canManage) expect(dto.config).toEqual({});
            if (context !== undefined) expect(dto.projects.every((x) => x.id === context)).toBe(true);
          }
        },
      };
    }
    case 'get': {
      adminOnly();
      const c = ownConnection(p, target);
      return {
        ok: (answer) => {
          const dto = answer as ConnectionDto;
          expect(dto.id).toBe(c.id);
          expect(dto.canManage).toBe(manages(p, c));
          if (p.bound !== null) expect(dto.projects.every((x) => x.id === p.bound)).toBe(true);
        },
      };
    }
    case 'update':
    case 'test':
    case 'clearCache':
    case 'delete': {
      adminOnly();
      const c = ownConnection(p, target);
      if (!manages(p, c)) refuse(403);
      return { skip: procedure === 'delete' };
    }
    case 'create': {
      adminOnly();
      const id = validId(target);
      if (!id.success) refuse(400);
      if (p.bound !== null) return id.data === p.bound ? { skip: true } : refuse(403);
      return world.projects.some((x) => x.id === id.data && x.platform === p.platform) ? { skip: true } : refuse(400);
    }
    case 'resolve': {
      if (!isApiKey(p)) refuse(403);
      validProject();
      const context = contextOf(p, project === undefined ? undefined : validId(project).data);
      const c = world.connections.find((x) => x.id === target && x.platform === p.platform && visibleIn(x, context));
      return {
        values: c ? [c.valueCanary] : [],
        ok: (answer) => {
          const [result] = (answer as { results: ReferenceResult[] }).results;
          if (c) expect(result).toMatchObject({ ok: true, value: c.valueCanary });
          else expect(result).toMatchObject({ ok: false });
        },
      };
    }
    case 'check':
    case 'names': {
      validProject();
      if (!validId(target).success) refuse(400);
      const context = contextOf(p, project === undefined ? undefined : validId(project).data);
      const c = world.connections.find((x) => x.id === validId(target).data && x.platform === p.platform);
      if (!c || !visibleIn(c, context)) refuse(404);
      return procedure === 'check' ? { ok: (answer) => expect(answer).toMatchObject({ exists: true }) } : {};
    }
    case 'projectUpdate':
    case 'projectDelete': {
      if (!isAdmin(p) || p.bound !== null) refuse(403);
      const id = validId(target);
      if (!id.success) refuse(400);
      if (!world.projects.some((x) => x.id === id.data && x.platform === p.platform)) refuse(404);
      // Every seeded project is the only project of one connection.
      return procedure === 'projectDelete' ? refuse(409) : {};
    }
    case 'embedKeyRevoke':
    case 'apiKeyRevoke': {
      if (p.kind !== 'adminKey') refuse(403);
      const id = validId(target);
      if (!id.success) refuse(400);
      const keys = procedure === 'embedKeyRevoke' ? world.embedKeys : world.apiKeys;
      const key = keys.find((k) => k.id === id.data && k.platform === p.platform);
      if (!key) refuse(404);
      return 'onlyAdminKey' in key! && key.onlyAdminKey ? refuse(409) : { skip: true };
    }
  }
}

let created = 0;
function call(p: Principal, procedure: Procedure, target: string, project: string | undefined): Promise<unknown> {
  const c = p.client;
  const inProject = project === undefined ? {} : { projectId: project };
  const connection = world.connections.find((x) => x.id === target);
  switch (procedure) {
    case 'list':
      return c.secretManagers.list.query(project === undefined ? undefined : { projectId: project });
    case 'get':
      return c.secretManagers.get.query({ id: target });
    case 'update':
      // Changes nothing but what an edit always touches: the config is sealed again and tested.
      return c.secretManagers.update.mutate({ id: target, config: { url: vault.url, kvMount: 'secret', kvVersion: 2 } });
    case 'test':
      return c.secretManagers.test.mutate({ id: target });
    case 'clearCache':
      return c.secretManagers.clearCache.mutate({ connectionId: target });
    case 'delete':
      return c.secretManagers.delete.mutate({ id: target });
    case 'create':
      return c.secretManagers.create.mutate({
        name: `created ${++created}`,
        provider: 'vault',
        authMethod: 'token',
        scope: 'PROJECT',
        projectIds: [target],
        config: { url: vault.url, kvMount: 'secret', kvVersion: 2, token: 'hvs.never-used' },
      });
    case 'resolve':
      return c.secrets.resolve.mutate({ ...inProject, references: [`{{sm:${target}:${connection?.path ?? 'secret/app/x#value'}}}`], onError: 'report' });
    case 'check':
      return c.secrets.check.query({ ...inProject, connectionId: target, path: connection?.path ?? 'secret/app/x' });
    case 'names':
      return c.secrets.list.query({ ...inProject, connectionId: target, prefix: 'secret/app/' });
    case 'projectUpdate':
      return c.projects.update.mutate({ id: target, name: world.projects.find((x) => x.id === target)?.name ?? 'renamed' });
    case 'projectDelete':
      return c.projects.delete.mutate({ id: target });
    case 'embedKeyRevoke':
      return c.embedKeys.revoke.mutate({ id: target });
    case 'apiKeyRevoke':
      return c.apiKeys.revoke.mutate({ id: target });
  }
}

/** The text of an answer as a client receives it: the result, or the error's message and data. */
async function answerOf(promise: Promise<unknown>): Promise<{ status: 'ok' | number; result?: unknown; text: string }> {
  try {
    const result = await promise;
    return { status: 'ok', result, text: JSON.stringify(result) };
  } catch (e) {
    if (!(e instanceof TRPCClientError)) throw e;
    return { status: (e.data as { httpStatus: number }).httpStatus, text: JSON.stringify({ message: e.message, data: e.data }) };
  }
}

/** What a principal must never read: other platforms' names, and for a bound one, what its project cannot see. */
function forbiddenNames(p: Principal): string[] {
  const context = p.bound ?? undefined;
  return [
    ...world.projects.filter((x) => x.platform !== p.platform || (context !== undefined && x.id !== context)).map((x) => x.name),
    ...world.connections.filter((x) => x.platform !== p.platform || !visibleIn(x, context)).map((x) => x.name),
  ];
}

describe('visibility and isolation, as properties', () => {
  it('every procedure, every principal, ids from two platforms and several projects', { timeout: 600_000 }, async () => {
    const knownIds = () => [
      ...world.connections.map((c) => c.id),
      ...world.projects.map((x) => x.id),
      ...world.embedKeys.map((k) => k.id),
      ...world.apiKeys.map((k) => k.id),
      'con_doesnotexist0000000',
      'prj_doesnotexist0000000',
    ];
    const anyId = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...knownIds()) },
      { weight: 1, arbitrary: fc.constantFrom(...knownIds()).map((id) => ` ${id}\t`) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{3}_[0-9a-z]{1,70}$/) },
    );
    /** Mostly ids of the kind the procedure takes (from both platforms), sometimes anything. */
    const relevant: Record<Procedure, string[]> = Object.fromEntries(
      procedures.map((procedure) => [
        procedure,
        ['create', 'projectUpdate', 'projectDelete'].includes(procedure)
          ? world.projects.map((x) => x.id)
          : procedure === 'embedKeyRevoke'
            ? world.embedKeys.map((k) => k.id)
            : procedure === 'apiKeyRevoke'
              ? world.apiKeys.map((k) => k.id)
              : world.connections.map((c) => c.id),
      ]),
    ) as Record<Procedure, string[]>;
    const call$ = fc
      .constantFrom(...procedures)
      .chain((procedure) => fc.tuple(fc.constant(procedure), fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...relevant[procedure]) }, { weight: 1, arbitrary: anyId })));
    const projectArg = fc.option(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...world.projects.map((x) => x.id)) }, { weight: 1, arbitrary: anyId }),
      { nil: undefined, freq: 3 },
    );
    const credentials = world.connections.map((c) => c.credentialCanary);
    const values = world.connections.map((c) => c.valueCanary);
    const seen = { ok: 0, refused: 0, skipped: 0 };

    /** One call as one principal, checked against the model and for canaries. */
    async function probe(p: Principal, procedure: Procedure, target: string, project: string | undefined): Promise<void> {
      let expected: Expectation | Refusal;
      try {
        expected = expectation(p, procedure, target, project);
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        expected = e;
      }
      if (!(expected instanceof Refusal) && expected.skip) {
        seen.skipped++;
        return;
      }
      const answer = await answerOf(call(p, procedure, target, project));
      const label = `${p.name} ${procedure}(${JSON.stringify(target)}, project ${JSON.stringify(project)}) → ${answer.text.slice(0, 300)}`;
      expect(answer.status === 'ok' || answer.status < 500, label).toBe(true);
      if (expected instanceof Refusal) {
        expect(answer.status, label).toBe(expected.status);
        seen.refused++;
      } else {
        expect(answer.status, label).toBe('ok');
        expected.ok?.(answer.result);
        seen.ok++;
      }
      for (const credential of credentials) expect(answer.text.includes(credential), `${label}: a credential`).toBe(false);
      const allowed = expected instanceof Refusal ? [] : (expected.values ?? []);
      for (const value of values) if (!allowed.includes(value)) expect(answer.text.includes(value), `${label}: a secret value`).toBe(false);
      for (const name of forbiddenNames(p)) expect(answer.text.includes(name), `${label}: the name ${name}`).toBe(false);
    }

    // Each run asks the same question as every principal of both platforms at once.
    await fc.assert(
      fc.asyncProperty(call$, projectArg, async ([procedure, target], project) => {
        await Promise.all(world.principals.map((p) => probe(p, procedure, target, project)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The generators reach both sides of the rules, not only refusals.
    expect(seen.ok, JSON.stringify(seen)).toBeGreaterThan(RUNS);
    expect(seen.refused, JSON.stringify(seen)).toBeGreaterThan(RUNS);
  });
});
