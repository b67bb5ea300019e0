/**
 * Who sent a request: its SigV4 signature checked against the key's secret, the session
 * token of temporary credentials, the clock and the credential scope. Each protocol words
 * the failure its own way (see `AuthFailure.kind`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
 */
import type { Identities, Principal } from './iam.ts';
import { amzDateOf, parseAuthorization, signatureMatches, type SignableRequest } from './sigv4.ts';

export type AuthFailureKind = 'missing' | 'unknownKey' | 'badSignature' | 'expiredToken' | 'signatureExpired' | 'wrongScope';

export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** AWS accepts requests signed up to 15 minutes before or after its own clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

function header(request: SignableRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseAmzDate(text: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

export function authenticate(identities: Identities, request: SignableRequest, expected: { region: string; service: string }): Principal {
  const auth = parseAuthorization(header(request, 'authorization'));
  if (!auth) throw new AuthFailure('missing', 'Missing Authentication Token');

  const amzDate = header(request, 'x-amz-date');
  const signedAt = parseAmzDate(amzDate);
  if (!amzDate || !signedAt) throw new AuthFailure('badSignature', 'The request must contain the header X-Amz-Date in ISO 8601 basic format.');
  if (auth.scope.date !== amzDate.slice(0, 8)) {
    throw new AuthFailure('badSignature', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scope.date}' != '${amzDate.slice(0, 8)}'`);
  }
  const now = Date.now();
  if (Math.abs(now - signedAt.getTime()) > MAX_SKEW_MS) {
    const earlier = signedAt.getTime() < now;
    const bound = amzDateOf(new Date(now + (earlier ? -MAX_SKEW_MS : MAX_SKEW_MS)));
    throw new AuthFailure('signatureExpired', `Signature expired: ${amzDate} is now ${earlier ? 'earlier' : 'later'} than ${bound} (${amzDateOf(new Date(now))} ${earlier ? '-' : '+'} 15 min.)`);
  }
  if (auth.scope.service !== expected.service) {
    throw new AuthFailure('wrongScope', `Credential should be scoped to correct service: '${expected.service}'.`);
  }
  if (auth.scope.region !== expected.region) {
    throw new AuthFailure('wrongScope', `Credential should be scoped to a valid region.`);
  }
  if (!auth.signedHeaders.includes('host')) {
    throw new AuthFailure('badSignature', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  const key = identities.key(auth.accessKeyId);
  const token = header(request, 'x-amz-security-token');
  if (!key || key.sessionToken !== token) {
    throw new AuthFailure('unknownKey', 'The security token included in the request is invalid.');
  }
  if (key.expiresAt !== undefined && key.expiresAt <= now) {
    throw new AuthFailure('expiredToken', 'The security token included in the request is expired');
  }
  if (!signatureMatches(request, auth, amzDate, key.secretAccessKey)) {
    throw new AuthFailure(
      'badSignature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return key.principal;
}
