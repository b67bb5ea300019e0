import type { ProviderClient, ProviderContext } from '../../server/providers/types.ts';

/**
 * What one provider brings to the contract suite: an emulator (or a real peer such as
 * moto) seeded with the secrets below, and configs for each kind of caller. Files in
 * `test/contract/fixtures/` export `fixture: ContractFixture`; the suite runs them all.
 */
export interface ContractFixture {
  /** Shown in test names, e.g. "aws (moto)". */
  name: string;
  setup(): Promise<ContractEnv>;
  /** Cases the peer cannot do (e.g. moto does not enforce per-secret policies). */
  skip?: ContractCase[];
}

export type ContractCase =
  | 'denied'
  | 'missingVersion'
  | 'pinnedVersion'
  | 'rotation'
  | 'pagination'
  | 'slow'
  | 'badCredentials';

export interface ContractEnv {
  /** The adapter's connect, with a config below. */
  connect(config: Record<string, unknown>, context: ProviderContext): ProviderClient;
  /** Authenticates and may read and list everything seeded. */
  goodConfig: Record<string, unknown>;
  /** Well-formed credentials the provider rejects. */
  badCredentialsConfig: Record<string, unknown>;
  /** Valid credentials whose policy denies reading `paths.plain`. */
  deniedConfig: Record<string, unknown>;
  /** Points at a closed port on 127.0.0.1. */
  unreachableConfig: Record<string, unknown>;
  paths: {
    /** A plain (non-JSON) string secret and its current value. */
    plain: string;
    plainValue: string;
    /** A JSON object secret (path without `#`), one of its keys and that key's value. */
    json: string;
    jsonKey: string;
    jsonKeyValue: string;
    /** A secret that does not exist. */
    missing: string;
    /** `plain` pinned to a version that does not exist (full path, with `@`). */
    missingVersion: string;
    /** `plain` pinned to its first version (full path, with `@`), and that version's value. */
    pinnedOld: string;
    pinnedOldValue: string;
  };
  /** Writes a new current version of `plain` at the provider. */
  rotate(newValue: string): Promise<void>;
  /** At least 3 secrets have names starting with this prefix (list with pageSize 2 pages). */
  listPrefix: string;
  /** Names `list({ prefix: listPrefix })` must return, in any order, across all pages. */
  listExpected: string[];
  /** Delays every emulator answer by `ms` (0 = off). */
  setLatency(ms: number): void;
  /** Every credential string used in the configs above; none may appear in errors or logs. */
  canaries: string[];
  teardown(): Promise<void>;
}
