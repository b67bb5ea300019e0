/** The storage behind one KV mount: versioned for KV v2, a single overwritten value for KV v1. */
import { randomBytes, randomUUID } from 'node:crypto';
import { badRequest } from './http.ts';

export interface KvVersion {
  data: Record<string, unknown>;
  createdTime: string;
  /** '' while live, like Vault. */
  deletionTime: string;
  destroyed: boolean;
}

export interface KvSecret {
  createdTime: string;
  updatedTime: string;
  /** `versions[n - 1]` is version n. */
  versions: KvVersion[];
}

/** Secret keys are compared without leading or trailing slashes. */
export const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, '');

export class KvEngine {
  private readonly secrets = new Map<string, KvSecret>();
  /** Shown by sys/mounts like Vault's mount accessors and UUIDs. */
  readonly accessor = `kv_${randomBytes(4).toString('hex')}`;
  readonly uuid = randomUUID();

  constructor(readonly version: 1 | 2) {}

  exists(path: string): boolean {
    return this.secrets.has(trimSlashes(path));
  }

  secret(path: string): KvSecret | undefined {
    return this.secrets.get(trimSlashes(path));
  }

  /** Writes a new version; `cas` is KV v2's check-and-set (0 = only if absent). */
  put(path: string, data: Record<string, unknown>, cas?: number): { version: number; entry: KvVersion } {
    const key = trimSlashes(path);
    const now = new Date().toISOString();
    const secret = this.secrets.get(key) ?? { createdTime: now, updatedTime: now, versions: [] };
    if (cas !== undefined && cas !== secret.versions.length) {
      throw badRequest('check-and-set parameter did not match the current version');
    }
    const entry: KvVersion = { data: structuredClone(data), createdTime: now, deletionTime: '', destroyed: false };
    if (this.version === 1) secret.versions = [entry];
    else secret.versions.push(entry);
    secret.updatedTime = now;
    this.secrets.set(key, secret);
    return { version: secret.versions.length, entry };
  }

  /** Version 0 or omitted means the latest. */
  get(path: string, version = 0): { version: number; entry: KvVersion } | undefined {
    const secret = this.secret(path);
    if (!secret) return undefined;
    const wanted = version === 0 ? secret.versions.length : version;
    const entry = secret.versions[wanted - 1];
    return entry ? { version: wanted, entry } : undefined;
  }

  /** KV v2 keeps the data and marks the version deleted; KV v1 forgets the key. */
  delete(path: string, version = 0): void {
    if (this.version === 1) {
      this.secrets.delete(trimSlashes(path));
      return;
    }
    const found = this.get(path, version);
    if (found && found.entry.deletionTime === '') found.entry.deletionTime = new Date().toISOString();
  }

  /** Direct children of a folder: keys, and sub-folders ending in `/`, sorted like Vault. */
  list(folder: string): string[] {
    const trimmed = trimSlashes(folder);
    const prefix = trimmed === '' ? '' : `${trimmed}/`;
    const children = new Set<string>();
    for (const key of this.secrets.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      children.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...children].sort();
  }
}
