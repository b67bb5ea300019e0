/**
 * Service tokens: issue, resolve (expiry on the wall clock), look up and renew.
 * https://developer.hashicorp.com/vault/api-docs/auth/token
 */
import { randomBytes } from 'node:crypto';
import { badRequest } from './http.ts';

/** Vault's built-in default and max lease TTL (768h). */
const SYSTEM_TTL_SECONDS = 768 * 3600;

export interface TokenRecord {
  id: string;
  accessor: string;
  /** '' for the root namespace. */
  namespace: string;
  policies: string[];
  displayName: string;
  meta: Record<string, string> | null;
  /** The endpoint that issued it, e.g. `auth/approle/login`. */
  path: string;
  issuedAt: number;
  creationTtl: number;
  /** null: never expires. */
  expiresAt: number | null;
  renewable: boolean;
  explicitMaxTtl: number;
  /** The point renewals cannot go past, or null for a token without expiry. */
  maxExpiresAt: number | null;
}

export interface TokenSpec {
  namespace: string;
  policies: readonly string[];
  ttlSeconds?: number;
  renewable?: boolean;
  maxTtlSeconds?: number;
  displayName?: string;
  meta?: Record<string, string> | null;
  path?: string;
}

const randomId = (bytes: number) => randomBytes(bytes).toString('base64url');

export const newTokenId = () => `hvs.${randomId(18)}`;

/** Vault sorts a token's policies and adds `default` unless the token is a root token. */
function effectivePolicies(policies: readonly string[]): string[] {
  if (policies.includes('root')) return ['root'];
  return [...new Set(['default', ...policies])].sort();
}

export function buildToken(spec: TokenSpec): TokenRecord {
  const now = Date.now();
  const ttl = spec.ttlSeconds ?? SYSTEM_TTL_SECONDS;
  const explicitMaxTtl = spec.maxTtlSeconds ?? 0;
  const maxTtl = explicitMaxTtl || SYSTEM_TTL_SECONDS;
  const expires = ttl > 0;
  return {
    id: newTokenId(),
    accessor: randomId(18),
    namespace: spec.namespace,
    policies: effectivePolicies(spec.policies),
    displayName: spec.displayName ?? 'token',
    meta: spec.meta ?? null,
    path: spec.path ?? 'auth/token/create',
    issuedAt: now,
    creationTtl: ttl,
    expiresAt: expires ? now + Math.min(ttl, maxTtl) * 1000 : null,
    renewable: expires && (spec.renewable ?? true),
    explicitMaxTtl,
    maxExpiresAt: expires ? now + maxTtl * 1000 : null,
  };
}

export function rootToken(id: string): TokenRecord {
  const spec = { namespace: '', policies: ['root'], ttlSeconds: 0, displayName: 'root', path: 'auth/token/root' };
  return { ...buildToken(spec), id };
}

export const isExpired = (token: TokenRecord) => token.expiresAt !== null && token.expiresAt <= Date.now();

/**
 * Remaining seconds, rounded up so that a live token never reports `ttl: 0`,
 * which Vault clients read as "does not expire".
 */
function remainingTtl(token: TokenRecord): number {
  return token.expiresAt === null ? 0 : Math.max(0, Math.ceil((token.expiresAt - Date.now()) / 1000));
}

/** The `data` of `GET auth/token/lookup-self`. */
export function lookupView(token: TokenRecord): Record<string, unknown> {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return {
    accessor: token.accessor,
    creation_time: seconds(token.issuedAt),
    creation_ttl: token.creationTtl,
    display_name: token.displayName,
    entity_id: '',
    expire_time: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
    explicit_max_ttl: token.explicitMaxTtl,
    id: token.id,
    issue_time: new Date(token.issuedAt).toISOString(),
    meta: token.meta,
    num_uses: 0,
    orphan: token.path !== 'auth/token/create',
    path: token.path,
    policies: token.policies,
    renewable: token.renewable,
    ttl: remainingTtl(token),
    type: 'service',
  };
}

/** The `auth` block of login, create and renew answers. */
export function authView(token: TokenRecord): Record<string, unknown> {
  return {
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    metadata: token.meta,
    lease_duration: remainingTtl(token),
    renewable: token.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: token.path !== 'auth/token/create',
    mfa_requirement: null,
    num_uses: 0,
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Durations as Vault accepts them: seconds as a number or string, or Go-style `1h30m`, `90s`. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return Number(value);
    const parts = [...value.matchAll(/(\d+)([smhd])/g)];
    if (parts.length > 0 && parts.map((p) => p[0]).join('') === value) {
      return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (UNIT_SECONDS[unit ?? 's'] ?? 1), 0);
    }
  }
  throw badRequest(`invalid duration: ${JSON.stringify(value)}`);
}

/**
 * Extends the token's TTL by the increment (or its original TTL), capped by its max TTL;
 * returns the warning Vault adds when it had to cap.
 */
export function renew(token: TokenRecord, increment: unknown): { warning: string | null } {
  if (!token.renewable || token.maxExpiresAt === null) throw badRequest('lease is not renewable');
  const now = Date.now();
  const wanted = increment === undefined || increment === '' ? token.creationTtl : parseDuration(increment);
  const allowed = Math.max(0, Math.floor((token.maxExpiresAt - now) / 1000));
  token.expiresAt = now + Math.min(wanted, allowed) * 1000;
  return {
    warning:
      wanted > allowed
        ? `TTL of "${wanted}s" exceeded the effective max_ttl of "${allowed}s"; TTL value is capped accordingly`
        : null,
  };
}
