import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { isReferenceLike } from '../../shared/reference.ts';
import type { Config } from '../config.ts';
import type { AppRouter } from '../routers/_app.ts';
import { newId } from '../services/ids.ts';
import { registerDemoPage } from './page.ts';

/**
 * A tiny third-party host, served by `npm run demo` under /demo/: its own "backend" that
 * signs embed JWTs for its users, stores the connection forms its users save, and runs
 * "flows" that resolve secret references server-side with an engine key — exactly what a
 * real host does, so the demo proves the value never passes through the browser.
 */
export interface DemoHostOptions {
  /** Where the host's backend reaches the Secret Managers API (known once the server listens). */
  apiUrl: () => string;
  embedKey: { id: string; secret: string };
  /** What the server checks of embed tokens: the host signs for its audience, within its maximum lifetime. */
  embed: Config['embed'];
  projects: { id: string; name: string; engineToken: string }[];
}

interface StoredConnection {
  id: string;
  projectId: string;
  name: string;
  fields: Record<string, string>;
  savedAt: string;
}

const saveInput = z.object({
  projectId: z.string().min(1),
  name: z.string().trim().min(1).max(100),
  fields: z.record(z.string().min(1).max(100), z.string().max(10_000)),
});

/** What a flow may show of a value it received: enough to see it arrived, not enough to use it. */
function masked(value: string): { masked: string; length: number } {
  const visible = value.length > 12 ? value.slice(0, 4) : '';
  return { masked: `${visible}${'•'.repeat(Math.min(12, Math.max(4, value.length - visible.length)))}`, length: value.length };
}

export function registerDemoHost(app: FastifyInstance, options: DemoHostOptions): void {
  // The host's page (public/): a "New Slack connection" dialog with a <secret-reference-field>.
  registerDemoPage(app, options.apiUrl);
  const stored = new Map<string, StoredConnection>();
  const projectOf = (id: string) => options.projects.find((p) => p.id === id);
  const engineFor = (engineToken: string) =>
    createTRPCClient<AppRouter>({ links: [httpLink({ url: `${options.apiUrl()}/trpc`, headers: { authorization: `Bearer ${engineToken}` } })] });

  // The host's own session endpoint: who the user is, and a short-lived token for the elements.
  app.get<{ Querystring: { projectId?: string; expired?: string } }>('/demo/api/session', async (request, reply) => {
    const project = projectOf(request.query.projectId ?? '') ?? options.projects[0]!;
    const now = Math.floor(Date.now() / 1000);
    const issuedAt = request.query.expired === '1' ? now - 120 : now;
    const lifetime = request.query.expired === '1' ? 60 : Math.min(600, options.embed.maxTtlSeconds);
    const token = await new SignJWT({ role: 'member', projectId: project.id })
      .setSubject('demo-user@host.example')
      .setProtectedHeader({ alg: 'HS256', kid: options.embedKey.id })
      .setAudience(options.embed.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetime)
      .sign(Buffer.from(options.embedKey.secret, 'utf8'));
    return reply.header('cache-control', 'no-store').send({
      apiUrl: options.apiUrl(),
      token,
      project: { id: project.id, name: project.name },
      projects: options.projects.map((p) => ({ id: p.id, name: p.name })),
    });
  });

  app.get<{ Querystring: { projectId?: string } }>('/demo/api/connections', async (request) =>
    [...stored.values()].filter((c) => !request.query.projectId || c.projectId === request.query.projectId),
  );

  app.post('/demo/api/connections', async (request, reply) => {
    const parsed = saveInput.safeParse(request.body);
    if (!parsed.success || !projectOf(parsed.data.projectId)) return reply.code(400).send({ message: 'Give projectId, name and fields' });
    const connection: StoredConnection = { id: newId('hostcon'), ...parsed.data, savedAt: new Date().toISOString() };
    stored.set(connection.id, connection);
    return reply.code(201).send(connection);
  });

  // A "flow run": the host backend resolves every reference in the saved fields with its engine key.
  app.post<{ Params: { id: string } }>('/demo/api/connections/:id/run', async (request, reply) => {
    const connection = stored.get(request.params.id);
    if (!connection) return reply.code(404).send({ message: 'No such connection' });
    const project = projectOf(connection.projectId)!;
    try {
      const { value } = await engineFor(project.engineToken).secrets.resolve.mutate({ projectId: project.id, value: connection.fields });
      const received = value as Record<string, string>;
      return {
        ok: true,
        fields: Object.fromEntries(
          Object.entries(received).map(([name, v]) => [name, { ...masked(v), fromSecretManager: isReferenceLike(connection.fields[name] ?? '') }]),
        ),
      };
    } catch (e) {
      if (!(e instanceof TRPCClientError)) throw e;
      const data = e.data as { secretManagerCode?: string; httpStatus?: number } | undefined;
      return reply.code(422).send({ ok: false, code: data?.secretManagerCode ?? data?.httpStatus, message: e.message });
    }
  });
}
