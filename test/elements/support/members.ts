import { executeServerCommand } from '@web/test-runner-commands';
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
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(new TextEncoder().encode(key.secret!));
}

/** Writes a KV v2 secret into the test server's Vault at `secret/<path>`. */
export const putVaultSecret = (path: string, data: Record<string, unknown>) =>
  executeServerCommand<number, { path: string; data: string }>('sm-putSecret', { path, data: JSON.stringify(data) });
