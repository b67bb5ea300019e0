import { createProjectInput, projectIdInput, updateProjectInput } from '../../shared/projects.ts';
import { actorOf, type Principal } from '../auth/principal.ts';
import { recordAudit } from '../services/audit.ts';
import type { ServiceDeps } from '../services/deps.ts';
import { createProject, deleteProject, listProjects, updateProject } from '../services/projects.ts';
import { adminProcedure, router } from '../trpc/init.ts';

export const projectsRouter = router({
  list: adminProcedure.query(({ ctx }) => listProjects(ctx.deps.db, ctx.principal.platformId)),

  create: adminProcedure.input(createProjectInput).mutation(async ({ ctx, input }) => {
    const project = await createProject(ctx.deps.db, ctx.principal.platformId, input);
    await audit(ctx, 'project.create', project.id, { name: project.name });
    return project;
  }),

  update: adminProcedure.input(updateProjectInput).mutation(async ({ ctx, input }) => {
    const project = await updateProject(ctx.deps.db, ctx.principal.platformId, input);
    await audit(ctx, 'project.update', project.id, { name: project.name });
    return project;
  }),

  delete: adminProcedure.input(projectIdInput).mutation(async ({ ctx, input }) => {
    await deleteProject(ctx.deps.db, ctx.principal.platformId, input.id);
    await audit(ctx, 'project.delete', input.id, {});
    return { id: input.id };
  }),
});

function audit(
  ctx: { deps: ServiceDeps; principal: Principal },
  action: string,
  targetId: string,
  details: Record<string, unknown>,
) {
  return recordAudit(ctx.deps.db, {
    platformId: ctx.principal.platformId,
    actor: actorOf(ctx.principal),
    action,
    targetType: 'project',
    targetId,
    outcome: 'success',
    details,
  });
}
