/**
 * Login endpoints of the AppRole and Kubernetes auth methods.
 * https://developer.hashicorp.com/vault/api-docs/auth/approle
 * https://developer.hashicorp.com/vault/api-docs/auth/kubernetes
 */
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { badRequest, envelope, ok, permissionDenied, stringField, type Reply } from './http.ts';
import type { PublicContext, Route } from './route.ts';
import { authView, type TokenSpec } from './tokens.ts';

interface RoleToken {
  policies: string[];
  tokenTtlSeconds?: number;
}

interface AppRole extends RoleToken {
  roleId: string;
  secretIds: Set<string>;
}

interface KubernetesRole extends RoleToken {
  boundServiceAccountNames: string[];
  boundNamespaces: string[];
}

export type AuthMount =
  | { type: 'approle'; roles: Map<string, AppRole> }
  | { type: 'kubernetes'; publicKey: KeyObject; roles: Map<string, KubernetesRole> };

type AppRoleMount = Extract<AuthMount, { type: 'approle' }>;
type KubernetesMount = Extract<AuthMount, { type: 'kubernetes' }>;

export const appRoleMount = (): AppRoleMount => ({ type: 'approle', roles: new Map() });

/** Throws on a PEM that is not a public key, so a bad test fixture fails at set-up. */
export const kubernetesMount = (publicKeyPem: string): KubernetesMount => ({
  type: 'kubernetes',
  publicKey: createPublicKey(publicKeyPem),
  roles: new Map(),
});

/** Registers a role with one secret ID, as `vault write -f auth/approle/role/NAME/secret-id` would. */
export function addAppRole(mount: AppRoleMount, name: string, token: RoleToken): { roleId: string; secretId: string } {
  const roleId = randomUUID();
  const secretId = randomUUID();
  mount.roles.set(name, { ...token, roleId, secretIds: new Set([secretId]) });
  return { roleId, secretId };
}

function login(ctx: PublicContext, spec: Omit<TokenSpec, 'namespace'>): Reply {
  const token = ctx.ns.issueToken(spec);
  ctx.stats.logins += 1;
  return ok(envelope({ auth: authView(token) }));
}

function appRoleLogin(ctx: PublicContext, mountPath: string, mount: AppRoleMount): Reply {
  const roleId = stringField(ctx.body, 'role_id');
  if (!roleId) throw badRequest('missing role_id');
  const secretId = stringField(ctx.body, 'secret_id');
  if (!secretId) throw badRequest('missing secret_id');
  const found = [...mount.roles].find(([, role]) => role.roleId === roleId);
  if (!found || !found[1].secretIds.has(secretId)) throw badRequest('invalid role or secret ID');
  const [roleName, role] = found;
  return login(ctx, {
    policies: role.policies,
    ttlSeconds: role.tokenTtlSeconds,
    displayName: 'approle',
    meta: { role_name: roleName },
    path: `auth/${mountPath}/login`,
  });
}

interface ServiceAccount {
  name: string;
  namespace: string;
  uid: string;
}

const asString = (value: unknown) => (typeof value === 'string' ? value : undefined);

/**
 * Reads the service account from either claim layout: the flat claims of legacy secret-based
 * tokens, or the nested `kubernetes.io` object of projected (bound) tokens.
 */
function serviceAccountOf(payload: JWTPayload): ServiceAccount | undefined {
  const nested = (payload['kubernetes.io'] ?? {}) as { namespace?: unknown; serviceaccount?: Record<string, unknown> };
  const flat = (claim: string) => asString(payload[`kubernetes.io/serviceaccount/${claim}`]);
  const name = asString(nested.serviceaccount?.['name']) ?? flat('service-account.name');
  const namespace = asString(nested.namespace) ?? flat('namespace');
  const uid = asString(nested.serviceaccount?.['uid']) ?? flat('service-account.uid') ?? '';
  return name && namespace ? { name, namespace, uid } : undefined;
}

/** Signature, `exp` and `nbf` are checked by jose; legacy tokens have no `exp`, so it is not required. */
async function verifyServiceAccount(jwt: string, key: KeyObject): Promise<ServiceAccount> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(jwt, key, { algorithms: ['RS256', 'ES256'] }));
  } catch {
    throw permissionDenied();
  }
  const account = serviceAccountOf(payload);
  if (!account) throw permissionDenied();
  return account;
}

const isBound = (allowed: string[], value: string) => allowed.includes('*') || allowed.includes(value);

async function kubernetesLogin(ctx: PublicContext, mountPath: string, mount: KubernetesMount): Promise<Reply> {
  const roleName = stringField(ctx.body, 'role');
  if (!roleName) throw badRequest('missing role');
  const jwt = stringField(ctx.body, 'jwt');
  if (!jwt) throw badRequest('missing jwt');
  const role = mount.roles.get(roleName);
  if (!role) throw badRequest(`invalid role name "${roleName}"`);
  const account = await verifyServiceAccount(jwt, mount.publicKey);
  if (!isBound(role.boundServiceAccountNames, account.name) || !isBound(role.boundNamespaces, account.namespace)) {
    throw permissionDenied();
  }
  return login(ctx, {
    policies: role.policies,
    ttlSeconds: role.tokenTtlSeconds,
    displayName: `${mountPath}-${account.namespace}-${account.name}`,
    meta: {
      role: roleName,
      service_account_name: account.name,
      service_account_namespace: account.namespace,
      service_account_uid: account.uid,
      service_account_secret_name: '',
    },
    path: `auth/${mountPath}/login`,
  });
}

/** The login route of an auth mount; logins are the only unauthenticated writes. */
export function loginRoute(mountPath: string, mount: AuthMount): Route {
  return mount.type === 'approle'
    ? { name: 'approle-login', acl: null, handle: (ctx) => appRoleLogin(ctx, mountPath, mount) }
    : { name: 'kubernetes-login', acl: null, handle: (ctx) => kubernetesLogin(ctx, mountPath, mount) };
}
