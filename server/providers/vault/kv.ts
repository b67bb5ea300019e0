/**
 * Reading and listing KV secrets: which mount a path is on and which KV version it runs.
 *
 * The mount and version come from, in order: the connection's stated KV mount and
 * version (no discovery call at all); what this client already learned; discovery with
 * `sys/internal/ui/mounts/{path}`. When discovery is refused, the first path segment is
 * taken as the mount and KV v2 is tried before v1 (unless the version is stated); the
 * form that answers is remembered, and a failure says the mount was guessed.
 * https://developer.hashicorp.com/vault/api-docs/system/internal-ui-mounts
 * https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2
 * https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1
 */
import type { VaultConfig } from '../../../shared/providers/vault.ts';
import type { SecretPath } from '../../../shared/secret-path.ts';
import { SecretManagerError } from '../../errors.ts';
import { selectValue } from '../json-key.ts';
import type { Deadline } from '../retry.ts';
import type { ListOptions, ListPage, SecretValue } from '../types.ts';
import { vaultStatus, type VaultErrorMapper, type VaultOperation } from './errors.ts';
import { encodePath, type VaultSend } from './transport.ts';

type KvVersion = 1 | 2;
/** A KV entry is Vault's JSON, which selectValue walks. */
type KvMap = Exclude<Parameters<typeof selectValue>[0], string>;

interface Location {
  /** Mount path without slashes at either end, e.g. `secret` or `team/kv`. */
  mount: string;
  /** The path inside the mount, as written (may be empty). */
  relative: string;
  /** One version when known, [2, 1] when it has to be tried. */
  versions: KvVersion[];
  guessed: boolean;
}

export interface KvStoreDeps {
  config: Pick<VaultConfig, 'kvMount' | 'kvVersion'>;
  send: VaultSend;
  mapError: VaultErrorMapper;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isUnder = (name: string, mount: string) => name === mount || name.startsWith(`${mount}/`);

/** KV v1 engines were once called `generic`. */
function kvVersionOf(entry: unknown): KvVersion | undefined {
  if (!isRecord(entry) || (entry['type'] !== 'kv' && entry['type'] !== 'generic')) return undefined;
  const options = entry['options'];
  return isRecord(options) && String(options['version']) === '2' ? 2 : 1;
}

export class KvStore {
  /** Mount → KV version, stated or learned. */
  readonly #versions = new Map<string, KvVersion>();

  constructor(private readonly deps: KvStoreDeps) {
    const { kvMount, kvVersion } = deps.config;
    if (kvMount !== undefined && kvVersion !== undefined) this.#versions.set(trimSlashes(kvMount), kvVersion);
  }

