import { checkSecretInput, listSecretNamesInput, resolveInput } from '../../shared/secrets.ts';
import { actorOf, type Principal } from '../auth/principal.ts';
import { projectContext } from '../auth/project-context.ts';
import { checkSecret, resolveSecrets, type ResolutionContext } from '../services/resolution.ts';
import { listSecretNames } from '../services/secret-names.ts';
import { assertProjectInPlatform } from '../services/projects.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { authedProcedure, engineProcedure, router } from '../trpc/init.ts';

async function contextOf(deps: ServiceDeps, principal: Principal, requestedProject: string | undefined): Promise<ResolutionContext> {
  const projectId = projectContext(principal, requestedProject);
  if (projectId) await assertProjectInPlatform(deps.db, principal.platformId, projectId);
  return { platformId: principal.platformId, actor: actorOf(principal), projectId };
}

export const secretsRouter = router({
  resolve: engineProcedure.input(resolveInput).mutation(async ({ ctx, input }) =>
    resolveSecrets(ctx.deps, await contextOf(ctx.deps, ctx.principal, input.projectId), input),
  ),

  check: authedProcedure.input(checkSecretInput).query(async ({ ctx, input }) =>
    checkSecret(ctx.deps, await contextOf(ctx.deps, ctx.principal, input.projectId), input),
  ),

  /** Names only, never values: members may browse in their project. */
  list: authedProcedure.input(listSecretNamesInput).query(async ({ ctx, input }) =>
    listSecretNames(ctx.deps, await contextOf(ctx.deps, ctx.principal, input.projectId), input),
  ),
});
