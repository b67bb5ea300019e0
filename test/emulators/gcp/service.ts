/**
 * The RPCs of google.cloud.secretmanager.v1.SecretManagerService the emulator serves,
 * independent of the wire (grpc.ts and rest.ts encode them). Permission checks come
 * before existence checks, as Google's do, and messages have Google's shape.
 * https://cloud.google.com/secret-manager/docs/reference/rpc/google.cloud.secretmanager.v1
 */
import { status } from '@grpc/grpc-js';
import type { Caller } from './auth.ts';
import { parentKey, secretKey, type GcpState, type ParentRef, type Permission, type SecretRef, type StoredSecret, type StoredVersion } from './state.ts';
import { RpcError } from './wire.ts';

export interface SecretView {
  name: string;
  createTime: Date;
  /** Global secrets replicate automatically here; regional ones have no replication. */
  regional: boolean;
}

export interface VersionView {
  name: string;
  createTime: Date;
  state: StoredVersion['state'];
}

export interface AccessView {
  name: string;
  data: Buffer;
  crc32c: number;
}

export interface ListRequest {
  parent: string;
  pageSize: number;
  pageToken: string;
  filter: string;
}

export interface ListView {
  secrets: SecretView[];
  nextPageToken: string;
  totalSize: number;
}

const PARENT = /^projects\/([^/]+)(?:\/locations\/([^/]+))?$/;
const SECRET = /^(projects\/[^/]+(?:\/locations\/[^/]+)?)\/secrets\/([^/]+)$/;
const VERSION = /^(projects\/[^/]+(?:\/locations\/[^/]+)?\/secrets\/[^/]+)\/versions\/([^/]+)$/;
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
const MAX_PAGE_SIZE = 25_000;

/** Only `name:VALUE` (substring of the resource name, `*` as a wildcard) is understood. https://cloud.google.com/secret-manager/docs/filtering */
const NAME_FILTER = /^name\s*:\s*(?:"([^"]*)"|(\S+))$/;

export class SecretManagerService {
  constructor(private readonly state: GcpState) {}

  access(caller: Caller, name: string): AccessView {
    const match = VERSION.exec(name);
    if (!match) throw invalidName(name);
    const ref = this.#secretRef(match[1]!);
    const version = match[2]!;
    this.#authorize(caller, 'secretmanager.versions.access', secretKey(ref), name);
    const secret = this.state.secrets.get(secretKey(ref));
    const display = this.state.displaySecret(ref);
    let found: StoredVersion | undefined;
    if (version === 'latest') {
      found = secret?.versions.findLast((v) => v.state === 'ENABLED');
      if (!found) throw new RpcError(status.NOT_FOUND, `Secret [${display}] not found or has no versions.`);
    } else {
      found = /^[1-9][0-9]*$/.test(version) ? secret?.versions[Number(version) - 1] : undefined;
      if (!found) throw new RpcError(status.NOT_FOUND, `Secret Version [${display}/versions/${version}] not found.`);
      if (found.state !== 'ENABLED') {
        throw new RpcError(status.FAILED_PRECONDITION, `Secret Version [${display}/versions/${version}] is in ${found.state} state.`);
      }
    }
    return { name: `${display}/versions/${found.number}`, data: found.data, crc32c: found.crc32c };
  }

  getSecret(caller: Caller, name: string): SecretView {
    const ref = this.#secretRef(name);
    this.#authorize(caller, 'secretmanager.secrets.get', secretKey(ref), name);
    return this.#view(this.#existing(ref));
  }