  async read(path: SecretPath, token: string, deadline: Deadline): Promise<SecretValue> {
    const location = await this.#locate(path.name, token, deadline);
    if (location.relative === '') {
      throw new SecretManagerError('INVALID_PATH', `"${path.name}" names the mount but no secret in it: write mount/path, e.g. ${location.mount}/app/database.`);
    }
    const versions = path.version === undefined ? location.versions : location.versions.filter((v) => v === 2);
    if (versions.length === 0) {
      throw new SecretManagerError('INVALID_PATH', `"${location.mount}" is a KV version 1 mount, which keeps no versions: remove @${path.version} from the path.`);
    }
    return this.#probe(location, versions, async (version) => {
      const apiPath = version === 2 ? `${location.mount}/data/${withoutDataInfix(location.relative)}` : `${location.mount}/${location.relative}`;
      const operation: VaultOperation = { kind: 'read', path: path.name, apiPath, version: path.version };
      try {
        const query = path.version === undefined ? '' : `?version=${path.version}`;
        const body = await this.deps.send({ method: 'GET', path: encodePath(apiPath) + query, token }, deadline);
        const entry = version === 2 ? kvV2Entry(body) : { data: field(body, 'data'), version: undefined };
        if (!entry) throw new SecretManagerError('SECRET_NOT_FOUND', `Vault has no KV version 2 data at "${apiPath}".`);
        return selectValue(entry.data as KvMap, path.key, entry.version);
      } catch (error) {
        throw this.deps.mapError(error, operation);
      }
    });
  }

  /**
   * `prefix` is a path typed so far: its folder part is listed and the names filtered by
   * the rest. Vault does not paginate lists, so the page token is an offset.
   */
  async list(options: ListOptions, token: string, deadline: Deadline): Promise<ListPage> {
    const prefix = (options.prefix ?? '').replace(/^\/+/, '');
    const slash = prefix.lastIndexOf('/');
    const folder = prefix.slice(0, slash + 1);
    const filter = prefix.slice(slash + 1);
    const keys = folder === '' ? await this.#listMounts(token, deadline) : await this.#listFolder(folder, token, deadline);
    const names = keys.filter((key) => key.startsWith(filter)).map((key) => folder + key);
    return paginate(names, options);
  }

  async #listFolder(folder: string, token: string, deadline: Deadline): Promise<string[]> {
    const location = await this.#locate(trimSlashes(folder), token, deadline);
    try {
      return await this.#probe(location, location.versions, async (version) => {
        const relative = version === 2 ? withoutDataInfix(location.relative) : location.relative;
        const apiPath = `${[location.mount, ...(version === 2 ? ['metadata'] : []), relative].filter(Boolean).join('/')}/`;
        try {
          // GET …?list=true, not the LIST verb: see PROVIDERS.md and
          // https://developer.hashicorp.com/vault/api-docs#api-operations
          const body = await this.deps.send({ method: 'GET', path: `${encodePath(apiPath)}?list=true`, token }, deadline);
          const keys = field(body, 'data')['keys'];
          return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
        } catch (error) {
          throw this.deps.mapError(error, { kind: 'list', path: folder, apiPath });
        }
      });
    } catch (error) {
      // Vault answers 404 for a folder with nothing in it.
      if (error instanceof SecretManagerError && error.code === 'SECRET_NOT_FOUND') return [];
      throw error;
    }
  }

  /**
   * The KV mounts this token can see (`secret/`…), learning their versions on the way.
   * Vault's UI endpoint shows every token the mounts it may use; a server without it
   * (404) may still serve `sys/mounts`, to tokens granted read on it.
   */
  async #listMounts(token: string, deadline: Deadline): Promise<string[]> {
    let engines: Record<string, unknown> | undefined;
    for (const path of ['sys/internal/ui/mounts', 'sys/mounts']) {
      try {
        const data = field(await this.deps.send({ method: 'GET', path, token }, deadline), 'data');
        engines = path === 'sys/mounts' ? data : field(data, 'secret');
        break;
      } catch (error) {
        const status = vaultStatus(error);
        if (status === 404) continue;
        const { kvMount } = this.deps.config;
        if (status === 403 && kvMount !== undefined) return [`${trimSlashes(kvMount)}/`];
        throw this.deps.mapError(error, { kind: 'mounts' });
      }
    }
    const mounts = Object.entries(engines ?? {}).flatMap(([path, entry]) => {
      const version = kvVersionOf(entry);
      if (version === undefined) return [];
      this.#versions.set(trimSlashes(path), version);
      return [`${trimSlashes(path)}/`];
    });
    return mounts.sort();
  }

  async #locate(name: string, token: string, deadline: Deadline): Promise<Location> {
    const known = [...this.#versions.keys()].filter((mount) => isUnder(name, mount)).sort((a, b) => b.length - a.length)[0];
    if (known !== undefined) return this.#at(name, known, [this.#versions.get(known)!], false);

    const discovered = await this.#discover(name, token, deadline);
    if (discovered) return this.#at(name, discovered, [this.#versions.get(discovered)!], false);

    const { kvMount, kvVersion } = this.deps.config;
    const statedMount = kvMount === undefined ? undefined : trimSlashes(kvMount);
    const mount = statedMount !== undefined && isUnder(name, statedMount) ? statedMount : name.split('/')[0]!;
    // A stated version belongs to the stated mount, or to every mount when none is stated.
    const stated = statedMount === undefined || statedMount === mount ? kvVersion : undefined;
    return this.#at(name, mount, stated === undefined ? [2, 1] : [stated], true);
  }

  #at(name: string, mount: string, versions: KvVersion[], guessed: boolean): Location {
    return { mount, relative: name.slice(mount.length + 1), versions, guessed };
  }

  /** The mount holding `name`, remembered with its version; undefined when Vault will not say. */
  async #discover(name: string, token: string, deadline: Deadline): Promise<string | undefined> {
    let body: unknown;
    try {
      body = await this.deps.send({ method: 'GET', path: `sys/internal/ui/mounts/${encodePath(name)}`, token }, deadline);
    } catch (error) {
      // Vault answers 403 both when the token may not ask and when no mount matches
      // (so the endpoint cannot enumerate mounts): either way, fall back.
      const status = vaultStatus(error);
      if (status !== undefined && status >= 400 && status < 500) return undefined;
      throw this.deps.mapError(error, { kind: 'mounts' });
    }
    const entry = field(body, 'data');
    const mount = typeof entry['path'] === 'string' ? trimSlashes(entry['path']) : '';
    if (mount === '' || !isUnder(name, mount)) return undefined;
    const version = kvVersionOf(entry);
    if (version === undefined) {
      throw new SecretManagerError('INVALID_PATH', `"${mount}" is a ${String(entry['type'])} secrets engine, not KV: only KV secrets can be used.`);
    }
    this.#versions.set(mount, version);
    return mount;
  }

  /**
   * Runs `attempt` for each candidate version; a guessed mount's working version is
   * remembered. When every candidate fails with 404 or 403, a 404 wins: the other form
   * is then most likely refused only because the policy was written for the real one.
   */
  async #probe<T>(location: Location, versions: KvVersion[], attempt: (version: KvVersion) => Promise<T>): Promise<T> {
    let failure: SecretManagerError | undefined;
    for (const version of versions) {
      try {
        const result = await attempt(version);
        if (location.guessed) this.#versions.set(location.mount, version);
        return result;
      } catch (error) {
        const code = error instanceof SecretManagerError ? error.code : undefined;
        if (code !== 'SECRET_NOT_FOUND' && code !== 'PERMISSION_DENIED') throw error;
        if (failure?.code !== 'SECRET_NOT_FOUND') failure = error as SecretManagerError;
      }
    }
    if (!location.guessed || !failure) throw failure;
    const tried = versions.map((v) => `v${v}`).join(' and ');
    throw new SecretManagerError(failure.code, failure.message, {
      hint: `${failure.hint} This token may not discover mounts (sys/internal/ui/mounts), so "${location.mount}" was taken as the KV mount and KV ${tried} tried: if that is wrong, set the KV mount and KV version in the connection's advanced settings.`,
    });
  }
}

