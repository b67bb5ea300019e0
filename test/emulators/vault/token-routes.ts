/**
 * HTTP routes of the token auth method.
 * https://developer.hashicorp.com/vault/api-docs/auth/token
 */
import { badRequest, envelope, noContent, ok, stringField, type Reply } from './http.ts';
import { unsupportedRoute, type Route, type TokenContext } from './route.ts';
import { authView, lookupView, parseDuration, renew } from './tokens.ts';
import type { Capability } from './types.ts';

interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  capability: Capability;
  handle: (ctx: TokenContext) => Reply;
}

function renewSelf(ctx: TokenContext): Reply {
  const { warning } = renew(ctx.token, ctx.body['increment']);
  ctx.stats.renewals += 1;
  return ok(envelope({ auth: authView(ctx.token), warnings: warning ? [warning] : null }));
}

function policiesField(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((p): p is string => typeof p === 'string')) {
    throw badRequest('field "policies" must be a list of strings');
  }
  return value;
}

/** Like Vault, a non-root token can only create children with a subset of its own policies. */
function createChild(ctx: TokenContext): Reply {
  const parent = ctx.token.policies;
  const policies = policiesField(ctx.body['policies']) ?? parent.filter((p) => p !== 'default');
  if (!parent.includes('root') && !policies.every((p) => parent.includes(p))) {
    throw badRequest('child policies must be subset of parent');
  }
  const { ttl, explicit_max_ttl: maxTtl, renewable, meta } = ctx.body;
  const displayName = stringField(ctx.body, 'display_name');
  const token = ctx.ns.issueToken({
    policies,
    ttlSeconds: ttl === undefined ? undefined : parseDuration(ttl),
    maxTtlSeconds: maxTtl === undefined ? undefined : parseDuration(maxTtl),
    renewable: typeof renewable === 'boolean' ? renewable : undefined,
    displayName: displayName ? `token-${displayName}` : 'token',
    meta: meta && typeof meta === 'object' ? (meta as Record<string, string>) : null,
  });
  return ok(envelope({ auth: authView(token) }));
}

const ENDPOINTS: Record<string, Endpoint> = {
  'auth/token/lookup-self': {
    name: 'token-lookup-self',
    method: 'GET',
    capability: 'read',
    handle: (ctx) => ok(envelope({ data: lookupView(ctx.token) })),
  },
  'auth/token/renew-self': { name: 'token-renew-self', method: 'POST', capability: 'update', handle: renewSelf },
  'auth/token/revoke-self': {
    name: 'token-revoke-self',
    method: 'POST',
    capability: 'update',
    handle: (ctx) => (ctx.ns.tokens.delete(ctx.token.id), noContent()),
  },
  'auth/token/create': { name: 'token-create', method: 'POST', capability: 'update', handle: createChild },
};

/** Vault treats PUT exactly like POST. */
const normalizeMethod = (method: string) => (method === 'PUT' ? 'POST' : method);

export function tokenRoute(method: string, apiPath: string): Route | undefined {
  const endpoint = ENDPOINTS[apiPath];
  if (!endpoint) return undefined;
  const acl = { path: apiPath, capability: endpoint.capability };
  if (normalizeMethod(method) !== endpoint.method) return unsupportedRoute(endpoint.name, acl);
  return { name: endpoint.name, acl, handle: endpoint.handle };
}
