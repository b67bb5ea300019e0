import { SignJWT, type JWTPayload } from 'jose';

/** The server's default `SM_EMBED_AUDIENCE`. */
export const EMBED_AUDIENCE = 'secret-managers';

export interface EmbedTokenOptions {
  /** Seconds from `iat` to `exp`; default 300. */
  lifetimeSeconds?: number;
  /** `iat` in seconds since the epoch; default now. */
  issuedAt?: number;
  audience?: string;
}

/**
 * An embed JWT signed with an HS256 embed key, the way a host backend signs it (README):
 * `kid`, `aud`, `iat`, `exp` and the given claims (`sub` defaults to a user of the host).
 */
export function hs256Token(key: { id: string; secret?: string | undefined }, claims: JWTPayload, options: EmbedTokenOptions = {}): Promise<string> {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'user@host.example', ...claims })
    .setProtectedHeader({ alg: 'HS256', kid: key.id })
    .setAudience(options.audience ?? EMBED_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.lifetimeSeconds ?? 300))
    .sign(Buffer.from(key.secret!, 'utf8'));
}
