import type { z } from 'zod';
import { errorCodeInfo, type SecretManagerErrorCode } from '../shared/errors.ts';

/**
 * A failure a user can act on, in the taxonomy of DESIGN.md. The message is shown to
 * users, so it must never contain a credential or a secret value.
 */
export class SecretManagerError extends Error {
  override readonly name = 'SecretManagerError';
  readonly hint: string;
  /** The input fields the failure is about, each with its message: answered as `data.zodError`, so a form marks each one. */
  readonly zodError: z.ZodError | undefined;

  constructor(
    readonly code: SecretManagerErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; zodError?: z.ZodError } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint ?? errorCodeInfo[code].hint;
    this.zodError = options.zodError;
  }
}

/**
 * The failure as told to someone who may not manage the connection (a member, an engine, a
 * project admin looking at a platform connection): what failed, not where. The provider's
 * own words and hints name its address, vault or account; the taxonomy's title and hint do
 * not. A refused listing also says what to do instead, as the picker needs.
 */
export function withoutLocation(error: SecretManagerError, operation: 'read' | 'list'): SecretManagerError {
  const message =
    operation === 'list' && error.code === 'PERMISSION_DENIED'
      ? 'The policy of this connection does not allow listing here, so browsing is not available: type the full path instead.'
      : locationFreeMessage(error.code);
  return new SecretManagerError(error.code, message);
}

export const locationFreeMessage = (code: SecretManagerErrorCode) => `${errorCodeInfo[code].title}.`;

/** Application errors that are not about a provider: unknown ids, duplicates, bad scope. */
export type AppErrorKind = 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST' | 'FORBIDDEN' | 'UNAUTHORIZED' | 'SERVICE_UNAVAILABLE';

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly kind: AppErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Replaces every occurrence of the given credentials in a provider message. */
export function redact(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  }
  return out;
}
