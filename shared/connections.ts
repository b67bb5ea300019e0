import { z } from 'zod';
import type { SecretManagerErrorCode } from './errors.ts';
import { configSchemaFor, providerDescriptors, providerIds, type ProviderId } from './providers/index.ts';

export const connectionScopes = ['PLATFORM', 'PROJECT'] as const;
export type ConnectionScope = (typeof connectionScopes)[number];

/** Names and ids are one line of text: no control characters (PostgreSQL refuses NUL outright). */
export const withoutControlCharacters = /^[^\u0000-\u001f\u007f]*$/;

export const entityId = z.string().trim().min(1, 'Required').max(64).regex(withoutControlCharacters, 'Not an id');
/** A name people give something: one line, trimmed. */
export const displayName = z
  .string()
  .trim()
  .min(1, 'Enter a name')
  .max(100, 'At most 100 characters')
  .regex(withoutControlCharacters, 'Use letters, digits, spaces and punctuation only');
const configInput = z.record(z.string(), z.unknown());

/** Validates `config` for a provider and auth method; issues are reported under `config.<field>`. */
export function parseConnectionConfig(
  provider: ProviderId,
  authMethod: string,
  config: unknown,
): { success: true; data: Record<string, unknown> } | { success: false; error: z.ZodError } {
  const schema = configSchemaFor(provider, authMethod);
  if (!schema) {
    const known = Object.keys(providerDescriptors[provider].authMethods).join(', ');
    return {
      success: false,
      error: new z.ZodError([
        { code: 'custom', path: ['authMethod'], message: `Unknown auth method for ${provider}; use one of: ${known}`, input: authMethod },
      ]),
    };
  }
  const parsed = schema.strict().safeParse(config);
  if (parsed.success) return { success: true, data: parsed.data };
  return {
    success: false,
    error: new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: ['config', ...i.path] }))),
  };
}

function checkScope(v: { scope?: ConnectionScope; projectIds?: string[] }, ctx: z.RefinementCtx) {
  if (v.scope === 'PROJECT' && (!v.projectIds || v.projectIds.length === 0)) {
    ctx.addIssue({ code: 'custom', path: ['projectIds'], message: 'A project-scoped connection needs at least one project' });
  }
  if (v.scope === 'PLATFORM' && v.projectIds && v.projectIds.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['projectIds'], message: 'A platform-scoped connection is not assigned to projects; choose scope PROJECT' });
  }
}

export const createConnectionInput = z
  .object({
    name: displayName,
    provider: z.enum(providerIds),
    authMethod: z.string().min(1),
    scope: z.enum(connectionScopes),
    projectIds: z.array(entityId).max(1000).optional(),
    config: configInput,
  })
  .superRefine((v, ctx) => {
    checkScope(v, ctx);
    const parsed = parseConnectionConfig(v.provider, v.authMethod, v.config);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom' } as never);
  });
export type CreateConnectionInput = z.infer<typeof createConnectionInput>;

/**
 * On update, `config` (when given) is the whole non-secret config as the form shows it;
 * secret fields left out or empty keep their stored values.
 */
export const updateConnectionInput = z
  .object({
    id: entityId,
    name: displayName.optional(),
    authMethod: z.string().min(1).optional(),
    scope: z.enum(connectionScopes).optional(),
    projectIds: z.array(entityId).max(1000).optional(),
    config: configInput.optional(),
  })
  .superRefine(checkScope);
export type UpdateConnectionInput = z.infer<typeof updateConnectionInput>;

/** Test a saved connection (`id`), an unsaved one (`provider` + …), or a saved one with edits. */
export const testConnectionInput = z
  .object({
    id: entityId.optional(),
    provider: z.enum(providerIds).optional(),
    authMethod: z.string().min(1).optional(),
    config: configInput.optional(),
  })
  .refine((v) => v.id !== undefined || (v.provider !== undefined && v.authMethod !== undefined && v.config !== undefined), {
    message: 'Give the id of a saved connection, or provider, authMethod and config',
  });
export type TestConnectionInput = z.infer<typeof testConnectionInput>;

export const listConnectionsInput = z.object({ projectId: entityId.optional() }).optional();
export const connectionIdInput = z.object({ id: entityId });

/** A write-only field as clients see it. */
export interface SecretFieldState {
  set: boolean;
}

/**
 * The latest connection check, from the cache: no provider call per row on every page load.
 * `undecryptable` is not a check: the stored config does not open on this server (its key
 * version is not in the key ring, or the stored data was damaged), so the connection cannot
 * be used until the key is restored or its credentials are entered again.
 */
export type ConnectionStatus =
  | { state: 'connected'; checkedAt: string }
  | { state: 'failed'; code: SecretManagerErrorCode; message: string; checkedAt: string }
  | { state: 'undecryptable'; reason: 'missing-key' | 'corrupted'; message: string; hint: string }
  | { state: 'unknown' };

export interface ConnectionDto {
  id: string;
  name: string;
  provider: ProviderId;
  authMethod: string;
  scope: ConnectionScope;
  /** In a project context, only that project: other projects' names are not the caller's business. */
  projects: { id: string; name: string }[];
  /** Whether the caller may edit, test, clear or delete it (an admin of the platform, or of its only project). */
  canManage: boolean;
  /** Non-secret fields as stored; secret fields as `{ set }` (empty unless `canManage`). */
  config: Record<string, unknown>;
  status: ConnectionStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface TestResult {
  ok: true;
  identity?: string;
  details?: Record<string, unknown>;
}
