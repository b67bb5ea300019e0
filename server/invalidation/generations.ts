import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/**
 * What a change can make wrong in an instance's memory: every principal (`auth`: API keys,
 * embed keys, the projects embed tokens name), or one platform's connections and their
 * projects.
 */
export type GenerationScope = 'auth' | `platform:${string}`;

export const platformScope = (platformId: string): GenerationScope => `platform:${platformId}`;

/**
 * A generation per scope, changed by every change of it. What an instance keeps in memory
 * records the generation it was read under (taken *before* the database read) and is used
 * only while that is still the scope's generation. A change commits, then bumps, then
 * answers; a request reads the generations before it uses what it kept; so a request that
 * starts after a change was answered never uses what the change made wrong, on any instance.
 */
export interface Generations {
  /** As last read; undefined while unknown (nothing kept for the scope may be used or kept). */
  current(scope: GenerationScope): string | undefined;
  /** Reads the scopes' generations afresh: one round trip, sent along with the request's other ones. */
  refresh(scopes: readonly GenerationScope[]): Promise<void>;
  /** After a change committed, before it is answered. */
  bump(scopes: readonly GenerationScope[]): Promise<void>;
}

/** A value a generation never had: random, so a generation never comes back (even after Redis lost its data). */
const fresh = () => randomBytes(9).toString('base64url');

/** One process alone (the embedded database): its own changes are all there are. */
export class LocalGenerations implements Generations {
  private readonly values = new Map<GenerationScope, string>();

  current(scope: GenerationScope): string {
    return this.values.get(scope) ?? '0';
  }

  async refresh(): Promise<void> {}

  async bump(scopes: readonly GenerationScope[]): Promise<void> {
    for (const scope of scopes) this.values.set(scope, fresh());
  }
}

/**
 * Every instance sharing Redis: one hash, a field per scope. Its client pipelines
 * automatically, so a request's refresh travels with its rate-limit counting. Replies on
 * one connection arrive in the order sent, so the last one read is the newest.
 */
export class RedisGenerations implements Generations {
  private readonly observed = new Map<GenerationScope, string>();
  /**
   * This instance's own changes, counted apart: what it changed stays changed here even if
   * Redis never took the bump, or a reply read before the bump comes back afterwards.
   */
  private readonly ownChanges = new Map<GenerationScope, number>();
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly logger: Logger,
  ) {
    this.key = `${keyPrefix}generations`;
  }

  current(scope: GenerationScope): string | undefined {
    const observed = this.observed.get(scope);
    return observed === undefined ? undefined : `${observed}/${this.ownChanges.get(scope) ?? 0}`;
  }

  async refresh(scopes: readonly GenerationScope[]): Promise<void> {
    try {
      const values = await this.redis.hmget(this.key, ...scopes);
      scopes.forEach((scope, i) => this.observed.set(scope, values[i] ?? '0'));
    } catch {
      // Unknown until Redis answers again: every read goes to the database meanwhile.
      for (const scope of scopes) this.observed.delete(scope);
    }
  }

  async bump(scopes: readonly GenerationScope[]): Promise<void> {
    for (const scope of scopes) this.ownChanges.set(scope, (this.ownChanges.get(scope) ?? 0) + 1);
    const values = scopes.map(() => fresh());
    try {
      await this.redis.hset(this.key, Object.fromEntries(scopes.map((scope, i) => [scope, values[i]!])));
    } catch (e) {
      // Committed already: other instances see it when what they kept expires (SM_AUTH_CACHE_SECONDS).
      this.logger.warn({ scopes, err: { message: (e as Error).message } }, 'could not tell other instances of a change: they see it within SM_AUTH_CACHE_SECONDS');
    }
  }
}
