import { z } from 'zod';
import { entityId, withoutControlCharacters } from './connections.ts';
import type { SecretManagerErrorCode } from './errors.ts';

export const resolveInput = z
  .object({
    projectId: entityId.optional(),
    /** As many as the server's SM_MAX_REFERENCES_PER_CALL allows (counted with those in `value`). */
    references: z.array(z.string().min(1).max(4096)).optional(),
    /** Any JSON: every reference inside its strings is replaced. */
    value: z.unknown().optional(),
    onError: z.enum(['throw', 'report']).default('throw'),
  })
  .refine((v) => v.references !== undefined || v.value !== undefined, { message: 'Give references or value' });
export type ResolveInput = z.input<typeof resolveInput>;

/** Resolution failures: the provider taxonomy, plus references to connections the caller cannot use. */
export type ResolveErrorCode = SecretManagerErrorCode | 'CONNECTION_NOT_FOUND';

export type ReferenceResult =
  | { reference: string; ok: true; value: string; stale?: true }
  | { reference: string; ok: false; code: ResolveErrorCode; message: string };

export interface ResolveOutput {
  /** One per entry of `references`, in order (null where it failed, in report mode). */
  values?: (string | null)[];
  /** `value` with every reference replaced (failed ones become null, in report mode). */
  value?: unknown;
  /** Report mode: one per distinct reference. */
  results?: ReferenceResult[];
}

export const checkSecretInput = z.object({
  projectId: entityId.optional(),
  connectionId: entityId,
  path: z.string().min(1).max(2048),
});

export type CheckSecretOutput =
  | { exists: true; version?: string; keys?: string[] }
  | { exists: false; code: ResolveErrorCode; message: string; hint?: string };

/** Browsing a connection's secret names, for the key picker's autocomplete. */
export const listSecretNamesInput = z.object({
  projectId: entityId.optional(),
  connectionId: entityId,
  /** The path typed so far: providers list what starts with it (Vault lists its folder part). */
  prefix: z.string().max(2048).regex(withoutControlCharacters, 'No control characters').optional(),
  pageToken: z.string().min(1).max(4096).regex(withoutControlCharacters, 'Not a page token').optional(),
  pageSize: z.number().int().min(1).max(100).optional(),
});
export type ListSecretNamesInput = z.infer<typeof listSecretNamesInput>;

export interface ListSecretNamesOutput {
  /** Names usable as paths; Vault folders end in `/`. */
  names: string[];
  nextPageToken?: string;
}
