import { z } from 'zod';
import {
  connectionIdInput,
  entityId,
  createConnectionInput,
  listConnectionsInput,
  testConnectionInput,
  updateConnectionInput,
} from '../../shared/connections.ts';
import { actorOf, type Principal } from '../auth/principal.ts';
import { projectContext } from '../auth/project-context.ts';
import {
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  testConnection,
  updateConnection,
} from '../services/connections.ts';
import { assertProjectInPlatform } from '../services/projects.ts';
import { clearCache } from '../services/cache-clearing.ts';
import { adminProcedure, authedProcedure, router } from '../trpc/init.ts';

const actor = (p: Principal) => ({ platformId: p.platformId, actor: actorOf(p) });

export const secretManagersRouter = router({
  list: authedProcedure.input(listConnectionsInput).query(async ({ ctx, input }) => {
    const projectId = projectContext(ctx.principal, input?.projectId);
    if (projectId) await assertProjectInPlatform(ctx.deps.db, ctx.principal.platformId, projectId);
    return listConnections(ctx.deps, ctx.principal.platformId, {
      projectId,
      view: ctx.principal.role === 'admin' ? 'admin' : 'member',
    });
  }),

  get: adminProcedure.input(connectionIdInput).query(({ ctx, input }) => getConnection(ctx.deps, ctx.principal.platformId, input.id)),

  create: adminProcedure.input(createConnectionInput).mutation(({ ctx, input }) => createConnection(ctx.deps, actor(ctx.principal), input)),

  update: adminProcedure.input(updateConnectionInput).mutation(({ ctx, input }) => updateConnection(ctx.deps, actor(ctx.principal), input)),

  delete: adminProcedure.input(connectionIdInput).mutation(async ({ ctx, input }) => {
    await deleteConnection(ctx.deps, actor(ctx.principal), input.id);
    return { id: input.id };
  }),

  clearCache: adminProcedure.input(z.object({ connectionId: entityId.optional() }).optional()).mutation(async ({ ctx, input }) => {
    await clearCache(ctx.deps, actor(ctx.principal), input?.connectionId);
    return { cleared: input?.connectionId ?? 'platform' };
  }),

  test: adminProcedure.input(testConnectionInput).mutation(({ ctx, input }) => testConnection(ctx.deps, actor(ctx.principal), input)),
});
