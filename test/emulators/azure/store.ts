/** The emulator's state: the Entra directory (tenants, apps and their credentials) and the vault (secrets, access). */
import { randomBytes, X509Certificate } from 'node:crypto';
import type { AccessRule, ApplicationOptions, SecretOptions } from './types.ts';

export interface Application {
  clientId: string;
  tenantId: string;
  clientSecrets: string[];
  certificates: X509Certificate[];
}

export class Directory {
  readonly tenants = new Set<string>();
  readonly #apps = new Map<string, Application>();

  addApplication(app: ApplicationOptions, defaultTenant: string): void {
    const tenantId = app.tenantId ?? defaultTenant;
    this.tenants.add(tenantId);
    this.#apps.set(app.clientId, {
      clientId: app.clientId,
      tenantId,
      clientSecrets: [...(app.clientSecrets ?? [])],
      certificates: (app.certificates ?? []).map((pem) => new X509Certificate(pem)),
    });
  }

  /** An app registered in `tenantId` (as Entra does, an app of another tenant is "not found in the directory"). */
  application(tenantId: string, clientId: string): Application | undefined {
    const app = this.#apps.get(clientId);
    return app?.tenantId === tenantId ? app : undefined;
  }
}

export interface SecretVersion {
  /** The secret's name as first written (Key Vault names are case-insensitive but keep their case). */
  name: string;
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  /** Unix seconds, as Key Vault's attributes carry them. */
  created: number;
  updated: number;
}

export class SecretStore {
  /** Lower-cased name → versions, oldest first. */
  readonly #secrets = new Map<string, SecretVersion[]>();

  set(name: string, value: string, options: SecretOptions = {}): SecretVersion {
    const versions = this.#secrets.get(name.toLowerCase()) ?? [];
    const now = Math.floor(Date.now() / 1000);
    const entry: SecretVersion = {
      name: versions[0]?.name ?? name,
      version: randomBytes(16).toString('hex'),
      value,
      enabled: options.enabled ?? true,
      created: now,
      updated: now,
      ...(options.contentType !== undefined && { contentType: options.contentType }),
      ...(options.tags && { tags: { ...options.tags } }),
    };
    versions.push(entry);
    this.#secrets.set(name.toLowerCase(), versions);
    return entry;
  }

  /** The current version, or the one asked for (version ids are case-insensitive too). */
  get(name: string, version?: string): SecretVersion | undefined {
    const versions = this.#secrets.get(name.toLowerCase());
    if (!versions) return undefined;
    if (version === undefined) return versions.at(-1);
    return versions.find((v) => v.version === version.toLowerCase());
  }

  /** Current versions of every secret, ordered by lower-cased name as Key Vault lists them. */
  currentVersions(): SecretVersion[] {
    return [...this.#secrets.keys()].sort().map((key) => this.#secrets.get(key)!.at(-1)!);
  }
}

export class AccessRules {
  readonly #rules = new Map<string, AccessRule>();

  set(clientId: string, rule: Partial<AccessRule>): void {
    const current = this.#rules.get(clientId) ?? { get: [], list: false, set: false };
    this.#rules.set(clientId, { ...current, ...rule });
  }

  may(clientId: string, action: 'get' | 'list' | 'set', name?: string): boolean {
    const rule = this.#rules.get(clientId);
    if (!rule) return false;
    if (action !== 'get') return rule[action];
    return rule.get === '*' || rule.get.some((allowed) => allowed.toLowerCase() === name?.toLowerCase());
  }
}
