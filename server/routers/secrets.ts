import { checkSecretInput, listSecretNamesInput, resolveInput } from '../../shared/secrets.ts';
import type { Principal } from '../auth/principal.ts';
import { projectContext } from '../auth/project-context.ts';
import { checkSecret, resolveSecrets, type ResolutionContext } from '../services/resolution.ts';
import { listSecretNames } from '../services/secret-names.ts';
import { assertProjectInPlatform } from '../services/projects.ts';
import type { Actor, AdminActor, ServiceDeps } from '../services/deps.ts';
import { authedProcedure, engineProcedure, router } from '../trpc/init.ts';

async function contextOf(
  ctx: { deps: ServiceDeps; principal: Principal; actor: Actor; admin: AdminActor | null },
  requestedProject: string | undefined,
): Promise<ResolutionContext> {
  const projectId = projectContext(ctx.principal, requestedProject);
  // Remembered like what authentication reads (a project's deletion bumps `auth`): a warm resolve reads no database.
  if (projectId) {
    await ctx.deps.authCache.session().remembered(`project-id:${ctx.actor.platformId}\0${projectId}`, () => assertProjectInPlatform(ctx.deps.db, ctx.actor.platformId, projectId).then(() => true));
  }
  return { ...ctx.actor, projectId, manager: ctx.admin };
}

export const secretsRouter = router({
  /** Values: API keys only (engineProcedure), in the key's project when it is bound to one. */
  resolve: engineProcedure.input(resolveInput).mutation(async ({ ctx, input }) => resolveSecrets(ctx.deps, await contextOf(ctx, input.projectId), input)),

  check: authedProcedure.input(checkSecretInput).query(async ({ ctx, input }) => checkSecret(ctx.deps, await contextOf(ctx, input.projectId), input)),

  /** Names only, never values: members may browse in their project. */
  list: authedProcedure.input(listSecretNamesInput).query(async ({ ctx, input }) => listSecretNames(ctx.deps, await contextOf(ctx, input.projectId), input)),
});
