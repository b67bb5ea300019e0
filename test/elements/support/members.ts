import { SignJWT } from 'jose';
import type { TestPlatform } from './helpers.ts';

/**
 * A host's member token for `projectId`, signed with an embed key of the platform the way
 * a host backend signs it (README). `expiresIn` may be negative: an already expired token.
 */
export async function memberToken(p: TestPlatform, projectId: string, expiresInSeconds = 300): Promise<string> {
  const key = await p.api.embedKeys.create.mutate({ name: 'test host', algorithm: 'HS256' });
  return new SignJWT({ role: 'member', projectId })
    .setSubject('member@host.example')
    .setProtectedHeader({ alg: 'HS256', kid: key.id })
    .setAudience('secret-managers') // the server's default SM_EMBED_AUDIENCE
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(new TextEncoder().encode(key.secret!));
}
