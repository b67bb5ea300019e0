import { createCipheriv, createDecipheriv, createSecretKey, hash, randomBytes, type KeyObject } from 'node:crypto';
import { untilAborted } from '../abortable.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { OpenedEntries } from './opened-entries.ts';
import type { CacheStore, EntryAddress } from './store.ts';

/** Plaintext of recently read entries kept to skip decrypting the same ciphertext again. */
const OPENED_ENTRIES_MAX_BYTES = 8 * 1024 * 1024;

export interface CacheScope {
  platformId: string;
  connectionId: string;
  /**
   * The connection's version (its `updatedAt`): part of every entry's key, so an edit
   * invalidates the connection's entries even if the explicit clear could not reach Redis.
   */
  stamp: string;
}

/** One entry, as `getOrLoad` names it. */
export interface CacheEntry {
  scope: CacheScope;
  kind: string;
  key: string;
}

export interface CacheOptions {
  ttlSeconds: number;
  /** How long past expiry a value may still be served when the provider is unreachable (0 = never). */
  staleSeconds: number;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

export interface Loaded<T> {
  data: T;
  source: 'cache' | 'provider' | 'stale';
}

/** One load shared by concurrent misses of an entry, until its value is stored. */
interface Flight {
  loaded: Promise<Loaded<unknown>>;
  /** The value went to the callers; the write may still be on its way. */
  delivered: boolean;
  written: Promise<void>;
  /** Callers still waiting for the load; when the last one stops waiting, the load is aborted. */
  waiting: number;
  /** Aborts the load (its provider request): only once nobody waits for it. */
  abort: AbortController;
}

interface Envelope<T> {
  data: T;
  freshUntil: number;
}

/**
 * The encrypted cache in front of providers: AES-256-GCM under a key of its own, with
 * the entry's logical address as associated data (a ciphertext copied under another
 * platform's or connection's key does not open). Concurrent misses for one entry share
 * one load. When the store fails, everything goes straight to the provider: the cache
 * is an optimisation, never a reason for a run to fail.
 */
export class SecretCache {
  /** Loads under way, by the entry's logical key. */
  private readonly inFlight = new Map<string, Flight>();
  private outage = false;
  private readonly now: () => number;
  /** A KeyObject, so each seal and open skips importing raw key bytes. */
  private readonly key: KeyObject;
  private readonly opened = new OpenedEntries(OPENED_ENTRIES_MAX_BYTES);

  constructor(
    private readonly store: CacheStore,
    key: Buffer,
    private readonly options: CacheOptions,
  ) {
    this.key = createSecretKey(key);
    this.now = options.now ?? Date.now;
  }

  /** Where an entry lives: its key is hashed, so secret paths never reach the store in clear. */
  private address(scope: CacheScope, kind: string, key: string): { logical: string; address: EntryAddress } {
    const logical = `${scope.platformId}\0${scope.connectionId}\0${scope.stamp}\0${kind}\0${key}`;
    const address = this.opened.address(logical, () => ({
      platformId: scope.platformId,
      connectionId: scope.connectionId,
      key: hash('sha256', `${scope.stamp}\0${kind}\0${key}`, 'base64url'),
    }));
    return { logical, address };
  }

  /** The envelope a read returned, when it opens and is still the entry's (see OpenedEntries). */
  private read<T>({ logical, address }: { logical: string; address: EntryAddress }, sealed: string | undefined): Envelope<T> | undefined {
    return sealed === undefined ? undefined : this.opened.open(logical, sealed, () => this.open<T>(address, sealed));
  }

  private aad(a: EntryAddress): Buffer {
    return Buffer.from(`sm-cache:${a.platformId}:${a.connectionId}:${a.key}`);
  }

