import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { SecretManagerErrorCode } from '../../shared/errors.ts';
import { AppError, SecretManagerError } from '../errors.ts';
import { ValidationError } from '../services/validation-error.ts';

/**
 * Provider outcomes are not the caller's auth problems: a provider's 401/403 must not
 * look like our own 401/403, or clients would think their session expired.
 */
const trpcCodeOf: Record<SecretManagerErrorCode, TRPC_ERROR_CODE_KEY> = {
  CONNECTION_FAILED: 'BAD_GATEWAY',
  PROVIDER_ERROR: 'BAD_GATEWAY',
  AUTHENTICATION_FAILED: 'UNPROCESSABLE_CONTENT',
  PERMISSION_DENIED: 'UNPROCESSABLE_CONTENT',
  SECRET_NOT_FOUND: 'UNPROCESSABLE_CONTENT',
  KEY_NOT_FOUND: 'UNPROCESSABLE_CONTENT',
  INVALID_PATH: 'BAD_REQUEST',
  DESTINATION_NOT_ALLOWED: 'BAD_REQUEST',
  CREDENTIALS_REQUIRED: 'BAD_REQUEST',
  // The call's own deadline passed waiting for providers: a gateway's timeout, which a client may retry.
  TIMEOUT: 'GATEWAY_TIMEOUT',
};

/** Turns our typed errors into tRPC errors; the original stays as `cause` for the formatter. */
export function toTRPCError(e: unknown): TRPCError | undefined {
  if (e instanceof TRPCError) return e;
  if (e instanceof SecretManagerError) return new TRPCError({ code: trpcCodeOf[e.code], message: e.message, cause: e });
  if (e instanceof AppError) return new TRPCError({ code: e.kind, message: e.message, cause: e });
  if (e instanceof ValidationError) return new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
  return undefined;
}
