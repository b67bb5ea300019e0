/**
 * Verifies a certificate client assertion as Entra does
 * (https://learn.microsoft.com/entra/identity-platform/certificate-credentials): the header
 * names the certificate by thumbprint (`x5t#S256`, or the older SHA-1 `x5t`), the signature
 * must verify with that registered certificate's public key, `iss` = `sub` = the client id,
 * `aud` = the token endpoint, and the assertion must be within its validity window.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { Application } from './store.ts';

export type AssertionVerdict = { ok: true } | { ok: false; aadsts: number; description: string };

function thumbprint(cert: X509Certificate, algorithm: 'sha1' | 'sha256'): string {
  return createHash(algorithm).update(cert.raw).digest('base64url');
}

function registeredCertificate(app: Application, header: Record<string, unknown>): X509Certificate | undefined {
  const sha256 = header['x5t#S256'];
  const sha1 = header['x5t'];
  return app.certificates.find(
    (cert) => (typeof sha256 === 'string' && thumbprint(cert, 'sha256') === sha256) || (typeof sha1 === 'string' && thumbprint(cert, 'sha1') === sha1),
  );
}

export async function verifyClientAssertion(assertion: string, app: Application, tokenEndpoint: string): Promise<AssertionVerdict> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    return { ok: false, aadsts: 50027, description: 'JWT token is invalid or malformed.' };
  }
  const cert = registeredCertificate(app, header);
  if (!cert) {
    return {
      ok: false,
      aadsts: 700027,
      description: `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(header['x5t#S256'] ?? header['x5t'])}']`,
    };
  }
  try {
    await jwtVerify(assertion, cert.publicKey, {
      algorithms: ['PS256', 'RS256'],
      audience: tokenEndpoint,
      issuer: app.clientId,
      subject: app.clientId,
      requiredClaims: ['exp', 'jti'],
      // Entra allows for clock skew; MSAL rounds `nbf` to the nearest second, so it may lie just ahead.
      clockTolerance: 300,
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return { ok: false, aadsts: 700027, description: 'Client assertion failed signature validation.' };
    }
    if (error instanceof errors.JWTExpired || (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf')) {
      return { ok: false, aadsts: 700024, description: 'Client assertion is not within its valid time range.' };
    }
    if (error instanceof errors.JWTClaimValidationFailed && (error.claim === 'iss' || error.claim === 'sub')) {
      return { ok: false, aadsts: 700021, description: "Client assertion application identifier doesn't match 'client_id' parameter." };
    }
    return { ok: false, aadsts: 50027, description: `JWT token is invalid or malformed: ${error instanceof Error ? error.message : String(error)}.` };
  }
}
