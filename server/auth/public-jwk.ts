import { importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { ValidationError } from '../services/validation-error.ts';

export type AsymmetricAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/** RSA moduli shorter than this are factorable by a determined attacker (NIST SP 800-57). */
const MIN_RSA_BITS = 2048;

/** JWK members that only a private key has (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** What each algorithm's key must be: its `kty` and, for curves, its `crv`. */
const keyTypeOf: Record<AsymmetricAlgorithm, { kty: string; crv?: string; describe: string }> = {
  RS256: { kty: 'RSA', describe: `an RSA public key of at least ${MIN_RSA_BITS} bits` },
  ES256: { kty: 'EC', crv: 'P-256', describe: 'an EC public key on curve P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', describe: 'an Ed25519 (OKP) public key' },
};

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

function rsaModulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return (bytes.length - i) * 8 - Math.clz32(bytes[i] ?? 0) + 24;
}

/** Every problem of `jwk` as the key of `algorithm`, each at its member's path under `publicJwk`. */
function problemsOf(algorithm: AsymmetricAlgorithm, jwk: Record<string, unknown>): { path: string[]; message: string }[] {
  const expected = keyTypeOf[algorithm];
  const problems: { path: string[]; message: string }[] = [];
  const at = (member: string, message: string) => problems.push({ path: ['publicJwk', member], message });
  const privateParts = PRIVATE_MEMBERS.filter((m) => m in jwk);
  if (privateParts.length > 0) {
    at(privateParts[0]!, `This is a private or secret key (it has "${privateParts.join('", "')}"): send only the public key.`);
  }
  if (jwk['kty'] !== expected.kty) {
    at('kty', `${algorithm} needs ${expected.describe}; "kty" must be "${expected.kty}", not ${JSON.stringify(jwk['kty'] ?? null)}.`);
    return problems;
  }
  if (expected.crv !== undefined && jwk['crv'] !== expected.crv) {
    at('crv', `${algorithm} needs ${expected.describe}; "crv" must be "${expected.crv}", not ${JSON.stringify(jwk['crv'] ?? null)}.`);
  }
  if (jwk['alg'] !== undefined && jwk['alg'] !== algorithm) at('alg', `The key says "alg": ${JSON.stringify(jwk['alg'])}, but it is registered for ${algorithm}.`);
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') at('use', `The key says "use": ${JSON.stringify(jwk['use'])}; a signing key has "use": "sig".`);
  const ops = jwk['key_ops'];
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) at('key_ops', 'The key\'s "key_ops" must include "verify".');
  const members = expected.kty === 'RSA' ? ['n', 'e'] : expected.kty === 'EC' ? ['x', 'y'] : ['x'];
  for (const m of members) {
    if (!base64url.safeParse(jwk[m]).success) at(m, `"${m}" must be a base64url string.`);
  }
  if (expected.kty === 'RSA' && typeof jwk['n'] === 'string' && base64url.safeParse(jwk['n']).success) {
    const bits = rsaModulusBits(jwk['n']);
    if (bits < MIN_RSA_BITS) at('n', `The RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed.`);
  }
  return problems;
}

/**
 * Checks the public JWK a host registers for `algorithm` and returns it without members
 * we do not use. A private key, a symmetric (`oct`) key, another key type or curve, a
 * contradicting `alg`/`use`, or a short RSA key is a 400 naming the member at fault.
 */
export async function checkPublicJwk(algorithm: AsymmetricAlgorithm, jwk: Record<string, unknown>): Promise<JWK> {
  const problems = problemsOf(algorithm, jwk);
  if (problems.length > 0) {
    throw new ValidationError(new z.ZodError(problems.map((p) => ({ code: 'custom' as const, path: p.path, message: p.message, input: undefined }))));
  }
  const { kty, crv, n, e, x, y } = jwk as Record<string, string | undefined>;
  const publicJwk = Object.fromEntries(Object.entries({ kty, crv, n, e, x, y }).filter(([, v]) => v !== undefined)) as JWK;
  try {
    await importJWK(publicJwk, algorithm);
  } catch {
    throw new ValidationError(
      new z.ZodError([{ code: 'custom', path: ['publicJwk'], message: `The JWK does not hold ${keyTypeOf[algorithm].describe} (its members do not form a valid key).`, input: undefined }]),
    );
  }
  return publicJwk;
}
