import { and, eq, isNull, or } from 'drizzle-orm';
import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK } from 'jose';
import { z } from 'zod';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { apiKeys, embedSigningKeys, projects } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { hashApiKeyToken, hashesEqual } from './api-key-token.ts';
import type { Principal } from './principal.ts';
import { embedKeyAssociatedData } from '../services/embed-keys.ts';

const embedClaims = z.object({
  sub: z.string().min(1).max(256),
  role: z.enum(['admin', 'member']),
  projectId: z.string().min(1).max(200).optional(),
  exp: z.number(),
});

const unauthorized = (message: string) => new AppError('UNAUTHORIZED', message);

function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);
}

async function authenticateApiKey(db: Db, token: string): Promise<Principal> {
  const hash = hashApiKeyToken(token);
  const [row] = await db
    .select({ id: apiKeys.id, platformId: apiKeys.platformId, role: apiKeys.role, projectId: apiKeys.projectId, tokenHash: apiKeys.tokenHash })
    .from(apiKeys)
    .where(and(eq(apiKeys.tokenHash, hash), isNull(apiKeys.revokedAt)));
  if (!row || !hashesEqual(row.tokenHash, hash)) throw unauthorized('The API key is not valid or was revoked.');
  return { type: 'api-key', keyId: row.id, platformId: row.platformId, role: row.role, projectId: row.projectId };
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

async function authenticateEmbedJwt(db: Db, keyRing: KeyRing, token: string): Promise<Principal> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw unauthorized('The token is not a well-formed JWT.');
  }
  if (!kid) throw unauthorized('The JWT header has no "kid" naming the embed signing key.');
  const [key] = await db
    .select()
    .from(embedSigningKeys)
    .where(and(eq(embedSigningKeys.id, kid), isNull(embedSigningKeys.revokedAt)));
  if (!key) throw unauthorized('The JWT was signed with an unknown or revoked embed key.');

  const verificationKey =
    key.algorithm === 'HS256'
      ? Buffer.from(
          keyRing.open({ keyVersion: key.keyVersion!, ciphertext: key.secretCiphertext! }, embedKeyAssociatedData(key.platformId, key.id)),
          'utf8',
        )
      : await importJWK(key.publicJwk as JWK, key.algorithm);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, verificationKey, { algorithms: [key.algorithm], requiredClaims: ['exp', 'sub'] }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw unauthorized('The token has expired.');
    throw unauthorized('The token signature or claims are not valid.');
  }
  const claims = embedClaims.safeParse(payload);
  if (!claims.success) throw unauthorized('The token needs claims sub, role (admin | member) and exp.');
  const { sub, role, projectId } = claims.data;
  if (role === 'member' && !projectId) throw unauthorized('A member token must carry a projectId.');
  return {
    type: 'embed',
    keyId: key.id,
    subject: sub,
    platformId: key.platformId,
    role,
    projectId: projectId ? await resolveProject(db, key.platformId, projectId) : null,
  };
}

/** Reads `Authorization: Bearer …`: an API key or an embed JWT. Throws 401-kind AppErrors. */
export async function authenticate(db: Db, keyRing: KeyRing, authorization: string | undefined): Promise<Principal> {
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!m) throw unauthorized('Send Authorization: Bearer <API key or embed token>.');
  const token = m[1]!;
  return looksLikeJwt(token) ? authenticateEmbedJwt(db, keyRing, token) : authenticateApiKey(db, token);
}