function field(body: unknown, name: string): Record<string, unknown> {
  const value = isRecord(body) ? body[name] : undefined;
  return isRecord(value) ? value : {};
}

/** `{"data":{"data":{…},"metadata":{"version":N,…}}}`; undefined when there is no data to read. */
function kvV2Entry(body: unknown): { data: Record<string, unknown>; version: string } | undefined {
  const outer = field(body, 'data');
  const data = outer['data'];
  const version = field(outer, 'metadata')['version'];
  return isRecord(data) && typeof version === 'number' ? { data, version: String(version) } : undefined;
}

/** Tools often write KV v2 paths with the API's `data/` infix (`secret/data/app`): accept it. */
function withoutDataInfix(relative: string): string {
  return relative.replace(/^data(\/|$)/, '');
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

function paginate(names: string[], options: ListOptions): ListPage {
  const pageSize = Math.min(Math.max(1, Math.floor(options.pageSize ?? DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE);
  const offset = options.pageToken === undefined ? 0 : Number(options.pageToken);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new SecretManagerError('INVALID_PATH', 'The page token is not one this list returned: list again from the first page.');
  }
  const end = offset + pageSize;
  return end < names.length ? { names: names.slice(offset, end), nextPageToken: String(end) } : { names: names.slice(offset) };
}
