import { z } from 'zod';
import { displayName, entityId } from '../../shared/connections.ts';
import { apiKeyRoles } from '../db/schema/index.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../services/api-keys.ts';
import { recordAudit } from '../services/audit.ts';
import { adminApiKeyProcedure, router } from '../trpc/init.ts';

const createApiKeyInput = z
  .object({
    name: displayName,
    role: z.enum(apiKeyRoles),
    /** Engine keys only: the project the key resolves in. */
    projectId: entityId.optional(),
  })
  .refine((v) => v.role === 'engine' || v.projectId === undefined, { path: ['projectId'], message: 'Only engine keys are bound to a project' });

/** The platform's API keys: admin API keys only (adminApiKeyProcedure), never a browser token. */
export const apiKeysRouter = router({
  /** Never a token or a hash. */
  list: adminApiKeyProcedure.query(({ ctx }) => listApiKeys(ctx.deps.db, ctx.actor.platformId)),

  /** The answer carries the token, shown this once; only its hash is stored. */
  create: adminApiKeyProcedure.input(createApiKeyInput).mutation(async ({ ctx, input }) => {
    const key = await createApiKey(ctx.deps.db, { platformId: ctx.actor.platformId, ...input });
    await recordAudit(ctx.deps.db, {
      ...ctx.actor,
      action: 'api-key.create',
      targetType: 'api-key',
      targetId: key.id,
      outcome: 'success',
      details: { name: key.name, role: key.role, projectId: key.projectId },
    });
    return key;
  }),

  revoke: adminApiKeyProcedure.input(z.object({ id: entityId })).mutation(async ({ ctx, input }) => {
    const key = await revokeApiKey(ctx.deps.db, input.id, ctx.actor.platformId);
    await ctx.deps.generations.bump(['auth']);
    await recordAudit(ctx.deps.db, {
      ...ctx.actor,
      action: 'api-key.revoke',
      targetType: 'api-key',
      targetId: input.id,
      outcome: 'success',
      details: { name: key.name, role: key.role },
    });
    return { id: input.id };
  }),
});
