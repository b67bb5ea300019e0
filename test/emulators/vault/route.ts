/** What the router hands the request pipeline: a named handler and the ACL check guarding it. */
import { unsupportedOperation, type Reply } from './http.ts';
import type { NamespaceState, VaultState } from './state.ts';
import type { TokenRecord } from './tokens.ts';
import type { Capability, VaultStats } from './types.ts';

export interface PublicContext {
  state: VaultState;
  ns: NamespaceState;
  body: Record<string, unknown>;
  stats: VaultStats;
}

export interface TokenContext extends PublicContext {
  token: TokenRecord;
}

type Handler<C> = (ctx: C) => Reply | Promise<Reply>;

/** The capability a token's policies must grant on `path`. */
export interface Acl {
  path: string;
  capability: Capability;
}

/** `name` labels the route in `stats.byRoute`; routes without an ACL need no token. */
export type Route =
  | { name: string; acl: null; handle: Handler<PublicContext> }
  | { name: string; acl: Acl; handle: Handler<TokenContext> };

/** The capability Vault checks for an HTTP method, before any existence check refines it. */
export function capabilityFor(method: string, list: boolean): Capability {
  if (method === 'GET' || method === 'HEAD') return list ? 'list' : 'read';
  if (method === 'DELETE') return 'delete';
  return 'update';
}

/** Vault checks list permissions on the folder path, which always ends in `/`. */
export const aclPathFor = (path: string, list: boolean) => (list && !path.endsWith('/') ? `${path}/` : path);

/** A known path called with a method it does not serve: the ACL is still checked, then 405. */
export function unsupportedRoute(name: string, acl: Route['acl']): Route {
  const handle = () => {
    throw unsupportedOperation();
  };
  return acl ? { name, acl, handle } : { name, acl: null, handle };
}
