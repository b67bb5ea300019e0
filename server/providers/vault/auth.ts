/**
 * The Vault token of one client: obtained once, renewed before it expires, replaced by
 * a new login when it can no longer be renewed. Never a login per read.
 *
 * - Token auth: the configured token is checked once with lookup-self, then renewed
 *   (renew-self) while in use; once Vault refuses it, calls fail with AUTHENTICATION_FAILED.
 * - AppRole / Kubernetes: login, then renew-self; when renewal is refused or the max TTL
 *   caps it, log in again. https://developer.hashicorp.com/vault/docs/concepts/tokens#token-time-to-live-periodic-tokens-and-explicit-max-ttls
 *
 * Renewal happens at two thirds of the TTL: an unref'd timer does it for a client left
 * idle (so a user's token does not lapse), and every call checks it too (so a missed
 * timer never hands out a stale token). Concurrent callers share one login or renewal.
 */
import type { Logger } from 'pino';
import type { VaultConfig } from '../../../shared/providers/vault.ts';
import { untilAborted } from '../../abortable.ts';
import { SecretManagerError } from '../../errors.ts';
import { Deadline } from '../retry.ts';
import { vaultStatus, type VaultErrorMapper } from './errors.ts';
import { encodePath, type VaultSend } from './transport.ts';

const REFRESH_AT_FRACTION = 2 / 3;
/** setTimeout cannot wait longer than 2^31-1 ms; a longer wait is taken in steps. */
const MAX_TIMER_MS = 24 * 3600_000;

interface Grant {
  token: string;
  ttlSeconds: number;
  renewable: boolean;
}

interface Lease {
  token: string;
  /** When Vault stops accepting the token (Infinity for a token without TTL, e.g. root). */
  expiresAt: number;
  /** When to renew it, or log in again. */
  refreshAt: number;
  renewable: boolean;
  /** The TTL granted at login: a renewal granting less means the max TTL is near. */
  grantedTtlMs: number;
}

/** The non-secret part of lookup-self. https://developer.hashicorp.com/vault/api-docs/auth/token#lookup-a-token-self */
export interface TokenDetails {
  displayName?: string;
  policies: string[];
  ttlSeconds: number;
  renewable: boolean;
  type?: string;
  expireTime?: string;
}

export interface TokenSessionDeps {
  config: VaultConfig;
  send: VaultSend;
  mapError: VaultErrorMapper;
  logger: Logger;
  budgetMs: number;
}

