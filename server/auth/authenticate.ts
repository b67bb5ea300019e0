import { and, eq, isNull } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Db } from '../db/client.ts';
import { apiKeys } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { hashApiKeyToken, hashesEqual } from './api-key-token.ts';
import { verifyEmbedToken } from './embed-token.ts';
import type { AuthSession } from './auth-cache.ts';
import type { Principal } from './principal.ts';

export interface AuthenticationDeps {
  db: Db;
  keyRing: KeyRing;
  config: Pick<Config, 'embed'>;
}

const unauthorized = (message: string) => new AppError('UNAUTHORIZED', message);

function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);
}

async function authenticateApiKey(db: Db, token: string, cache: AuthSession): Promise<Principal> {
  const hash = hashApiKeyToken(token);
  return cache.remembered(`key:${hash}`, () => apiKeyPrincipal(db, hash));
}

async function apiKeyPrincipal(db: Db, hash: string): Promise<Principal> {
  const [row] = await db
    .select({ id: apiKeys.id, platformId: apiKeys.platformId, role: apiKeys.role, projectId: apiKeys.projectId, tokenHash: apiKeys.tokenHash })
    .from(apiKeys)
    .where(and(eq(apiKeys.tokenHash, hash), isNull(apiKeys.revokedAt)));
  if (!row || !hashesEqual(row.tokenHash, hash)) throw unauthorized('The API key is not valid or was revoked.');
  return { type: 'api-key', keyId: row.id, platformId: row.platformId, role: row.role, projectId: row.projectId };
}

/**
 * Reads `Authorization: Bearer …`: an API key or an embed JWT. Throws 401-kind AppErrors.
 * What it reads from the database may come from `cache`: the caller checks, once it has read
 * the generations, that none of it is stale (AuthSession.usedStale).
 */
export async function authenticate(deps: AuthenticationDeps, authorization: string | undefined, cache: AuthSession): Promise<Principal> {
  const m = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!m) throw unauthorized('Send Authorization: Bearer <API key or embed token>.');
  const token = m[1]!;
  return looksLikeJwt(token) ? verifyEmbedToken(deps.db, deps.keyRing, deps.config.embed, token, cache) : authenticateApiKey(deps.db, token, cache);
}
