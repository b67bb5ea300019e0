/**
 * Errors as Google APIs send them: a gRPC status code and message, which the REST surface
 * turns into `{"error": {"code": HTTP, "message", "status": "NAME"}}`.
 * https://cloud.google.com/apis/design/errors#handling_errors
 */
import { status } from '@grpc/grpc-js';

export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

/** gRPC code → HTTP status, per google.rpc.Code. */
const httpStatusOf: Partial<Record<status, number>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.FAILED_PRECONDITION]: 400,
  [status.OUT_OF_RANGE]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.ABORTED]: 409,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.CANCELLED]: 499,
  [status.UNIMPLEMENTED]: 501,
  [status.UNAVAILABLE]: 503,
  [status.DEADLINE_EXCEEDED]: 504,
};

export function restError(error: RpcError): { httpStatus: number; body: unknown } {
  const httpStatus = httpStatusOf[error.code] ?? 500;
  return { httpStatus, body: { error: { code: httpStatus, message: error.message, status: status[error.code] } } };
}

export const UNAUTHENTICATED_MISSING =
  'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
export const UNAUTHENTICATED_INVALID =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
