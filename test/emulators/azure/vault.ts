/**
 * The Key Vault secrets API (https://learn.microsoft.com/rest/api/keyvault/secrets): challenge
 * authentication, get (current or pinned version), set (a new version) and list with
 * `nextLink` paging, answered in Key Vault's shapes. Access is per client id (RBAC-like).
 */
import type { IncomingMessage } from 'node:http';
import { json, originOf, readBody, vaultError, type Reply } from './http.ts';
import type { AccessRules, SecretStore, SecretVersion } from './store.ts';
import { VAULT_RESOURCE, type TokenIssuer } from './tokens.ts';

export interface VaultContext {
  secrets: SecretStore;
  access: AccessRules;
  issuer: TokenIssuer;
  /** The vault's tenant: tokens must be issued by it. */
  tenantId: () => string;
  /** The tenant named in the challenge (normally the same). */
  challengeTenantId: () => string;
  count(operation: string): void;
}

type VaultRoute =
  | { operation: 'listSecrets' }
  | { operation: 'getSecret'; name: string; version?: string }
  | { operation: 'setSecret'; name: string };

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_RESULTS = 25;

/** `/secrets`, `/secrets/{name}`, `/secrets/{name}/` and `/secrets/{name}/{version}`; undefined for other paths. */
export function vaultRoute(method: string, pathname: string): VaultRoute | undefined {
  if (!pathname.startsWith('/secrets')) return undefined;
  let segments: string[];
  try {
    segments = pathname.slice('/secrets'.length).split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments.length === 1 && segments[0] === '') return method === 'GET' ? { operation: 'listSecrets' } : undefined;
  const [, name, version, ...rest] = segments;
  if (segments[0] !== '' || !name || rest.length > 0) return undefined;
  if (method === 'PUT' && version === undefined) return { operation: 'setSecret', name };
  if (method !== 'GET') return undefined;
  return version ? { operation: 'getSecret', name, version } : { operation: 'getSecret', name };
}

