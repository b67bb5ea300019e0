import { and, eq, isNull, or } from 'drizzle-orm';
import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { Config } from '../config.ts';
import { KeyRingError, type KeyRing } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { embedSigningKeys, projects } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { embedKeyAssociatedData } from '../services/embed-keys.ts';
import { isIdOf } from '../services/ids.ts';
import type { AuthSession } from './auth-cache.ts';
import type { Principal } from './principal.ts';

/** Host clocks drift: an `iat` or `nbf` this many seconds ahead of ours still passes (`exp` gets no grace). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Text a query may carry: PostgreSQL refuses NUL, and no id or name of ours has control characters. */
const plainText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f\u007f]+$/);

const embedClaims = z.object({
  sub: plainText(256),
  role: z.enum(['admin', 'member']),
  /** Our project id or the project's `externalId`. */
  projectId: plainText(200).optional(),
  iat: z.number(),
  exp: z.number(),
});

type EmbedKeyRow = typeof embedSigningKeys.$inferSelect;

const unauthorized = (message: string) => new AppError('UNAUTHORIZED', message);

/** The `kid` must look like one of our embed key ids before it goes near the database. */
function keyIdOf(token: string): string {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw unauthorized('The token is not a well-formed JWT.');
  }
  if (!isIdOf('esk', header.kid)) throw unauthorized('The JWT header needs a "kid" naming a registered embed key (esk_…).');
  return header.kid;
}

/** What verifying a token needs of its embed key: kept in the AuthCache, so a busy page costs no database read. */
interface Verifier {
  id: string;
  platformId: string;
  algorithm: EmbedKeyRow['algorithm'];
  issuer: string | null;
  key: Awaited<ReturnType<typeof verificationKeyOf>>;
}

async function activeKey(db: Db, kid: string): Promise<EmbedKeyRow> {
  const [key] = await db
    .select()
    .from(embedSigningKeys)
    .where(and(eq(embedSigningKeys.id, kid), isNull(embedSigningKeys.revokedAt)));
  if (!key) throw unauthorized('The JWT was signed with an unknown or revoked embed key.');
  return key;
}

async function verificationKeyOf(keyRing: KeyRing, key: EmbedKeyRow) {
  if (key.algorithm === 'HS256') {
    try {
      return Buffer.from(keyRing.open({ keyVersion: key.keyVersion!, ciphertext: key.secretCiphertext! }, embedKeyAssociatedData(key.platformId, key.id)), 'utf8');
    } catch (e) {
      if (!(e instanceof KeyRingError)) throw e;
      // Its key version left SM_ENCRYPTION_KEYS, or the row is damaged: the host's tokens cannot be checked, so they are refused.
      throw unauthorized('The embed key cannot verify tokens (its secret cannot be decrypted on this server); register a new embed key.');
    }
  }
  try {
    return await importJWK(key.publicJwk as JWK, key.algorithm);
  } catch {
    // Registered before embedKeys.create checked JWKs: it verifies nothing.
    throw unauthorized('The embed key cannot verify tokens; register the host key again.');
  }
}

/** What a refused claim check tells the host, which mints the tokens and must fix them. */
function claimFailure(e: unknown, policy: Config['embed']): AppError {
  if (e instanceof joseErrors.JWTExpired) {
    return unauthorized(e.claim === 'exp' ? 'The token has expired.' : `The token is older than ${policy.maxTtlSeconds} seconds.`);
  }
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.reason === 'missing') return unauthorized(`The token needs the "${e.claim}" claim.`);
    switch (e.claim) {
      case 'aud':
        return unauthorized(`The token's "aud" must be "${policy.audience}".`);
      case 'iss':
        return unauthorized('The token\'s "iss" is not the issuer registered for its embed key.');
      case 'nbf':
        return unauthorized('The token is not valid yet ("nbf" is in the future).');
      case 'iat':
        return unauthorized('The token was issued in the future ("iat"); check the host\'s clock.');
    }
  }
  return unauthorized('The token signature or claims are not valid.');
}

/** `aud` must be exactly ours: a token also meant for another service could be replayed here. */
function audienceIsOnly(payload: JWTPayload, audience: string): boolean {
  const aud = payload.aud;
  return aud === audience || (Array.isArray(aud) && aud.length === 1 && aud[0] === audience);
}

/** Hosts may name a project by our id or by their own (external) id. */
async function resolveProject(db: Db, platformId: string, ref: string): Promise<string> {
  const [row] = await db
    .select({ id: projects.id })
    .from(projects)
    .where(and(eq(projects.platformId, platformId), or(eq(projects.id, ref), eq(projects.externalId, ref))));
  if (!row) throw unauthorized(`The token's project "${ref}" does not exist on this platform.`);
  return row.id;
}

/**
 * Verifies an embed JWT a host signed for one of its users: the key named by `kid` (active,
 * of the key's own algorithm, so an HS256 token cannot pose as RS256), `aud`, the key's
 * `iss` when it registered one, `iat` and `exp` within the maximum lifetime, `nbf`.
 * Every refusal is a 401 that says which check failed.
 */
export async function verifyEmbedToken(db: Db, keyRing: KeyRing, policy: Config['embed'], token: string, cache: AuthSession): Promise<Principal> {
  const kid = keyIdOf(token);
  const key = await cache.remembered(`esk:${kid}`, async (): Promise<Verifier> => {
    const row = await activeKey(db, kid);
    return { id: row.id, platformId: row.platformId, algorithm: row.algorithm, issuer: row.issuer, key: await verificationKeyOf(keyRing, row) };
  });
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.key, {
      algorithms: [key.algorithm],
      audience: policy.audience,
      ...(key.issuer !== null && { issuer: key.issuer }),
      requiredClaims: ['sub', 'iat', 'exp'],
      // Also refuses an `iat` in the future (beyond the tolerance).
      maxTokenAge: policy.maxTtlSeconds,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    }));
  } catch (e) {
    throw claimFailure(e, policy);
  }
  if (!audienceIsOnly(payload, policy.audience)) throw unauthorized(`The token's "aud" must be "${policy.audience}" alone.`);
  const claims = embedClaims.safeParse(payload);
  if (!claims.success) throw unauthorized('The token needs claims sub, role (admin | member), iat and exp; projectId, when given, is a project id.');
  const { sub, role, projectId, iat, exp } = claims.data;
  // jose grants `exp` the clock tolerance too; an expired token is refused from its first second.
  if (exp <= Date.now() / 1000) throw unauthorized('The token has expired.');
  if (exp - iat > policy.maxTtlSeconds) {
    throw unauthorized(`The token may live at most ${policy.maxTtlSeconds} seconds (exp - iat); mint shorter-lived tokens.`);
  }
  if (role === 'member' && !projectId) throw unauthorized('A member token must carry a projectId.');
  return {
    type: 'embed',
    keyId: key.id,
    subject: sub,
    platformId: key.platformId,
    role,
    projectId: projectId ? await cache.remembered(`project:${key.platformId}\0${projectId}`, () => resolveProject(db, key.platformId, projectId)) : null,
  };
}
