/** What the emulator knows: projects, secrets and their versions, service-account keys and IAM bindings. */
import type { KeyObject } from 'node:crypto';
import { crc32c } from '../../../server/providers/gcp/crc32c.ts';
import type { GcpRole, GcpVersionState } from './types.ts';

export interface StoredVersion {
  number: number;
  data: Buffer;
  crc32c: number;
  state: GcpVersionState;
  createTime: Date;
}

export interface StoredSecret {
  projectId: string;
  location?: string;
  secretId: string;
  createTime: Date;
  versions: StoredVersion[];
}

export interface ServiceAccountKeyRecord {
  email: string;
  publicKey: KeyObject;
}

export type Permission =
  | 'secretmanager.versions.access'
  | 'secretmanager.versions.add'
  | 'secretmanager.secrets.get'
  | 'secretmanager.secrets.list'
  | 'secretmanager.secrets.create';

/** https://cloud.google.com/secret-manager/docs/access-control#predefined-roles (the permissions used here). */
const rolePermissions: Record<GcpRole, readonly Permission[]> = {
  'roles/secretmanager.secretAccessor': ['secretmanager.versions.access'],
  'roles/secretmanager.viewer': ['secretmanager.secrets.get', 'secretmanager.secrets.list'],
  'roles/secretmanager.admin': [
    'secretmanager.versions.access',
    'secretmanager.versions.add',
    'secretmanager.secrets.get',
    'secretmanager.secrets.list',
    'secretmanager.secrets.create',
  ],
};

/** A parent (`projects/ID` or `projects/ID/locations/L`), with the project id resolved. */
export interface ParentRef {
  projectId: string;
  location?: string;
}

export interface SecretRef extends ParentRef {
  secretId: string;
}

export function parentKey(ref: ParentRef): string {
  return `projects/${ref.projectId}${ref.location ? `/locations/${ref.location}` : ''}`;
}

export function secretKey(ref: SecretRef): string {
  return `${parentKey(ref)}/secrets/${ref.secretId}`;
}

export class GcpState {
  /** Project id → project number. */
  readonly #projects = new Map<string, string>();
  /** Keyed by `secretKey` (project ids, never numbers). */
  readonly secrets = new Map<string, StoredSecret>();
  /** Keyed by private_key_id. */
  readonly keys = new Map<string, ServiceAccountKeyRecord>();
  readonly #bindings: { member: string; role: GcpRole; resource: string }[] = [];

  createProject(projectId: string): string {
    let number = this.#projects.get(projectId);
    if (number === undefined) {
      number = String(100_000_000_001 + this.#projects.size * 7_919);
      this.#projects.set(projectId, number);
    }
    return number;
  }

  /** The project id for an id or a number as a request names it. */
  projectIdOf(idOrNumber: string): string | undefined {
    if (this.#projects.has(idOrNumber)) return idOrNumber;
    for (const [id, number] of this.#projects) if (number === idOrNumber) return id;
    return undefined;
  }

  /** Resource names in answers carry the project number, as Google's do. */
  displayParent(ref: ParentRef): string {
    const number = this.#projects.get(ref.projectId) ?? ref.projectId;
    return `projects/${number}${ref.location ? `/locations/${ref.location}` : ''}`;
  }

  displaySecret(ref: SecretRef): string {
    return `${this.displayParent(ref)}/secrets/${ref.secretId}`;
  }

  createSecret(ref: SecretRef): StoredSecret {
    this.createProject(ref.projectId);
    const secret: StoredSecret = { ...ref, createTime: new Date(), versions: [] };
    this.secrets.set(secretKey(ref), secret);
    return secret;
  }

  addVersion(secret: StoredSecret, data: Uint8Array): StoredVersion {
    const buffer = Buffer.from(data);
    const version: StoredVersion = {
      number: secret.versions.length + 1,
      data: buffer,
      crc32c: crc32c(buffer),
      state: 'ENABLED',
      createTime: new Date(),
    };
    secret.versions.push(version);
    return version;
  }

  grant(member: string, role: GcpRole, resource: string): void {
    this.#bindings.push({ member, role, resource });
  }

  /** Whether `member` holds `permission` on the parent or secret `resource` (a `parentKey` or `secretKey`), directly or through its project. */
  allows(member: string, permission: Permission, resource: string): boolean {
    const project = /^projects\/[^/]+/.exec(resource)?.[0];
    return this.#bindings.some(
      (b) => b.member === member && (b.resource === resource || b.resource === project) && rolePermissions[b.role].includes(permission),
    );
  }
}
