/**
 * Access tokens the emulated authority issues and the emulated vault accepts: ES256 JWTs
 * with Entra's claims (tid, appid/azp, aud = the vault resource), verified by signature,
 * audience and expiry like a resource server does.
 */
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';

/** The resource Key Vault names in its challenge; tokens are requested for `${VAULT_RESOURCE}/.default`. */
export const VAULT_RESOURCE = 'https://vault.azure.net';

const KEY_ID = 'emulator-signing-key';

export interface TokenClaims {
  tenantId: string;
  clientId: string;
}

export class TokenIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly lifetimeSeconds: number,
  ) {}

  static async create(lifetimeSeconds: number): Promise<TokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    return new TokenIssuer(privateKey, publicKey, lifetimeSeconds);
  }

  issue(origin: string, claims: TokenClaims): Promise<string> {
    return new SignJWT({ tid: claims.tenantId, appid: claims.clientId, azp: claims.clientId, oid: claims.clientId, ver: '2.0' })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: KEY_ID })
      .setIssuer(`${origin}/${claims.tenantId}/v2.0`)
      .setSubject(claims.clientId)
      .setAudience(VAULT_RESOURCE)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${this.lifetimeSeconds}s`)
      .sign(this.privateKey);
  }

  /** The token's claims, or why the vault refuses it. */
  async verify(token: string): Promise<TokenClaims | { refused: string }> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { audience: VAULT_RESOURCE, algorithms: ['ES256'] });
      if (typeof payload['tid'] !== 'string' || typeof payload['appid'] !== 'string') return { refused: 'the token has no tid or appid claim' };
      return { tenantId: payload['tid'], clientId: payload['appid'] };
    } catch (error) {
      return { refused: error instanceof Error ? error.message : String(error) };
    }
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: [{ ...(await exportJWK(this.publicKey)), kid: KEY_ID, use: 'sig', alg: 'ES256' }] };
  }
}
