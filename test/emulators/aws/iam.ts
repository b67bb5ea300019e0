/**
 * Identities: IAM users with access keys, temporary credentials with session tokens,
 * roles with trust policies, and the evaluation of their permission policies.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from './wire.ts';
import type { AwsAccessKey, AwsPolicyStatement, AwsRoleOptions, AwsSessionCredentials } from './types.ts';

export interface Principal {
  arn: string;
  /** Read at each request, so a policy changed by a test applies at once. */
  policy(): AwsPolicyStatement[];
}

interface KeyEntry {
  secretAccessKey: string;
  principal: Principal;
  sessionToken?: string;
  expiresAt?: number;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AKIA/ASIA plus 16 characters, like AWS's key ids. */
function newKeyId(prefix: 'AKIA' | 'ASIA'): string {
  return prefix + Array.from(randomBytes(16), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

const newSecret = () => randomBytes(30).toString('base64').replace(/[+/]/g, 'x');

/** IAM globs: `*` any run of characters (slashes included), `?` one character. */
export function globMatches(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** Explicit Deny wins, then any Allow; nothing allowed is denied. `resources` are the names the request acts on. */
export function isAllowed(policy: AwsPolicyStatement[], action: string, resources: string[]): boolean {
  const applies = (s: AwsPolicyStatement) =>
    s.actions.some((a) => globMatches(a, action)) &&
    (s.resources ?? ['*']).some((pattern) => resources.some((r) => globMatches(pattern, r)));
  const matching = policy.filter(applies);
  return !matching.some((s) => s.effect === 'Deny') && matching.some((s) => s.effect === 'Allow');
}

export class Identities {
  readonly #users = new Map<string, { arn: string; policy: AwsPolicyStatement[] }>();
  readonly #roles = new Map<string, { name: string; options: AwsRoleOptions }>();
  readonly #keys = new Map<string, KeyEntry>();

  constructor(readonly accountId: string) {}

  createUser(name: string, policy: AwsPolicyStatement[] = []): AwsAccessKey {
    if (this.#users.has(name)) throw new Error(`user ${name} exists`);
    const arn = `arn:aws:iam::${this.accountId}:user/${name}`;
    const user = { arn, policy: structuredClone(policy) };
    this.#users.set(name, user);
    const accessKeyId = newKeyId('AKIA');
    const secretAccessKey = newSecret();
    this.#keys.set(accessKeyId, { secretAccessKey, principal: { arn, policy: () => user.policy } });
    return { accessKeyId, secretAccessKey, arn };
  }

  setUserPolicy(name: string, policy: AwsPolicyStatement[]): void {
    const user = this.#users.get(name);
    if (!user) throw new Error(`no user ${name}`);
    user.policy = structuredClone(policy);
  }

  issueSession(principal: Principal, ttlSeconds: number): AwsSessionCredentials {
    const accessKeyId = newKeyId('ASIA');
    const secretAccessKey = newSecret();
    const sessionToken = `FwoGZXIvYXdzE${randomBytes(96).toString('base64')}`;
    const expiration = new Date(Date.now() + ttlSeconds * 1000);
    this.#keys.set(accessKeyId, { secretAccessKey, principal, sessionToken, expiresAt: expiration.getTime() });
    return { accessKeyId, secretAccessKey, sessionToken, expiration, arn: principal.arn };
  }

  issueUserSession(userName: string, ttlSeconds: number): AwsSessionCredentials {
    const user = this.#users.get(userName);
    if (!user) throw new Error(`no user ${userName}`);
    return this.issueSession({ arn: user.arn, policy: () => user.policy }, ttlSeconds);
  }

  createRole(name: string, options: AwsRoleOptions): string {
    const arn = `arn:aws:iam::${this.accountId}:role/${name}`;
    this.#roles.set(arn, { name, options: structuredClone(options) });
    return arn;
  }

  key(accessKeyId: string): KeyEntry | undefined {
    return this.#keys.get(accessKeyId);
  }

  /**
   * sts:AssumeRole. AWS answers an unknown role, an untrusted caller and a wrong external
   * id alike, so that callers cannot probe which roles exist.
   */
  assumeRole(caller: Principal, request: { roleArn: string; sessionName: string; externalId?: string; durationSeconds: number }) {
    const role = this.#roles.get(request.roleArn);
    const trusted =
      role !== undefined &&
      role.options.trustedPrincipals.some((p) => p === '*' || p === caller.arn) &&
      (role.options.externalId === undefined || role.options.externalId === request.externalId);
    if (!role || !trusted) {
      throw new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`, 403);
    }
    const arn = `arn:aws:sts::${this.accountId}:assumed-role/${role.name}/${request.sessionName}`;
    const lifetime = role.options.credentialLifetimeSeconds ?? request.durationSeconds;
    const credentials = this.issueSession({ arn, policy: () => role.options.policy }, lifetime);
    return { credentials, assumedRoleArn: arn, assumedRoleId: `AROA${credentials.accessKeyId.slice(4)}:${request.sessionName}` };
  }
}