  list(caller: Caller, request: ListRequest): ListView {
    const ref = this.#parentRef(request.parent);
    this.#authorize(caller, 'secretmanager.secrets.list', parentKey(ref), request.parent);
    if (request.pageSize < 0) throw new RpcError(status.INVALID_ARGUMENT, 'page_size must not be negative.');
    const matches = this.#filter(request.filter);
    const prefix = `${parentKey(ref)}/secrets/`;
    const all = [...this.state.secrets.entries()]
      .filter(([key, secret]) => key.startsWith(prefix) && matches(this.state.displaySecret(secret)))
      .map(([, secret]) => secret)
      .sort((a, b) => (a.secretId < b.secretId ? -1 : a.secretId > b.secretId ? 1 : 0));

    let start = 0;
    if (request.pageToken !== '') {
      const after = Buffer.from(request.pageToken, 'base64url').toString('utf8');
      if (!after.startsWith('after:')) throw new RpcError(status.INVALID_ARGUMENT, 'Invalid page token.');
      start = all.findIndex((s) => s.secretId > after.slice('after:'.length));
      if (start === -1) start = all.length;
    }
    const size = request.pageSize === 0 ? MAX_PAGE_SIZE : Math.min(request.pageSize, MAX_PAGE_SIZE);
    const page = all.slice(start, start + size);
    const more = start + size < all.length;
    return {
      secrets: page.map((s) => this.#view(s)),
      nextPageToken: more ? Buffer.from(`after:${page.at(-1)!.secretId}`).toString('base64url') : '',
      totalSize: all.length,
    };
  }

  createSecret(caller: Caller, parent: string, secretId: string): SecretView {
    const ref = this.#parentRef(parent);
    this.#authorize(caller, 'secretmanager.secrets.create', parentKey(ref), parent);
    if (!SECRET_ID.test(secretId)) throw new RpcError(status.INVALID_ARGUMENT, `Invalid secret_id [${secretId}].`);
    const secretRef = { ...ref, secretId };
    if (this.state.secrets.has(secretKey(secretRef))) {
      throw new RpcError(status.ALREADY_EXISTS, `Secret [${this.state.displaySecret(secretRef)}] already exists.`);
    }
    return this.#view(this.state.createSecret(secretRef));
  }

  addVersion(caller: Caller, parent: string, data: Buffer, dataCrc32c: string | undefined): VersionView {
    const ref = this.#secretRef(parent);
    this.#authorize(caller, 'secretmanager.versions.add', secretKey(ref), parent);
    const secret = this.#existing(ref);
    const version = this.state.addVersion(secret, data);
    if (dataCrc32c !== undefined && dataCrc32c !== String(version.crc32c)) {
      secret.versions.pop();
      throw new RpcError(status.INVALID_ARGUMENT, 'Checksum mismatch: data_crc32c does not match the payload data.');
    }
    return { name: `${this.state.displaySecret(ref)}/versions/${version.number}`, createTime: version.createTime, state: version.state };
  }

  #authorize(caller: Caller, permission: Permission, resource: string, asWritten: string): void {
    if ('anonymous' in caller || this.state.allows(caller.email, permission, resource)) return;
    throw new RpcError(status.PERMISSION_DENIED, `Permission '${permission}' denied for resource '${asWritten}' (or it may not exist).`);
  }

  #parentRef(parent: string): ParentRef {
    const match = PARENT.exec(parent);
    if (!match) throw invalidName(parent);
    const projectId = this.state.projectIdOf(match[1]!) ?? match[1]!;
    return match[2] ? { projectId, location: match[2] } : { projectId };
  }

  #secretRef(name: string): SecretRef {
    const match = SECRET.exec(name);
    if (!match) throw invalidName(name);
    return { ...this.#parentRef(match[1]!), secretId: match[2]! };
  }

  #existing(ref: SecretRef): StoredSecret {
    const secret = this.state.secrets.get(secretKey(ref));
    if (!secret) throw new RpcError(status.NOT_FOUND, `Secret [${this.state.displaySecret(ref)}] not found.`);
    return secret;
  }

  #view(secret: StoredSecret): SecretView {
    return { name: this.state.displaySecret(secret), createTime: secret.createTime, regional: secret.location !== undefined };
  }

  #filter(filter: string): (name: string) => boolean {
    if (filter.trim() === '') return () => true;
    const match = NAME_FILTER.exec(filter.trim());
    if (!match) throw new RpcError(status.INVALID_ARGUMENT, `Invalid filter [${filter}]: this emulator understands name:VALUE only.`);
    const value = match[1] ?? match[2]!;
    const pattern = new RegExp(value.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
    return (name) => pattern.test(name);
  }
}

function invalidName(name: string): RpcError {
  return new RpcError(status.INVALID_ARGUMENT, `Invalid resource field value in the request: [${name}].`);
}