  private seal(a: EntryAddress, envelope: Envelope<unknown>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(this.aad(a));
    const body = Buffer.concat([cipher.update(JSON.stringify(envelope), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  }

  /** Undefined when it does not open (another key, another address, tampering): a miss. */
  private open<T>(a: EntryAddress, sealed: string): Envelope<T> | undefined {
    try {
      const raw = Buffer.from(sealed, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(this.aad(a));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      // GCM emits all plaintext from update(); final() only checks the tag, before anything is used.
      const plaintext = decipher.update(raw.subarray(12, raw.length - 16));
      decipher.final();
      return JSON.parse(plaintext.toString('utf8')) as Envelope<T>;
    } catch {
      return undefined;
    }
  }

  private async guarded<T>(operation: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await run();
      if (this.outage) {
        this.outage = false;
        this.options.logger.info('secret cache is reachable again');
      }
      return result;
    } catch (error) {
      this.options.metrics.cacheErrors.inc({ operation });
      if (!this.outage) {
        this.outage = true;
        this.options.logger.warn({ err: { message: (error as Error).message } }, 'secret cache unavailable: reading straight from providers');
      }
      return undefined;
    }
  }

  /**
   * The cached value, or `load()`'s (then cached). A failed load is not cached; with
   * stale-if-error on, an expired value may be served when `canServeStale(error)`.
   * Concurrent misses of one entry share one load.
   *
   * Once `signal` aborts, this caller stops waiting (with the signal's reason); the shared
   * load goes on for the callers still waiting, and is aborted through its own signal
   * only when none is left (a caller without a signal always waits).
   */
  async getOrLoad<T>(
    scope: CacheScope,
    kind: string,
    key: string,
    load: (signal: AbortSignal) => Promise<T>,
    canServeStale: (error: unknown) => boolean,
    signal?: AbortSignal,
  ): Promise<Loaded<T>> {
    const entry = this.address(scope, kind, key);
    const a = entry.address;
    const read = await untilAborted(this.guarded('get', () => this.store.get(a)), signal);
    const envelope = this.read<T>(entry, read?.value);
    if (envelope && envelope.freshUntil > this.now()) {
      this.options.metrics.cacheLookups.inc({ kind, result: 'hit' });
      return { data: envelope.data, source: 'cache' };
    }
    const joined = this.inFlight.get(entry.logical);
    if (joined?.delivered) {
      // Its value went out and is being written: read it back rather than reuse it, so a
      // value that expired meanwhile is not served (the window is one Redis round trip).
      await untilAborted(joined.written, signal);
      return this.getOrLoad(scope, kind, key, load, canServeStale, signal);
    }
    if (joined) return this.wait(entry.logical, joined, signal) as Promise<Loaded<T>>;
    this.options.metrics.cacheLookups.inc({ kind, result: 'miss' });
    const abort = new AbortController();
    const pending = this.loadMissing(a, kind, read?.generation, envelope, () => load(abort.signal), canServeStale);
    const flight: Flight = {
      delivered: false,
      loaded: pending.then((r) => ((flight.delivered = true), r.loaded)),
      written: pending.then((r) => r.written, () => undefined),
      waiting: 0,
      abort,
    };
    this.inFlight.set(entry.logical, flight);
    // The flight stays in the map until its value is stored, so a read that Redis answered
    // "miss" just before the write landed never loads again.
    void flight.written.finally(() => this.land(entry.logical, flight));
    return this.wait(entry.logical, flight, signal) as Promise<Loaded<T>>;
  }

  /** One more caller waits for `flight`, until its signal aborts: then the last one to leave aborts the load. */
  private wait(logical: string, flight: Flight, signal: AbortSignal | undefined): Promise<Loaded<unknown>> {
    flight.waiting += 1;
    if (!signal) return flight.loaded;
    const leave = () => {
      flight.waiting -= 1;
      if (flight.waiting > 0 || flight.delivered) return;
      flight.abort.abort(signal.reason);
      // Whoever asks from now on loads afresh rather than join a load being abandoned.
      this.land(logical, flight);
    };
    if (signal.aborted) {
      leave();
    } else {
      signal.addEventListener('abort', leave, { once: true });
      const settled = () => signal.removeEventListener('abort', leave);
      flight.loaded.then(settled, settled);
    }
    return untilAborted(flight.loaded, signal);
  }

  /** Takes `flight` out of the map, unless a newer load of the entry took its place. */
  private land(logical: string, flight: Flight): void {
    if (this.inFlight.get(logical) === flight) this.inFlight.delete(logical);
  }

  /** `generation` is that of the read that missed (undefined when the store failed: nothing is written). */
  private async loadMissing<T>(
    a: EntryAddress,
    kind: string,
    generation: string | undefined,
    envelope: Envelope<T> | undefined,
    load: () => Promise<T>,
    canServeStale: (error: unknown) => boolean,
  ): Promise<{ loaded: Loaded<T>; written: Promise<void> }> {
    let data: T;
    try {
      data = await load();
    } catch (error) {
      if (envelope && canServeStale(error) && envelope.freshUntil + this.options.staleSeconds * 1000 > this.now()) {
        this.options.metrics.cacheLookups.inc({ kind, result: 'stale' });
        return { loaded: { data: envelope.data, source: 'stale' }, written: Promise.resolve() };
      }
      throw error;
    }
    // Written under the generation of the read that missed: if a clear landed while we
    // loaded, the entry is never read. Sealing and sending wait until the callers have
    // their value: a cold resolve does not pay for the write.
    const fetchedAt = this.now();
    const written = generation === undefined ? Promise.resolve() : new Promise((next) => setImmediate(next)).then(() => this.write(a, generation, data, fetchedAt));
    return { loaded: { data, source: 'provider' }, written };
  }

  /** `fetchedAt`: the TTL counts from when the value came from the provider, not from the write. */
  private async write(a: EntryAddress, generation: string, data: unknown, fetchedAt = this.now()): Promise<void> {
    const { ttlSeconds, staleSeconds } = this.options;
    const sealed = this.seal(a, { data, freshUntil: fetchedAt + ttlSeconds * 1000 });
    await this.guarded('set', () => this.store.set(a, generation, sealed, ttlSeconds + staleSeconds));
  }

  /** Stores a value outside a load (e.g. a connection's latest check outcome). */
  async put(scope: CacheScope, kind: string, key: string, data: unknown): Promise<void> {
    const { address } = this.address(scope, kind, key);
    const read = await this.guarded('get', () => this.store.get(address));
    if (read) await this.write(address, read.generation, data);
  }

  /**
   * The fresh values of many entries in one store round trip, each counted as a hit;
   * undefined where an entry is missing or expired (or the store failed). Those are for
   * `getOrLoad`, which counts the miss, re-reads the entry for its generation and stale
   * value, and shares the load with concurrent misses.
   */
  async hits<T>(entries: CacheEntry[], signal?: AbortSignal): Promise<(T | undefined)[]> {
    const found = await untilAborted(this.peekMany<T>(entries), signal);
    found.forEach((data, i) => data !== undefined && this.options.metrics.cacheLookups.inc({ kind: entries[i]!.kind, result: 'hit' }));
    return found;
  }

  /** Fresh values for many entries in one round trip; undefined where missing or expired. */
  async peekMany<T>(entries: CacheEntry[]): Promise<(T | undefined)[]> {
    const addressed = entries.map((e) => this.address(e.scope, e.kind, e.key));
    const addresses = addressed.map((e) => e.address);
    const values = (await this.guarded('get', () => this.store.getMany(addresses))) ?? addresses.map(() => undefined);
    return values.map((sealed, i) => {
      const envelope = this.read<T>(addressed[i]!, sealed);
      return envelope && envelope.freshUntil > this.now() ? envelope.data : undefined;
    });
  }

  /** Waits (bounded) for the store at start, so the first requests do not count as an outage. */
  async ready(timeoutMs = 2000): Promise<void> {
    if (!(await this.store.ready(timeoutMs))) {
      this.outage = true;
      this.options.logger.warn('secret cache not reachable at start: reading straight from providers until it is');
    }
  }

  /**
   * Unlike reads, a clear that cannot reach the store fails: the admin must know it did
   * not happen. A platform clear names its connections (from the database), never scans.
   */
  clearConnections(platformId: string, connectionIds: readonly string[]): Promise<void> {
    return this.store.clearConnections(platformId, connectionIds);
  }

  /** Resolves once every value loaded so far is written (or given up on). */
  async idle(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((flight) => flight.written));
  }

  /** Lets the writes of loads already answered land first. */
  async close(): Promise<void> {
    await this.idle();
    await this.store.close();
  }
}
