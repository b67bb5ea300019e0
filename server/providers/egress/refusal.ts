/**
 * The one error a refused destination produces, whatever the SDK wraps it in: a Node-style
 * `code` for the SDKs that keep it, and a fixed sentence for those that rebuild errors from
 * messages (MSAL, gRPC status details). It names no address: the answer is the same whether
 * the name resolved to loopback or to a private network, and whether a port was open.
 */
import { SecretManagerError } from '../../errors.ts';

export const DESTINATION_REFUSED_CODE = 'ERR_SM_DESTINATION_NOT_ALLOWED';
const MARKER = 'destination not allowed by the egress policy';

export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
  readonly code = DESTINATION_REFUSED_CODE;

  constructor() {
    super(MARKER);
  }
}

/** Whether `error`, or anything it wraps, is a refusal of the egress guard. */
export function isDestinationRefusal(error: unknown, depth = 0): boolean {
  if (depth > 8 || typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; details?: unknown; cause?: unknown; errors?: unknown; errorMessage?: unknown };
  if (e.code === DESTINATION_REFUSED_CODE) return true;
  for (const text of [e.message, e.details, e.errorMessage]) if (typeof text === 'string' && text.includes(MARKER)) return true;
  const nested = [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return nested.some((inner) => isDestinationRefusal(inner, depth + 1));
}

/** The user-facing refusal; `where` names what the admin configured (never the resolved address). */
export function destinationNotAllowed(where: string): SecretManagerError {
  return new SecretManagerError('DESTINATION_NOT_ALLOWED', `This server does not connect to ${where}: the address is not one its operator allows for secret managers.`);
}

/** A 3xx answer: following it would send the request, and its credentials, somewhere the admin did not enter. */
export function redirectNotFollowed(where: string, status: number): SecretManagerError {
  return new SecretManagerError(
    'DESTINATION_NOT_ALLOWED',
    `${where} answered with a redirect (HTTP ${status}). Redirects are not followed, so that credentials only go where they were entered.`,
    { hint: 'Enter the final address of the secret manager (the one the redirect points to), with its credentials.' },
  );
}
