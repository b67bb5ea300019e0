/** Maps a method and a path under `/v1/` to the route that serves it, in Vault's precedence. */
import { loginRoute } from './auth.ts';
import { noHandler, parseBool } from './http.ts';
import { kvRoute } from './kv.ts';
import { aclPathFor, capabilityFor, unsupportedRoute, type Route } from './route.ts';
import type { NamespaceState } from './state.ts';
import { sysRoute } from './sys.ts';
import { tokenRoute } from './token-routes.ts';

const LOGIN_PATH = /^auth\/(.*)\/login$/;

/**
 * Login paths are unauthenticated, so one on a missing mount is a plain 404 even without a
 * token. That includes `auth//login`, where node-vault's kubernetesLogin posts without a mount_point.
 */
function authLoginRoute(method: string, apiPath: string, ns: NamespaceState): Route | undefined {
  const mountPath = LOGIN_PATH.exec(apiPath)?.[1];
  if (mountPath === undefined || mountPath === 'token') return undefined;
  const mount = ns.authMounts.get(mountPath);
  if (!mount) {
    return {
      name: 'unknown',
      acl: null,
      handle: () => {
        throw noHandler(apiPath);
      },
    };
  }
  const route = loginRoute(mountPath, mount);
  return method === 'POST' || method === 'PUT' ? route : unsupportedRoute(route.name, null);
}

function secretRoute(method: string, apiPath: string, ns: NamespaceState, query: URLSearchParams) {
  const found = ns.findSecretMount(apiPath);
  return found && kvRoute({ method, apiPath, engine: found.engine, rest: found.rest, query });
}

/** Vault checks the token and its policies before it finds out that nothing serves the path. */
function unknownRoute(method: string, apiPath: string, query: URLSearchParams): Route {
  const list = method === 'GET' && parseBool(query.get('list'));
  return {
    name: 'unknown',
    acl: { path: aclPathFor(apiPath, list), capability: capabilityFor(method, list) },
    handle: () => {
      throw noHandler(apiPath);
    },
  };
}

export function resolveRoute(ns: NamespaceState, method: string, apiPath: string, query: URLSearchParams): Route {
  return (
    sysRoute(method, apiPath, ns) ??
    tokenRoute(method, apiPath) ??
    authLoginRoute(method, apiPath, ns) ??
    secretRoute(method, apiPath, ns, query) ??
    unknownRoute(method, apiPath, query)
  );
}