function attributes(v: SecretVersion) {
  return { enabled: v.enabled, created: v.created, updated: v.updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
}

function bundle(origin: string, v: SecretVersion) {
  return {
    value: v.value,
    id: `${origin}/secrets/${v.name}/${v.version}`,
    ...(v.contentType !== undefined && { contentType: v.contentType }),
    attributes: attributes(v),
    ...(v.tags && { tags: v.tags }),
  };
}

function listItem(origin: string, v: SecretVersion) {
  return {
    id: `${origin}/secrets/${v.name}`,
    ...(v.contentType !== undefined && { contentType: v.contentType }),
    attributes: attributes(v),
    ...(v.tags && { tags: v.tags }),
  };
}

const actions = {
  getSecret: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
  listSecrets: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
  setSecret: 'Microsoft.KeyVault/vaults/secrets/setSecret/action',
};

/** An RBAC denial as Key Vault words it (the caller, the action, no assignment found). */
function forbidden(operation: VaultRoute['operation'], claims: { tenantId: string; clientId: string }, name?: string): Reply {
  const message = [
    'Caller is not authorized to perform action on resource.',
    'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.',
    `Caller: appid=${claims.clientId};oid=${claims.clientId};iss=https://sts.windows.net/${claims.tenantId}/`,
    `Action: '${actions[operation]}'`,
    `Resource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/emulator/providers/microsoft.keyvault/vaults/emulator${name ? `/secrets/${name.toLowerCase()}` : ''}'`,
    'Assignment: (not found)',
    'DenyAssignmentId: null',
    'DecisionReason: null ',
    'Vault: emulator;location=local',
    '',
  ].join('\r\n');
  return vaultError(403, 'Forbidden', message, 'ForbiddenByRbac');
}

const notFound = (nameOrId: string) =>
  vaultError(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );

/** 401 with the challenge the SDK answers by fetching a token for `{resource}/.default` from `{authorization}`. */
function challenge(ctx: VaultContext, origin: string, message: string): Reply {
  ctx.count('challenge');
  const header = `Bearer authorization="${origin}/${ctx.challengeTenantId()}", resource="${VAULT_RESOURCE}"`;
  return vaultError(401, 'Unauthorized', message, undefined, { 'WWW-Authenticate': header });
}

async function caller(ctx: VaultContext, req: IncomingMessage, origin: string): Promise<{ tenantId: string; clientId: string } | Reply> {
  const authorization = req.headers.authorization;
  if (!authorization?.startsWith('Bearer ')) return challenge(ctx, origin, 'AKV10000: Request is missing a Bearer or PoP token.');
  const claims = await ctx.issuer.verify(authorization.slice('Bearer '.length));
  if ('refused' in claims) return challenge(ctx, origin, `AKV10022: Invalid token: ${claims.refused}.`);
  if (claims.tenantId !== ctx.tenantId()) {
    return challenge(ctx, origin, `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${ctx.tenantId()}/, found https://sts.windows.net/${claims.tenantId}/.`);
  }
  return claims;
}

function list(ctx: VaultContext, url: URL, origin: string): Reply {
  const maxParam = url.searchParams.get('maxresults');
  const max = maxParam === null ? MAX_RESULTS : Number(maxParam);
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
    return vaultError(400, 'BadParameter', `Invalid value for maxresults: ${maxParam}. It must be between 1 and ${MAX_RESULTS}.`);
  }
  const skipToken = url.searchParams.get('$skiptoken');
  const offset = skipToken === null ? 0 : Number(Buffer.from(skipToken, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) return vaultError(400, 'BadParameter', 'The $skiptoken is not valid.');
  const all = ctx.secrets.currentVersions();
  const page = all.slice(offset, offset + max);
  const next = offset + max < all.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
  const apiVersion = url.searchParams.get('api-version')!;
  return json({
    value: page.map((v) => listItem(origin, v)),
    nextLink: next === undefined ? null : `${origin}/secrets?api-version=${apiVersion}&$skiptoken=${next}&maxresults=${max}`,
  });
}

async function set(ctx: VaultContext, req: IncomingMessage, name: string, origin: string): Promise<Reply> {
  let body: { value?: unknown; contentType?: unknown; attributes?: { enabled?: unknown }; tags?: Record<string, string> };
  try {
    body = JSON.parse(await readBody(req)) as typeof body;
  } catch {
    return vaultError(400, 'BadParameter', 'The request body is not valid JSON.');
  }
  if (typeof body.value !== 'string') return vaultError(400, 'BadParameter', 'Property value is required.');
  const written = ctx.secrets.set(name, body.value, {
    ...(typeof body.contentType === 'string' && { contentType: body.contentType }),
    ...(typeof body.attributes?.enabled === 'boolean' && { enabled: body.attributes.enabled }),
    ...(body.tags && { tags: body.tags }),
  });
  return json(bundle(origin, written));
}

export async function answerVault(ctx: VaultContext, req: IncomingMessage, url: URL, route: VaultRoute): Promise<Reply> {
  const origin = originOf(req);
  if (!url.searchParams.get('api-version')) {
    ctx.count(route.operation);
    return vaultError(400, 'BadParameter', 'The api-version query parameter is missing.');
  }
  const who = await caller(ctx, req, origin);
  if ('status' in who) return who;
  ctx.count(route.operation);

  if (route.operation === 'listSecrets') {
    return ctx.access.may(who.clientId, 'list') ? list(ctx, url, origin) : forbidden('listSecrets', who);
  }
  if (!SECRET_NAME.test(route.name)) return vaultError(400, 'BadParameter', `The request URI contains an invalid name: ${route.name}`);
  if (route.operation === 'setSecret') {
    return ctx.access.may(who.clientId, 'set') ? set(ctx, req, route.name, origin) : forbidden('setSecret', who, route.name);
  }
  // RBAC is evaluated before the lookup: without access, a missing secret is also a 403.
  if (!ctx.access.may(who.clientId, 'get', route.name)) return forbidden('getSecret', who, route.name);
  const found = ctx.secrets.get(route.name, route.version);
  if (!found) return notFound(route.version ? `${route.name}/${route.version}` : route.name);
  if (!found.enabled) return vaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
  return json(bundle(origin, found));
}
