import { SignJWT } from 'jose';
import type { TestPlatform } from './helpers.ts';

/**
 * An embed token with `claims`, signed with a new embed key of the platform the way a host
 * backend signs it (README). `expiresIn` may be negative: an already expired token.
 */
async function embedToken(p: TestPlatform, claims: { role: 'admin' | 'member'; projectId: string }, expiresInSeconds: number): Promise<string> {
  const key = await p.api.embedKeys.create.mutate({ name: 'test host', algorithm: 'HS256' });
  return new SignJWT(claims)
    .setSubject(`${claims.role}@host.example`)
    .setProtectedHeader({ alg: 'HS256', kid: key.id })
    .setAudience('secret-managers') // the server's default SM_EMBED_AUDIENCE
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(new TextEncoder().encode(key.secret!));
}

/** A host's member token for `projectId`. */
export function memberToken(p: TestPlatform, projectId: string, expiresInSeconds = 300): Promise<string> {
  return embedToken(p, { role: 'member', projectId }, expiresInSeconds);
}

/** A host's admin token bound to `projectId`: it manages the connections of that project alone. */
export function projectAdminToken(p: TestPlatform, projectId: string, expiresInSeconds = 300): Promise<string> {
  return embedToken(p, { role: 'admin', projectId }, expiresInSeconds);
}
