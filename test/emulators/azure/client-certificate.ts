import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ClientCertificate {
  /** The private key followed by the certificate: what a user pastes for certificate auth. */
  pem: string;
  /** The certificate alone: what is uploaded to the app registration. */
  certificate: string;
}

/**
 * An RSA key and self-signed certificate for an app registration, made with the system's
 * openssl. RSA because MSAL signs client assertions with PS256 (RS256 for SHA-1 thumbprints).
 */
export function createClientCertificate(subject = 'secret-managers test app'): ClientCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'sm-azure-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${subject}`, '-keyout', 'app.key', '-out', 'app.crt'],
      { cwd: dir, stdio: 'pipe' },
    );
    const key = readFileSync(join(dir, 'app.key'), 'utf8');
    const certificate = readFileSync(join(dir, 'app.crt'), 'utf8');
    return { pem: `${key}${certificate}`, certificate };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
