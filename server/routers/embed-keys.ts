import { z } from 'zod';
import { displayName, entityId, withoutControlCharacters } from '../../shared/connections.ts';
import { embedKeyAlgorithms } from '../db/schema/index.ts';
import { recordAudit } from '../services/audit.ts';
import { createEmbedKey, listEmbedKeys, revokeEmbedKey } from '../services/embed-keys.ts';
import { adminApiKeyProcedure, router } from '../trpc/init.ts';

const createEmbedKeyInput = z.object({
  name: displayName,
  algorithm: z.enum(embedKeyAlgorithms),
  /** RS256, ES256, EdDSA: the public JWK of the host's key (checked against the algorithm). */
  publicJwk: z.record(z.string(), z.unknown()).optional(),
  /** When given, every token signed with this key must carry exactly this `iss`. */
  issuer: z.string().trim().min(1).max(256).regex(withoutControlCharacters, 'One line of text').optional(),
});

/** Keys hosts sign embed JWTs with: admin API keys only (adminApiKeyProcedure), never a browser token. */
export const embedKeysRouter = router({
  list: adminApiKeyProcedure.query(({ ctx }) => listEmbedKeys(ctx.deps.db, ctx.actor.platformId)),

  /** For HS256 the answer carries the generated secret, shown this once. */
  create: adminApiKeyProcedure.input(createEmbedKeyInput).mutation(async ({ ctx, input }) => {
    const key = await createEmbedKey(ctx.deps.db, ctx.deps.keyRing, ctx.actor.platformId, input);
    await recordAudit(ctx.deps.db, {
      ...ctx.actor,
      action: 'embed-key.create',
      targetType: 'embed-key',
      targetId: key.id,
      outcome: 'success',
      details: { name: key.name, algorithm: key.algorithm, issuer: key.issuer },
    });
    return key;
  }),

  revoke: adminApiKeyProcedure.input(z.object({ id: entityId })).mutation(async ({ ctx, input }) => {
    await revokeEmbedKey(ctx.deps.db, ctx.actor.platformId, input.id);
    await ctx.deps.generations.bump(['auth']);
    await recordAudit(ctx.deps.db, {
      ...ctx.actor,
      action: 'embed-key.revoke',
      targetType: 'embed-key',
      targetId: input.id,
      outcome: 'success',
    });
    return { id: input.id };
  }),
});
