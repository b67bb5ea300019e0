import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateApiKeyToken(): string {
  return `smk_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKeyToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
