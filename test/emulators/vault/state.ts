/**
 * Everything the emulator holds, per Vault Enterprise namespace: secret mounts, auth mounts,
 * policies and tokens. Namespaces are fully isolated; only the root token crosses them.
 */
import type { AuthMount } from './auth.ts';
import { KvEngine, trimSlashes } from './kv-store.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { buildToken, isExpired, rootToken, type TokenRecord, type TokenSpec } from './tokens.ts';
import type { PolicyRule } from './types.ts';

/** Paths Vault routes to its own backends, which a secrets engine cannot be mounted over. */
const RESERVED_SECRET_MOUNTS = new Set(['sys', 'auth', 'identity', 'cubbyhole']);

export class NamespaceState {
  readonly secretMounts = new Map<string, KvEngine>();
  readonly authMounts = new Map<string, AuthMount>();
  readonly policies = new Map<string, PolicyRule[]>([['default', DEFAULT_POLICY]]);
  readonly tokens = new Map<string, TokenRecord>();

  constructor(readonly name: string) {}

  enableKv(mount: string, version: 1 | 2): void {
    const path = trimSlashes(mount);
    if (path === '' || RESERVED_SECRET_MOUNTS.has(path.split('/')[0] ?? '')) {
      throw new Error(`cannot mount a KV engine at "${mount}"`);
    }
    this.secretMounts.set(path, new KvEngine(version));
  }

  kv(mount: string): KvEngine {
    const engine = this.secretMounts.get(trimSlashes(mount));
    if (!engine) throw new Error(`no KV engine is enabled at "${mount}" in namespace "${this.name}"`);
    return engine;
  }

  /** The mount with the longest path that contains `path`, and the rest of the path inside it. */
  findSecretMount(path: string): { mount: string; engine: KvEngine; rest: string } | undefined {
    let best: { mount: string; engine: KvEngine; rest: string } | undefined;
    for (const [mount, engine] of this.secretMounts) {
      if (path !== mount && !path.startsWith(`${mount}/`)) continue;
      if (!best || mount.length > best.mount.length) best = { mount, engine, rest: path.slice(mount.length + 1) };
    }
    return best;
  }

  enableAuth(mount: string, method: AuthMount): void {
    const path = trimSlashes(mount);
    if (path === '' || path === 'token') throw new Error(`cannot enable an auth method at "${mount}"`);
    this.authMounts.set(path, method);
  }

  authMount<T extends AuthMount['type']>(mount: string, type: T): Extract<AuthMount, { type: T }> {
    const method = this.authMounts.get(trimSlashes(mount));
    if (method?.type !== type) {
      throw new Error(`no ${type} auth method is enabled at "${mount}" in namespace "${this.name}"`);
    }
    return method as Extract<AuthMount, { type: T }>;
  }

  issueToken(spec: Omit<TokenSpec, 'namespace'>): TokenRecord {
    const token = buildToken({ ...spec, namespace: this.name });
    this.tokens.set(token.id, token);
    return token;
  }
}

export class VaultState {
  private readonly namespaces = new Map<string, NamespaceState>();
  readonly root: TokenRecord;

  constructor(rootTokenId: string) {
    this.root = rootToken(rootTokenId);
  }

  /** Namespaces are created on first use; `admin/team-a/` and `admin/team-a` are the same one. */
  namespace(name = ''): NamespaceState {
    const key = trimSlashes(name);
    let ns = this.namespaces.get(key);
    if (!ns) {
      ns = new NamespaceState(key);
      this.namespaces.set(key, ns);
    }
    return ns;
  }

  /** A token is only valid in the namespace that issued it; the root token is valid everywhere. */
  resolveToken(ns: NamespaceState, id: string | undefined): TokenRecord | undefined {
    if (!id) return undefined;
    if (id === this.root.id) return this.root;
    const token = ns.tokens.get(id);
    if (!token) return undefined;
    if (isExpired(token)) {
      ns.tokens.delete(id);
      return undefined;
    }
    return token;
  }
}