function field(body: unknown, name: string): Record<string, unknown> {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

const asNumber = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const asString = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The `auth` block of a login or renew-self answer. */
function grantOf(body: unknown): Grant {
  const auth = field(body, 'auth');
  const token = asString(auth['client_token']);
  if (!token) throw new SecretManagerError('PROVIDER_ERROR', 'Vault answered the login without a client token.');
  return { token, ttlSeconds: asNumber(auth['lease_duration']), renewable: auth['renewable'] === true };
}

function detailsOf(body: unknown): TokenDetails {
  const data = field(body, 'data');
  const policies = Array.isArray(data['policies']) ? data['policies'].filter((p): p is string => typeof p === 'string') : [];
  const details: TokenDetails = { policies, ttlSeconds: asNumber(data['ttl']), renewable: data['renewable'] === true };
  const displayName = asString(data['display_name']);
  const type = asString(data['type']);
  const expireTime = asString(data['expire_time']);
  if (displayName) details.displayName = displayName;
  if (type) details.type = type;
  if (expireTime) details.expireTime = expireTime;
  return details;
}

export class TokenSession {
  #lease: Lease | undefined;
  #refreshing: Promise<string> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly deps: TokenSessionDeps) {}

  /**
   * A token Vault should accept now. A login or renewal is shared by the callers that need
   * it meanwhile, so it runs to its own budget: a caller whose signal aborts stops waiting.
   */
  async current(deadline: Deadline): Promise<string> {
    const lease = this.#lease;
    if (lease && Date.now() < lease.refreshAt) return lease.token;
    return untilAborted(this.#refreshOnce(deadline.shared()), deadline.signal);
  }

  /**
   * After a 403 on a read or list: a policy denial (undefined), or a token Vault no
   * longer accepts — revoked, or expired earlier than its TTL said — replaced by a new
   * login (for token auth that fails with AUTHENTICATION_FAILED).
   */
  async replaceIfRejected(token: string, deadline: Deadline): Promise<string | undefined> {
    if (this.#lease?.token !== token) return this.current(deadline);
    try {
      await this.lookupSelf(token, deadline);
      return undefined;
    } catch (error) {
      if (!(error instanceof SecretManagerError && error.code === 'AUTHENTICATION_FAILED')) return undefined;
    }
    this.deps.logger.info('Vault no longer accepts the token; authenticating again');
    this.#setLease(undefined);
    return this.current(deadline);
  }

  async lookupSelf(token: string, deadline: Deadline): Promise<TokenDetails> {
    try {
      return detailsOf(await this.deps.send({ method: 'GET', path: 'auth/token/lookup-self', token }, deadline));
    } catch (error) {
      throw this.deps.mapError(error, { kind: 'token' });
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #refreshOnce(deadline: Deadline): Promise<string> {
    this.#refreshing ??= this.#refresh(deadline).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(deadline: Deadline): Promise<string> {
    const lease = this.#lease;
    if (lease?.renewable && Date.now() < lease.expiresAt) {
      const renewed = await this.#renew(lease, deadline);
      if (renewed) return renewed;
    }
    return this.#login(deadline);
  }

  /** The token, renewed; undefined when Vault refused the renewal (log in again). */
  async #renew(lease: Lease, deadline: Deadline): Promise<string | undefined> {
    const startedAt = Date.now();
    try {
      const body = await this.deps.send({ method: 'POST', path: 'auth/token/renew-self', token: lease.token }, deadline);
      const grant = grantOf(body);
      // No time granted at all: the max TTL is reached (here 0 does not mean "never expires").
      if (grant.ttlSeconds <= 0) return undefined;
      this.#grant({ ...grant, token: lease.token }, startedAt, lease.grantedTtlMs);
      this.deps.logger.debug({ ttlSeconds: grant.ttlSeconds }, 'Renewed the Vault token');
      return lease.token;
    } catch (error) {
      const status = vaultStatus(error);
      if (status !== undefined && status >= 400 && status < 500) {
        this.deps.logger.info({ status }, 'Vault refused to renew the token; authenticating again');
        return undefined;
      }
      if (Date.now() >= lease.expiresAt) throw this.deps.mapError(error, { kind: 'token' });
      // Vault is unreachable or failing: keep the token while it lasts, try again later.
      this.deps.logger.warn({ error: this.deps.mapError(error, { kind: 'token' }).message }, 'Could not renew the Vault token');
      this.#setLease({ ...lease, refreshAt: (Date.now() + lease.expiresAt) / 2 });
      return lease.token;
    }
  }

  async #login(deadline: Deadline): Promise<string> {
    const { config } = this.deps;
    const startedAt = Date.now();
    if (config.authMethod === 'token') {
      // Nothing to log in to: check the token and learn its TTL.
      const details = await this.lookupSelf(config.token, deadline);
      this.#grant({ token: config.token, ttlSeconds: details.ttlSeconds, renewable: details.renewable }, startedAt);
      return config.token;
    }
    const [mount, credentials] =
      config.authMethod === 'approle'
        ? [config.mountPath ?? 'approle', { role_id: config.roleId, secret_id: config.secretId }]
        : // node-vault's kubernetesLogin posts to auth//login without an explicit mount; ours is always explicit.
          [config.mountPath, { role: config.role, jwt: config.jwt }];
    try {
      const body = await this.deps.send({ method: 'POST', path: `auth/${encodePath(mount)}/login`, body: credentials }, deadline);
      const grant = grantOf(body);
      this.#grant(grant, startedAt);
      this.deps.logger.info({ authMethod: config.authMethod, ttlSeconds: grant.ttlSeconds }, 'Logged in to Vault');
      return grant.token;
    } catch (error) {
      throw this.deps.mapError(error, { kind: 'login', method: config.authMethod, mount });
    }
  }

  /** Times are counted from before the request, so the lease never outlives Vault's. */
  #grant(grant: Grant, startedAt: number, grantedTtlMs = grant.ttlSeconds * 1000): void {
    const ttlMs = grant.ttlSeconds * 1000;
    if (ttlMs <= 0) {
      this.#setLease({ token: grant.token, expiresAt: Infinity, refreshAt: Infinity, renewable: false, grantedTtlMs });
      return;
    }
    const expiresAt = startedAt + ttlMs;
    const renewable = grant.renewable && ttlMs >= grantedTtlMs;
    // A token that can be neither renewed nor replaced is used until Vault refuses it.
    const replaceable = renewable || this.deps.config.authMethod !== 'token';
    const refreshAt = replaceable ? startedAt + ttlMs * REFRESH_AT_FRACTION : expiresAt;
    this.#setLease({ token: grant.token, expiresAt, refreshAt, renewable, grantedTtlMs });
  }

  #setLease(lease: Lease | undefined): void {
    this.#lease = lease;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Only renewal runs in the background; a new login waits for the next call.
    if (!lease?.renewable || !Number.isFinite(lease.refreshAt) || this.#closed) return;
    const delay = Math.min(Math.max(0, lease.refreshAt - Date.now()), MAX_TIMER_MS);
    this.#timer = setTimeout(() => {
      if (Date.now() < lease.refreshAt) return this.#setLease(lease);
      this.#refreshOnce(new Deadline(this.deps.budgetMs)).catch((error: unknown) => {
        this.deps.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'Background Vault token renewal failed');
      });
    }, delay);
    this.#timer.unref();
  }
}
