import { createProjectInput, projectIdInput, updateProjectInput } from '../../shared/projects.ts';
import { platformScope } from '../invalidation/generations.ts';
import { recordAudit } from '../services/audit.ts';
import type { Actor, ServiceDeps } from '../services/deps.ts';
import { createProject, deleteProject, listProjects, updateProject } from '../services/projects.ts';
import { adminProcedure, platformAdminProcedure, router } from '../trpc/init.ts';

export const projectsRouter = router({
  /** A project admin sees its own project only: what the connection dialog offers it. */
  list: adminProcedure.query(({ ctx }) => listProjects(ctx.deps.db, ctx.admin.platformId, ctx.admin.projectId ?? undefined)),

  create: platformAdminProcedure.input(createProjectInput).mutation(async ({ ctx, input }) => {
    const project = await createProject(ctx.deps.db, ctx.actor.platformId, input);
    await audit(ctx, 'project.create', project.id, { name: project.name });
    return project;
  }),

  update: platformAdminProcedure.input(updateProjectInput).mutation(async ({ ctx, input }) => {
    const project = await updateProject(ctx.deps.db, ctx.actor.platformId, input);
    await projectChanged(ctx);
    await audit(ctx, 'project.update', project.id, { name: project.name });
    return project;
  }),

  delete: platformAdminProcedure.input(projectIdInput).mutation(async ({ ctx, input }) => {
    await deleteProject(ctx.deps.db, ctx.actor.platformId, input.id);
    await projectChanged(ctx);
    await audit(ctx, 'project.delete', input.id, {});
    return { id: input.id };
  }),
});

/** Embed tokens name projects (auth), and connections are scoped to them (the platform's). */
function projectChanged(ctx: { deps: ServiceDeps; actor: Actor }) {
  return ctx.deps.generations.bump(['auth', platformScope(ctx.actor.platformId)]);
}

function audit(ctx: { deps: ServiceDeps; actor: Actor }, action: string, targetId: string, details: Record<string, unknown>) {
  return recordAudit(ctx.deps.db, { ...ctx.actor, action, targetType: 'project', targetId, outcome: 'success', details });
}
