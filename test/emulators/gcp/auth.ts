/**
 * Service accounts and the self-signed JWTs Google's client libraries send instead of OAuth
 * access tokens: RS256, `kid` = the key's private_key_id, `iss` = `sub` = the account's
 * email, `aud` = the service URL (or a `scope` claim), at most one hour long.
 * https://google.aip.dev/auth/4111
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { GcpState } from './state.ts';
import type { GcpJwtSummary, GcpServiceAccount } from './types.ts';
import { RpcError, UNAUTHENTICATED_INVALID, UNAUTHENTICATED_MISSING } from './wire.ts';

/** Who a request acts as: a service account's email, or anyone (anonymous requests when allowed). */
export type Caller = { email: string; jwt: GcpJwtSummary } | { anonymous: true };

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export function createServiceAccount(state: GcpState, email: string, projectId: string, tokenUri: string): GcpServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyId = randomBytes(20).toString('hex');
  state.keys.set(privateKeyId, { email, publicKey });
  const keyFile = {
    type: 'service_account',
    project_id: projectId,
    private_key_id: privateKeyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: email,
    client_id: String(100_000_000_000_000_000_000n + BigInt(state.keys.size)),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
    universe_domain: 'googleapis.com',
  };
  return { email, privateKeyId, keyJson: JSON.stringify(keyFile, null, 2) };
}

/** `aud` must name this service (global or regional host), as the client derives it from its default service path. */
function isServiceAudience(aud: unknown): boolean {
  return typeof aud === 'string' && /^https:\/\/secretmanager\.([a-z0-9-]+\.rep\.)?googleapis\.com\/$/.test(aud);
}

/** Verifies the `authorization` header's JWT against the registered public key of its `kid`. */
export async function authenticate(state: GcpState, authorization: string | undefined, allowAnonymous: boolean): Promise<Caller> {
  if (!authorization) {
    if (allowAnonymous) return { anonymous: true };
    throw new RpcError(status.UNAUTHENTICATED, UNAUTHENTICATED_MISSING);
  }
  const token = /^Bearer (.+)$/.exec(authorization)?.[1];
  if (!token) throw new RpcError(status.UNAUTHENTICATED, UNAUTHENTICATED_INVALID);
  try {
    const { kid, alg } = decodeProtectedHeader(token);
    const account = kid === undefined ? undefined : state.keys.get(kid);
    if (!account || alg !== 'RS256') throw new Error('unknown key');
    const { payload } = await jwtVerify(token, account.publicKey, {
      algorithms: ['RS256'],
      issuer: account.email,
      subject: account.email,
      requiredClaims: ['iat', 'exp'],
    });
    const lifetimeSeconds = payload.exp! - payload.iat!;
    const scope = typeof payload['scope'] === 'string' ? payload['scope'] : undefined;
    const audienceOk = payload.aud === undefined ? scope?.split(' ').includes(CLOUD_PLATFORM_SCOPE) === true : isServiceAudience(payload.aud);
    if (lifetimeSeconds > 3600 || !audienceOk) throw new Error('bad claims');
    const jwt: GcpJwtSummary = { kid: kid!, iss: payload.iss!, sub: payload.sub!, lifetimeSeconds };
    if (typeof payload.aud === 'string') jwt.aud = payload.aud;
    if (scope !== undefined) jwt.scope = scope;
    return { email: account.email, jwt };
  } catch {
    throw new RpcError(status.UNAUTHENTICATED, UNAUTHENTICATED_INVALID);
  }
}
