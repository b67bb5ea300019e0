/**
 * The `sys/` routes clients use to probe a server and discover its mounts.
 * https://developer.hashicorp.com/vault/api-docs/system/health
 * https://developer.hashicorp.com/vault/api-docs/system/mounts
 * https://developer.hashicorp.com/vault/api-docs/system/internal-ui-mounts
 */
import { randomUUID } from 'node:crypto';
import { envelope, ok, permissionDenied } from './http.ts';
import { policiesReachMount } from './policy.ts';
import { trimSlashes, type KvEngine } from './kv-store.ts';
import { unsupportedRoute, type Route, type TokenContext } from './route.ts';
import type { NamespaceState } from './state.ts';

const CLUSTER_ID = randomUUID();
const UI_MOUNTS_PREFIX = 'sys/internal/ui/mounts/';

function mountEntry(type: string, accessor: string, uuid: string, options: Record<string, string> | null) {
  return {
    accessor,
    config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
    description: '',
    external_entropy_access: false,
    local: false,
    options,
    plugin_version: '',
    running_plugin_version: '',
    seal_wrap: false,
    type,
    uuid,
  };
}

const kvEntry = (engine: KvEngine) =>
  mountEntry('kv', engine.accessor, engine.uuid, { version: String(engine.version) });

/** Mounts every Vault has, listed so that clients filtering on `type` see realistic data. */
const BUILTIN_MOUNTS = {
  'cubbyhole/': mountEntry('cubbyhole', 'cubbyhole_00000001', randomUUID(), null),
  'identity/': mountEntry('identity', 'identity_00000002', randomUUID(), null),
  'sys/': mountEntry('system', 'system_00000003', randomUUID(), null),
};

const health = () => ({
  initialized: true,
  sealed: false,
  standby: false,
  performance_standby: false,
  replication_performance_mode: 'disabled',
  replication_dr_mode: 'disabled',
  server_time_utc: Math.floor(Date.now() / 1000),
  version: '1.17.0',
  cluster_name: 'vault-emulator',
  cluster_id: CLUSTER_ID,
});

/** Vault still repeats the mount table at the top level of the answer for old clients. */
function listMounts(ns: NamespaceState) {
  const mounts: Record<string, unknown> = { ...BUILTIN_MOUNTS };
  for (const [path, engine] of ns.secretMounts) mounts[`${path}/`] = kvEntry(engine);
  return ok({ ...mounts, ...envelope({ data: mounts }) });
}

/** The secrets engines this token may use, as Vault's UI lists them (auth methods are not emulated). */
function listUsableMounts({ ns, token }: TokenContext) {
  const secret: Record<string, unknown> = {};
  for (const [path, engine] of ns.secretMounts) {
    if (policiesReachMount(ns.policies, token.policies, `${path}/`)) secret[`${path}/`] = { ...kvEntry(engine), path: `${path}/` };
  }
  return ok(envelope({ data: { auth: {}, secret } }));
}

/** An unknown path is refused rather than 404, so the endpoint cannot be used to enumerate mounts. */
function describeMountOf(ns: NamespaceState, path: string) {
  const found = ns.findSecretMount(trimSlashes(path));
  if (!found) throw permissionDenied();
  return ok(envelope({ data: { ...kvEntry(found.engine), path: `${found.mount}/` } }));
}

function routeFor(apiPath: string, ns: NamespaceState): Route | undefined {
  if (apiPath === 'sys/health') return { name: 'health', acl: null, handle: () => ok(health()) };
  if (apiPath === 'sys/mounts') {
    return { name: 'sys-mounts', acl: { path: apiPath, capability: 'read' }, handle: () => listMounts(ns) };
  }
  if (`${apiPath}/` === UI_MOUNTS_PREFIX) {
    return { name: 'ui-mounts-list', acl: { path: apiPath, capability: 'read' }, handle: listUsableMounts };
  }
  if (apiPath.startsWith(UI_MOUNTS_PREFIX)) {
    return {
      name: 'ui-mounts',
      acl: { path: apiPath, capability: 'read' },
      handle: () => describeMountOf(ns, apiPath.slice(UI_MOUNTS_PREFIX.length)),
    };
  }
  return undefined;
}

/** All of these are read-only endpoints. */
export function sysRoute(method: string, apiPath: string, ns: NamespaceState): Route | undefined {
  const route = routeFor(apiPath, ns);
  if (!route || method === 'GET' || method === 'HEAD') return route;
  return unsupportedRoute(route.name, route.acl);
}
