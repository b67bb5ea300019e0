import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { SecretManagerErrorCode } from '../../shared/errors.ts';
import { isDatabaseUnavailable, isDataException } from '../db/errors.ts';
import { AppError, SecretManagerError } from '../errors.ts';
import { RateLimitedError } from '../http/rate-limits.ts';
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
  // The connection's stored state, not the request, is what fails: it stays so until someone fixes it.
  CONNECTION_UNDECRYPTABLE: 'CONFLICT',
  // The call's own deadline passed waiting for providers: a gateway's timeout, which a client may retry.
  TIMEOUT: 'GATEWAY_TIMEOUT',
  // Our own outage (the audit trail cannot be written), not the provider's: retry later, as for the database.
  AUDIT_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

/** What every unexpected failure answers: nothing of SQL, drivers, stacks or hosts reaches a client. */
export const INTERNAL_MESSAGE = 'Internal error';

/**
 * Any thrown value as the tRPC error to answer with, for tRPC and REST alike: our typed
 * errors by their code, a value the database refused as the client's mistake (a 400), and
 * anything else a bare 500. The original stays as `cause`, for the log.
 */
export function toTRPCError(e: unknown): TRPCError {
  if (e instanceof TRPCError) return e.code === 'INTERNAL_SERVER_ERROR' && e.cause !== undefined && !(e.cause instanceof TRPCError) ? toTRPCError(e.cause) : e;
  if (e instanceof SecretManagerError) return new TRPCError({ code: trpcCodeOf[e.code], message: e.message, cause: e });
  if (e instanceof AppError) return new TRPCError({ code: e.kind, message: e.message, cause: e });
  if (e instanceof ValidationError) return new TRPCError({ code: 'BAD_REQUEST', message: e.message, cause: e });
  if (e instanceof RateLimitedError) return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: e.message, cause: e });
  // An outage, not the caller's mistake; the driver's message (hosts, SQL) stays in the cause.
  if (isDatabaseUnavailable(e)) return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The database is not available right now; try again shortly.', cause: e });
  if (isDataException(e)) {
    // A value the database cannot take (a NUL character, say) that no edge schema caught: still the client's mistake.
    return new TRPCError({ code: 'BAD_REQUEST', message: 'The request contains a value that cannot be stored (for example a NUL character).', cause: e });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE, cause: e });
}

/** How long a caller should wait when a dependency (database, cache) is out: long enough not to hammer it, short enough to notice it is back. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** The seconds a refused caller should wait before asking again (429 and 503 answers). */
export function retryAfterSeconds(error: TRPCError): number | undefined {
  if (error.cause instanceof RateLimitedError) return error.cause.retryAfterSeconds;
  return error.code === 'SERVICE_UNAVAILABLE' ? UNAVAILABLE_RETRY_AFTER_SECONDS : undefined;
}
