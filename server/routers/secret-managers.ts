import { z } from 'zod';
import {
  connectionIdInput,
  entityId,
  createConnectionInput,
  listConnectionsInput,
  testConnectionInput,
  updateConnectionInput,
} from '../../shared/connections.ts';
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

export const secretManagersRouter = router({
  /** Any principal, in its project context; admins also get the config of what they manage. */
  list: authedProcedure.input(listConnectionsInput).query(async ({ ctx, input }) => {
    const { principal } = ctx;
    const projectId = projectContext(principal, input?.projectId);
    if (projectId) await assertProjectInPlatform(ctx.deps.db, principal.platformId, projectId);
    return listConnections(ctx.deps, principal.platformId, {
      projectId,
      manager: principal.role === 'admin' ? { ...ctx.actor, projectId: principal.projectId } : null,
    });
  }),

  get: adminProcedure.input(connectionIdInput).query(({ ctx, input }) => getConnection(ctx.deps, ctx.admin, input.id)),

  create: adminProcedure.input(createConnectionInput).mutation(({ ctx, input }) => createConnection(ctx.deps, ctx.admin, input)),

  update: adminProcedure.input(updateConnectionInput).mutation(({ ctx, input }) => updateConnection(ctx.deps, ctx.admin, input)),

  delete: adminProcedure.input(connectionIdInput).mutation(async ({ ctx, input }) => {
    await deleteConnection(ctx.deps, ctx.admin, input.id);
    return { id: input.id };
  }),

  clearCache: adminProcedure.input(z.object({ connectionId: entityId.optional() }).optional()).mutation(async ({ ctx, input }) => {
    await clearCache(ctx.deps, ctx.admin, input?.connectionId);
    return { cleared: input?.connectionId ?? 'platform' };
  }),

  test: adminProcedure.input(testConnectionInput).mutation(({ ctx, input }) => testConnection(ctx.deps, ctx.admin, input)),
});
