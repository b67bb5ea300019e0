import { X509Certificate } from 'node:crypto';

/**
 * What is wrong with a PEM CA bundle an admin pasted, or undefined. Node silently skips a
 * CA it cannot parse, which would surface later as a puzzling "unable to verify".
 */
export function caCertProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return 'it has no -----BEGIN CERTIFICATE----- block';
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
  return undefined;
}
