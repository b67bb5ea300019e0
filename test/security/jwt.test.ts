import { createHmac, generateKeyPairSync } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBED_AUDIENCE, hs256Token } from '../server/support/embed-tokens.ts';
import { rejection, startTestServer, type ApiClient, type TestServer } from '../server/support/server.ts';

/**
 * Embed JWTs as an attacker would send them: every refusal is a 401 (never a 500) whose
 * body names no SQL, stack or driver detail.
 */
let t: TestServer;
let admin: ApiClient;
let projectId: string;
let hsKey: { id: string; secret?: string };
let rsKey: { id: string };
let rsPrivate: CryptoKey;
let rsPublic: CryptoKey;

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token with any header and payload, HMAC-signed by hand: jose would refuse to build some of these. */
function handMadeHs256(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer): string {
  const signingInput = `${b64({ alg: 'HS256', ...header })}.${b64(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

const validClaims = (extra: JWTPayload = {}): JWTPayload => ({ sub: 'user@host', role: 'admin', aud: EMBED_AUDIENCE, iat: now(), exp: now() + 300, ...extra });

/** The raw HTTP answer to a call made with `token`, to check status and body alike. */
async function answer(token: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${t.url}/trpc/secretManagers.list`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.text() };
}

/** A 401 whose body says why, and nothing of our internals. */
async function expectRefused(token: string, reason?: RegExp): Promise<void> {
  const { status, body } = await answer(token);
  expect(status, body).toBe(401);
  expect(body).not.toMatch(/select |insert |from "|postgres|drizzle|\bat .+:\d+:\d+|node_modules|stack|TypeError|JOSE|ERR_/i);
  if (reason) expect(JSON.parse(body).error.message).toMatch(reason);
}

async function expectAccepted(token: string): Promise<void> {
  const { status, body } = await answer(token);
  expect(status, body).toBe(200);
}

beforeAll(async () => {
  t = await startTestServer({ database: 'postgres' });
  ({ admin } = await t.newPlatform());
  projectId = (await admin.projects.create.mutate({ name: 'P' })).id;
  hsKey = await admin.embedKeys.create.mutate({ name: 'hs', algorithm: 'HS256' });
  ({ privateKey: rsPrivate, publicKey: rsPublic } = await generateKeyPair('RS256', { extractable: true }));
  rsKey = await admin.embedKeys.create.mutate({ name: 'rs', algorithm: 'RS256', publicJwk: (await exportJWK(rsPublic)) as Record<string, unknown> });
});
afterAll(async () => {
  await t?.stop();
});

describe('embed JWT verification', () => {
  it('accepts well-formed tokens of each algorithm: HS256, RS256, ES256', async () => {
    await expectAccepted(await hs256Token(hsKey, { role: 'admin' }));
    await expectAccepted(await new SignJWT(validClaims()).setProtectedHeader({ alg: 'RS256', kid: rsKey.id }).sign(rsPrivate));
    const es = await generateKeyPair('ES256', { extractable: true });
    const esKey = await admin.embedKeys.create.mutate({ name: 'es', algorithm: 'ES256', publicJwk: (await exportJWK(es.publicKey)) as Record<string, unknown> });
    await expectAccepted(await new SignJWT(validClaims({ role: 'member', projectId })).setProtectedHeader({ alg: 'ES256', kid: esKey.id }).sign(es.privateKey));
  });

  it('refuses alg "none"', async () => {
    await expectRefused(`${b64({ alg: 'none', kid: hsKey.id })}.${b64(validClaims())}.`);
    await expectRefused(`${b64({ alg: 'none', kid: rsKey.id })}.${b64(validClaims())}.`);
  });

  it('refuses an HS256 token keyed with the RS256 key\'s public PEM or JWK (algorithm confusion)', async () => {
    const pem = await exportSPKI(rsPublic);
    const jwk = JSON.stringify(await exportJWK(rsPublic));
    for (const secret of [pem, jwk, Buffer.from(pem)]) {
      await expectRefused(handMadeHs256({ kid: rsKey.id }, validClaims(), secret));
    }
    // Nor an RS256 token against an HS256 key.
    await expectRefused(await new SignJWT(validClaims()).setProtectedHeader({ alg: 'RS256', kid: hsKey.id }).sign(rsPrivate));
  });

  it('refuses a wrong or shared audience', async () => {
    await expectRefused(await hs256Token(hsKey, { role: 'admin' }, { audience: 'another-service' }), /"aud" must be "secret-managers"/);
    await expectRefused(handMadeHs256({ kid: hsKey.id }, validClaims({ aud: [EMBED_AUDIENCE, 'another-service'] }), hsKey.secret!), /aud/);
    const { aud: _, ...withoutAud } = validClaims();
    await expectRefused(handMadeHs256({ kid: hsKey.id }, withoutAud, hsKey.secret!), /"aud"/);
  });

  it('requires exactly the issuer an embed key registered', async () => {
    const key = await admin.embedKeys.create.mutate({ name: 'with iss', algorithm: 'HS256', issuer: 'https://host.example' });
    expect(key.issuer).toBe('https://host.example');
    await expectAccepted(await hs256Token(key, { role: 'admin', iss: 'https://host.example' }));
    await expectRefused(await hs256Token(key, { role: 'admin' }), /"iss"/);
    await expectRefused(await hs256Token(key, { role: 'admin', iss: 'https://attacker.example' }), /"iss"/);
    // A key without an issuer does not check one.
    await expectAccepted(await hs256Token(hsKey, { role: 'admin', iss: 'anything' }));
  });

  it('refuses too long a lifetime, a missing iat or exp, an expired token, and iat or nbf in the future', async () => {
    await expectAccepted(await hs256Token(hsKey, { role: 'admin' }, { lifetimeSeconds: 3600 }));
    await expectRefused(await hs256Token(hsKey, { role: 'admin' }, { lifetimeSeconds: 3601 }), /at most 3600 seconds/);
    await expectRefused(handMadeHs256({ kid: hsKey.id }, validClaims({ exp: Date.UTC(2200, 0, 1) / 1000 }), hsKey.secret!), /at most 3600 seconds/);
    const { iat: _iat, ...withoutIat } = validClaims();
    await expectRefused(handMadeHs256({ kid: hsKey.id }, withoutIat, hsKey.secret!), /"iat"/);
    const { exp: _exp, ...withoutExp } = validClaims();
    await expectRefused(handMadeHs256({ kid: hsKey.id }, withoutExp, hsKey.secret!), /"exp"/);
    await expectRefused(handMadeHs256({ kid: hsKey.id }, validClaims({ iat: 'yesterday' as unknown as number }), hsKey.secret!));
    await expectRefused(await hs256Token(hsKey, { role: 'admin' }, { issuedAt: now() - 120, lifetimeSeconds: 60 }), /expired/);
    await expectRefused(await hs256Token(hsKey, { role: 'admin' }, { issuedAt: now() - 61, lifetimeSeconds: 60 }), /expired/);
    await expectRefused(await hs256Token(hsKey, { role: 'admin' }, { issuedAt: now() + 600 }), /issued in the future/);
    await expectRefused(await hs256Token(hsKey, { role: 'admin', nbf: now() + 600 }), /not valid yet/);
    // A host clock a few seconds ahead is tolerated.
    await expectAccepted(await hs256Token(hsKey, { role: 'admin', nbf: now() + 5 }, { issuedAt: now() + 5 }));
  });

  it('refuses tokens of a revoked key, or signed with one platform\'s key and naming another platform\'s key or project', async () => {
    const revoked = await admin.embedKeys.create.mutate({ name: 'soon revoked', algorithm: 'HS256' });
    const token = await hs256Token(revoked, { role: 'admin' });
    await expectAccepted(token);
    await admin.embedKeys.revoke.mutate({ id: revoked.id });
    await expectRefused(token, /unknown or revoked/);

    const other = await t.newPlatform('other');
    const otherKey = await other.admin.embedKeys.create.mutate({ name: 'theirs', algorithm: 'HS256' });
    const otherProject = await other.admin.projects.create.mutate({ name: 'Q' });
    // Our secret under their kid: the signature does not verify against their key.
    await expectRefused(handMadeHs256({ kid: otherKey.id }, validClaims(), hsKey.secret!));
    // Our key claiming their project: no such project on our platform.
    await expectRefused(await hs256Token(hsKey, { role: 'member', projectId: otherProject.id }), /does not exist on this platform/);
    // Their key claiming our project, likewise.
    await expectRefused(await hs256Token(otherKey, { role: 'admin', projectId }), /does not exist on this platform/);
  });

  it('answers 401, never 500, to a kid that is missing, not a string, has NUL bytes or is absurdly long', async () => {
    const kids: unknown[] = [undefined, 42, null, true, ['esk_x'], { id: hsKey.id }, '', 'esk_', `${hsKey.id}\u0000`, `esk_\u0000abc`, `esk_${'a'.repeat(100_000)}`, "esk_a' or '1'='1", 'ESK_ABC', `${hsKey.id} `, 'key_abc'];
    for (const kid of kids) {
      const header = kid === undefined ? {} : { kid };
      const token = handMadeHs256(header, validClaims(), hsKey.secret!);
      const { status, body } = await answer(token);
      // A 100 kB header may be refused by the HTTP layer itself (431); anything but a 5xx is fine there.
      if (status === 431) continue;
      expect(status, `kid ${JSON.stringify(kid)?.slice(0, 40)}: ${body.slice(0, 200)}`).toBe(401);
      expect(JSON.parse(body).error.message).toMatch(/kid/);
    }
  });

  it('answers 401 to claims of the wrong shape, projectIds with NUL bytes included', async () => {
    for (const claims of [
      validClaims({ role: 'owner' }),
      validClaims({ sub: '' }),
      validClaims({ sub: 42 as unknown as string }),
      validClaims({ role: 'member', projectId: `${projectId}\u0000` }),
      validClaims({ role: 'member', projectId: 'x'.repeat(10_000) }),
      validClaims({ role: 'member', projectId: { $ne: null } }),
      validClaims({ role: 'member' }),
    ]) {
      await expectRefused(handMadeHs256({ kid: hsKey.id }, claims, hsKey.secret!));
    }
    for (const garbage of ['eyJhbGciOiJIUzI1NiJ9.eyJ9.x', 'eyJ.eyJ.', `eyJ${'A'.repeat(5000)}.eyJ.sig`]) await expectRefused(garbage);
  });
});

describe('embedKeys.create checks the public key against the algorithm', () => {
  async function refusal(algorithm: 'RS256' | 'ES256' | 'EdDSA', publicJwk: Record<string, unknown>) {
    const e = await rejection(admin.embedKeys.create.mutate({ name: 'bad', algorithm, publicJwk }));
    expect(e.data.httpStatus).toBe(400);
    return e.message;
  }

  it('accepts public keys of the right type', async () => {
    const ed = await generateKeyPair('EdDSA', { extractable: true });
    const key = await admin.embedKeys.create.mutate({ name: 'ed', algorithm: 'EdDSA', publicJwk: (await exportJWK(ed.publicKey)) as Record<string, unknown> });
    const token = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'EdDSA', kid: key.id }).sign(ed.privateKey);
    await expectAccepted(token);
    // alg, use and key_ops that agree are fine; the stored key keeps only what verifies.
    const jwk = { ...(await exportJWK(rsPublic)), alg: 'RS256', use: 'sig', key_ops: ['verify'], kid: 'host-key-1' };
    await expect(admin.embedKeys.create.mutate({ name: 'rs with metadata', algorithm: 'RS256', publicJwk: jwk })).resolves.toMatchObject({ algorithm: 'RS256' });
  });

  it('refuses private keys, symmetric keys, other key types and curves, contradicting alg/use, short RSA keys', async () => {
    const rsaPrivateJwk = (await exportJWK(rsPrivate)) as Record<string, unknown>;
    expect(await refusal('RS256', rsaPrivateJwk)).toMatch(/private or secret key.*"d"/);
    expect(await refusal('RS256', { kty: 'oct', k: 'c2VjcmV0' })).toMatch(/"kty" must be "RSA", not "oct"/);
    expect(await refusal('ES256', { kty: 'oct', k: 'c2VjcmV0' })).toMatch(/"kty" must be "EC"/);

    const p384 = await generateKeyPair('ES384', { extractable: true });
    expect(await refusal('ES256', (await exportJWK(p384.publicKey)) as Record<string, unknown>)).toMatch(/"crv" must be "P-256", not "P-384"/);
    const es256 = await generateKeyPair('ES256', { extractable: true });
    const es256Jwk = (await exportJWK(es256.publicKey)) as Record<string, unknown>;
    expect(await refusal('RS256', es256Jwk)).toMatch(/"kty" must be "RSA", not "EC"/);
    expect(await refusal('ES256', (await exportJWK(es256.privateKey)) as Record<string, unknown>)).toMatch(/"d"/);

    const rsaJwk = (await exportJWK(rsPublic)) as Record<string, unknown>;
    expect(await refusal('RS256', { ...rsaJwk, alg: 'RS512' })).toMatch(/"alg": "RS512"/);
    expect(await refusal('RS256', { ...rsaJwk, alg: 'HS256' })).toMatch(/"alg": "HS256"/);
    expect(await refusal('RS256', { ...rsaJwk, use: 'enc' })).toMatch(/"use": "enc"/);
    expect(await refusal('RS256', { ...rsaJwk, key_ops: ['encrypt'] })).toMatch(/key_ops/);
    // jose will not make a short key; node:crypto will.
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect(await refusal('RS256', short as Record<string, unknown>)).toMatch(/1024 bits; at least 2048/);
    expect(await refusal('ES256', { ...es256Jwk, x: 'not base64url!' })).toMatch(/"x" must be a base64url/);
    expect(await refusal('ES256', { ...es256Jwk, y: Buffer.alloc(32, 7).toString('base64url') })).toMatch(/does not hold an EC public key on curve P-256/);

    const missing = await rejection(admin.embedKeys.create.mutate({ name: 'none', algorithm: 'RS256' }));
    expect(missing.data.httpStatus).toBe(400);
    const hsWithJwk = await rejection(admin.embedKeys.create.mutate({ name: 'hs', algorithm: 'HS256', publicJwk: rsaJwk }));
    expect(hsWithJwk.data.httpStatus).toBe(400);
  });
});
