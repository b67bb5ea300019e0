/**
 * The Entra ID (Microsoft identity platform) endpoints MSAL calls for the client
 * credentials flow: OpenID discovery, the signing keys, and the v2.0 token endpoint with
 * a client secret or a certificate assertion.
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
import type { IncomingMessage } from 'node:http';
import { verifyClientAssertion } from './client-assertion.ts';
import { entraError, json, originOf, readBody, type Reply } from './http.ts';
import type { Directory } from './store.ts';
import { VAULT_RESOURCE, type TokenIssuer } from './tokens.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface AuthorityContext {
  directory: Directory;
  issuer: TokenIssuer;
  count(operation: string): void;
}

/** `/{tenant}/…` paths this module serves, or undefined for anything else. */
export function authorityRoute(method: string, pathname: string): { tenant: string; endpoint: 'openidConfiguration' | 'jwks' | 'token' } | undefined {
  const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/.exec(pathname);
  if (!match) return undefined;
  const tenant = decodeURIComponent(match[1]!);
  const path = match[2]!;
  if (path === 'oauth2/v2.0/token') return method === 'POST' ? { tenant, endpoint: 'token' } : undefined;
  if (method !== 'GET') return undefined;
  return { tenant, endpoint: path.startsWith('discovery') ? 'jwks' : 'openidConfiguration' };
}

const unknownTenant = (tenant: string, error: string) =>
  entraError(
    400,
    error,
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );

function openidConfiguration(origin: string, tenant: string): Reply {
  const base = `${origin}/${tenant}`;
  return json({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid'],
    tenant_region_scope: null,
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  });
}

async function token(ctx: AuthorityContext, req: IncomingMessage, tenant: string): Promise<Reply> {
  const form = new URLSearchParams(await readBody(req));
  if (!ctx.directory.tenants.has(tenant)) return unknownTenant(tenant, 'invalid_request');
  if (form.get('grant_type') !== 'client_credentials') {
    return entraError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
  const clientId = form.get('client_id') ?? '';
  if (!clientId) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  const app = ctx.directory.application(tenant, clientId);
  if (!app) {
    return entraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
  if (!scopes.includes(`${VAULT_RESOURCE}/.default`)) {
    return entraError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.join(' ')} is not valid.`);
  }

  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (!app.clientSecrets.includes(secret)) {
      return entraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
  } else if (assertion !== null && form.get('client_assertion_type') === JWT_BEARER) {
    const verdict = await verifyClientAssertion(assertion, app, `${originOf(req)}/${tenant}/oauth2/v2.0/token`);
    if (!verdict.ok) return entraError(401, 'invalid_client', verdict.aadsts, verdict.description);
  } else {
    return entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  const lifetime = ctx.issuer.lifetimeSeconds;
  const accessToken = await ctx.issuer.issue(originOf(req), { tenantId: tenant, clientId });
  return json({ token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken });
}

export async function answerAuthority(
  ctx: AuthorityContext,
  req: IncomingMessage,
  route: NonNullable<ReturnType<typeof authorityRoute>>,
): Promise<Reply> {
  ctx.count(route.endpoint);
  switch (route.endpoint) {
    case 'openidConfiguration':
      return ctx.directory.tenants.has(route.tenant) ? openidConfiguration(originOf(req), route.tenant) : unknownTenant(route.tenant, 'invalid_tenant');
    case 'jwks':
      return json(await ctx.issuer.jwks());
    case 'token':
      return token(ctx, req, route.tenant);
  }
}
