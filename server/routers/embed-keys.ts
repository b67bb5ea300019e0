import { z } from 'zod';
import { entityId } from '../../shared/connections.ts';
import { actorOf } from '../auth/principal.ts';
import { embedKeyAlgorithms } from '../db/schema/index.ts';
import { recordAudit } from '../services/audit.ts';
import { createEmbedKey, listEmbedKeys, revokeEmbedKey } from '../services/embed-keys.ts';
import { adminProcedure, router } from '../trpc/init.ts';

const createEmbedKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  algorithm: z.enum(embedKeyAlgorithms),
  publicJwk: z.record(z.string(), z.unknown()).optional(),
});

export const embedKeysRouter = router({
  list: adminProcedure.query(({ ctx }) => listEmbedKeys(ctx.deps.db, ctx.principal.platformId)),

  /** For HS256 the answer carries the generated secret, shown this once. */
  create: adminProcedure.input(createEmbedKeyInput).mutation(async ({ ctx, input }) => {
    const key = await createEmbedKey(ctx.deps.db, ctx.deps.keyRing, ctx.principal.platformId, input);
    await recordAudit(ctx.deps.db, {
      platformId: ctx.principal.platformId,
      actor: actorOf(ctx.principal),
      action: 'embed-key.create',
      targetType: 'embed-key',
      targetId: key.id,
      outcome: 'success',
      details: { name: key.name, algorithm: key.algorithm },
    });
    return key;
  }),

  revoke: adminProcedure.input(z.object({ id: entityId })).mutation(async ({ ctx, input }) => {
    await revokeEmbedKey(ctx.deps.db, ctx.principal.platformId, input.id);
    await recordAudit(ctx.deps.db, {
      platformId: ctx.principal.platformId,
      actor: actorOf(ctx.principal),
      action: 'embed-key.revoke',
      targetType: 'embed-key',
      targetId: input.id,
      outcome: 'success',
    });
    return { id: input.id };
  }),
});
