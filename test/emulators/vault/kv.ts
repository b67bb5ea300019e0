/**
 * HTTP routes of KV mounts.
 * v2: https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2
 * v1: https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1
 */
import { badRequest, envelope, noContent, notFound, ok, parseBool, type Reply } from './http.ts';
import type { KvEngine, KvSecret, KvVersion } from './kv-store.ts';
import { aclPathFor, capabilityFor, unsupportedRoute, type Acl, type Route, type TokenContext } from './route.ts';

/** What a KV v1 read reports as its lease: the mount's default TTL of 768h. */
const KV1_LEASE_SECONDS = 2_764_800;

/** Vault's answer when a KV v2 mount is addressed without `data/` or `metadata/`. */
const V2_PATH_WARNING =
  'Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints ' +
  "to use. If using the Vault CLI, use 'vault kv get' for this operation.";

interface KvRequest {
  method: string;
  /** The request path after `/v1/`. */
  apiPath: string;
  engine: KvEngine;
  /** The path inside the mount. */
  rest: string;
  query: URLSearchParams;
}

const isWrite = (method: string) => method === 'POST' || method === 'PUT';

/** Vault's existence check: writing a new key needs `create`, overwriting one needs `update`. */
const writeAcl = (acl: Acl, engine: KvEngine, path: string): Acl => ({
  ...acl,
  capability: engine.exists(path) ? 'update' : 'create',
});

const versionMetadata = (version: number, entry: KvVersion) => ({
  created_time: entry.createdTime,
  custom_metadata: null,
  deletion_time: entry.deletionTime,
  destroyed: entry.destroyed,
  version,
});

function listReply(engine: KvEngine, folder: string): Reply {
  const keys = engine.list(folder);
  if (keys.length === 0) throw notFound();
  return ok(envelope({ data: { keys } }));
}

function requireKey(path: string): string {
  if (path.replace(/\//g, '') === '') throw badRequest('missing secret path');
  return path;
}

function objectField(body: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = body[name];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function parseVersion(raw: string | null): number {
  const version = raw === null ? 0 : Number(raw);
  if (!Number.isInteger(version) || version < 0) throw badRequest(`invalid version "${raw}"`);
  return version;
}

function readV2(engine: KvEngine, path: string, version: number): Reply {
  const found = engine.get(path, version);
  if (!found) throw notFound();
  const metadata = versionMetadata(found.version, found.entry);
  // A deleted or destroyed version still answers 404, but with its metadata and no `errors`.
  if (found.entry.deletionTime !== '' || found.entry.destroyed) {
    return { status: 404, body: envelope({ data: { data: null, metadata } }) };
  }
  return ok(envelope({ data: { data: found.entry.data, metadata } }));
}

function writeV2(engine: KvEngine, path: string, body: Record<string, unknown>): Reply {
  const data = objectField(body, 'data');
  if (!data) throw badRequest('no data provided');
  const cas = objectField(body, 'options')?.['cas'];
  if (cas !== undefined && typeof cas !== 'number') throw badRequest('invalid cas value');
  const { version, entry } = engine.put(requireKey(path), data, cas);
  return ok(envelope({ data: versionMetadata(version, entry) }));
}

function metadataV2(secret: KvSecret | undefined): Reply {
  if (!secret) throw notFound();
  const versions = Object.fromEntries(
    secret.versions.map((entry, i) => [
      String(i + 1),
      { created_time: entry.createdTime, deletion_time: entry.deletionTime, destroyed: entry.destroyed },
    ]),
  );
  return ok(
    envelope({
      data: {
        cas_required: false,
        created_time: secret.createdTime,
        current_version: secret.versions.length,
        custom_metadata: null,
        delete_version_after: '0s',
        max_versions: 0,
        oldest_version: 0,
        updated_time: secret.updatedTime,
        versions,
      },
    }),
  );
}

/** KV v2 paths start with `data/` (the values) or `metadata/` (versions, listing). */
function v2Route(req: KvRequest, list: boolean): Route {
  const { method, apiPath, engine, query } = req;
  const slash = req.rest.indexOf('/');
  const [section, path] = slash === -1 ? [req.rest, ''] : [req.rest.slice(0, slash), req.rest.slice(slash + 1)];
  const acl = { path: aclPathFor(apiPath, list), capability: capabilityFor(method, list) };
  const unsupported = unsupportedRoute('kv-unsupported', acl);

  if (section === 'data') {
    if (list) return unsupported;
    if (method === 'GET') {
      return { name: 'kv-read', acl, handle: () => readV2(engine, path, parseVersion(query.get('version'))) };
    }
    if (isWrite(method)) {
      const handle = (ctx: TokenContext) => writeV2(engine, path, ctx.body);
      return { name: 'kv-write', acl: writeAcl(acl, engine, path), handle };
    }
    if (method === 'DELETE') return { name: 'kv-delete', acl, handle: () => (engine.delete(path), noContent()) };
    return unsupported;
  }
  if (section === 'metadata') {
    if (list) return { name: 'kv-list', acl, handle: () => listReply(engine, path) };
    if (method === 'GET') return { name: 'kv-metadata', acl, handle: () => metadataV2(engine.secret(path)) };
    return unsupported;
  }
  return {
    name: 'kv-invalid-path',
    acl,
    handle: () => ({ status: 404, body: envelope({ warnings: [V2_PATH_WARNING] }) }),
  };
}

function v1Route(req: KvRequest, list: boolean): Route {
  const { method, apiPath, engine, rest } = req;
  const acl = { path: aclPathFor(apiPath, list), capability: capabilityFor(method, list) };
  if (list) return { name: 'kv-list', acl, handle: () => listReply(engine, rest) };
  if (method === 'GET') {
    return {
      name: 'kv-read',
      acl,
      handle: () => {
        const found = engine.get(rest);
        if (!found) throw notFound();
        return ok(envelope({ data: found.entry.data, lease_duration: KV1_LEASE_SECONDS }));
      },
    };
  }
  if (isWrite(method)) {
    return {
      name: 'kv-write',
      acl: writeAcl(acl, engine, rest),
      handle: (ctx: TokenContext) => (engine.put(requireKey(rest), ctx.body), noContent()),
    };
  }
  if (method === 'DELETE') return { name: 'kv-delete', acl, handle: () => (engine.delete(rest), noContent()) };
  return unsupportedRoute('kv-unsupported', acl);
}

export function kvRoute(req: KvRequest): Route {
  const list = req.method === 'GET' && parseBool(req.query.get('list'));
  return req.engine.version === 2 ? v2Route(req, list) : v1Route(req, list);
}
