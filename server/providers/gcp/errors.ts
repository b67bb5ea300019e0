/**
 * Every failure of the GCP adapter becomes a SecretManagerError here, in one place.
 * The client surfaces, over gRPC, a ServiceError/GoogleError with a numeric status `code`
 * (0–16) and `details` (retries exhausted: DEADLINE_EXCEEDED naming the last error), and
 * over REST a GaxiosError whose `code` is the HTTP status and whose message is Google's
 * JSON error body, or a Node network code when no answer came.
 * https://cloud.google.com/secret-manager/docs/reference/rpc/google.rpc#google.rpc.Code
 * https://cloud.google.com/apis/design/errors#http_mapping
 */
import { Status } from 'google-gax';
import type { SecretManagerErrorCode } from '../../../shared/errors.ts';
import type { GcpConfig } from '../../../shared/providers/gcp.ts';
import { redact, SecretManagerError } from '../../errors.ts';
import { destinationNotAllowed, isDestinationRefusal, redirectNotFollowed } from '../egress/refusal.ts';
import { DeadlineExceededError } from '../retry.ts';

/** What the adapter was doing: the same status means different things for each. */
export type GcpOperation =
  /** `secret` as the path named it; `version` when pinned. */
  | { kind: 'read'; secret: string; version?: string }
  | { kind: 'list'; parent: string }
  /** The connection test outside its own calls (finding the project, the budget). */
  | { kind: 'check' };

export type GcpErrorMapper = (error: unknown, operation: GcpOperation) => SecretManagerError;

/** One failure in gRPC terms, whichever transport carried it. */
interface Failure {
  code: Status;
  message: string;
  /** A Node network error code (REST) when no answer came. */
  network?: string;
}

const HTTP_TO_GRPC: Record<number, Status> = {
  400: Status.INVALID_ARGUMENT,
  401: Status.UNAUTHENTICATED,
  403: Status.PERMISSION_DENIED,
  404: Status.NOT_FOUND,
  409: Status.ABORTED,
  429: Status.RESOURCE_EXHAUSTED,
  499: Status.CANCELLED,
  500: Status.INTERNAL,
  501: Status.UNIMPLEMENTED,
  502: Status.UNAVAILABLE,
  503: Status.UNAVAILABLE,
  504: Status.DEADLINE_EXCEEDED,
};

/** Status codes the client's retry treats as transient: gRPC codes and, for REST (where `code` is the HTTP status), their HTTP equivalents. */
export const TRANSIENT_CODES = [Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED, 503, 429];

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

const firstLine = (text: string) => text.split('\n')[0]!.slice(0, 500);

/** Google's `{"error": {"message", "status"}}`, which gaxios puts in the message of a REST error. */
function restBody(message: string): { message?: string; status?: string } {
  try {
    const error = field(JSON.parse(message), 'error');
    const text = field(error, 'message');
    const status = field(error, 'status');
    return { ...(typeof text === 'string' && { message: text }), ...(typeof status === 'string' && { status }) };
  } catch {
    return {};
  }
}

/** Failures of the client's own signing (gRPC wraps them in its metadata-plugin words): nothing was sent. */
const LOCAL_CREDENTIAL_PROBLEM = /^Getting metadata from plugin failed with error: |Could not load the default credentials|DECODER routines/;

function classify(error: unknown): Failure {
  const code = field(error, 'code');
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string') return { code: Status.UNAVAILABLE, message: firstLine(message), network: code };
  if (typeof code === 'number' && code >= 100) {
    const body = restBody(message);
    const named = body.status !== undefined ? Status[body.status as keyof typeof Status] : undefined;
    return { code: named ?? HTTP_TO_GRPC[code] ?? Status.UNKNOWN, message: body.message ?? `HTTP ${code}` };
  }
  if (typeof code === 'number') {
    const details = field(error, 'details');
    return { code, message: firstLine(typeof details === 'string' && details !== '' ? details : message.replace(/^\d+ [A-Z_]+: /, '')) };
  }
  // No code: the auth library failed before anything was sent (REST; gRPC wraps these itself).
  if (LOCAL_CREDENTIAL_PROBLEM.test(message)) return { code: Status.UNAUTHENTICATED, message: firstLine(message) };
  return { code: Status.UNKNOWN, message: firstLine(message) };
}

/**
 * The failure under the wrappers: gax's retry summary ("Total timeout … retrying error
 * Error: 14 UNAVAILABLE: …"), grpc-js's "No connection established. Last error: …", and
 * node-fetch's "request to URL failed, reason: …".
 */
function rootCause(message: string): string {
  const text = message.replace(/\s+before any response was received.*$| : Previous errors.*$/, '');
  const inner =
    /Last error: (?:Error: )?(.+?)(?: \(\d{4}-\d\d-\d\d[^)]*\))?(?:\. Resolution note.*)?$/.exec(text)?.[1] ??
    /retrying error (?:Error: )?(?:\d+ [A-Z_]+: )?(.+)$/.exec(text)?.[1] ??
    /failed, reason: (.+)$/.exec(text)?.[1];
  const cause = (inner ?? text).trim();
  return restBody(cause).message ?? cause;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Node and OpenSSL words for a certificate the client did not accept. */
const TLS_PROBLEM = /certificate|CERT_|SSL routines|wrong version number|EPROTO|self[- ]signed|UNABLE_TO_VERIFY|altnames/i;

/** Why no answer came, from a network code or from the text gRPC gives (retry summaries included), if it says. */
function connectionProblem(failure: Failure, where: string): { message: string; hint?: string } | undefined {
  const cause = rootCause(failure.message);
  const text = `${failure.network ?? ''} ${cause}`;
  if (/ECONNREFUSED/.test(text)) return { message: `${where} refused the connection: nothing is listening on that address and port.` };
  if (/ENOTFOUND|EAI_AGAIN|Name resolution failed|DNS resolution failed/.test(text)) return { message: `The host name of ${where} could not be resolved.` };
  if (/ECONNRESET|EPIPE|disconnected|Connection dropped|Connection closed|socket hang up|GOAWAY/i.test(text)) {
    return { message: `${where} closed the connection without answering.` };
  }
  if (TLS_PROBLEM.test(text)) {
    return {
      message: `The TLS connection to ${where} failed: ${cause}`,
      hint: "If the API endpoint's certificate is signed by a private CA, paste that CA certificate (PEM) in the connection's advanced settings, and check that the endpoint's host name is in the certificate.",
    };
  }
  return undefined;
}

/**
 * Builds the mapper for one connection. `credentials` (the key file and its private key)
 * are redacted from every message, whatever Google or Node put in it.
 */
export function createGcpErrorMapper(scope: {
  where: string;
  /** How messages name the caller, e.g. `service account reader@p.iam.gserviceaccount.com`. */
  identity: string;
  authMethod: GcpConfig['authMethod'];
  budgetMs: number;
  credentials: readonly string[];
}): GcpErrorMapper {
  const { where, identity } = scope;
  const withKey = scope.authMethod === 'serviceAccountKey';
  const seconds = Math.round(scope.budgetMs / 100) / 10;
  const fail = (code: SecretManagerErrorCode, message: string, hint?: string) =>
    new SecretManagerError(code, redact(message, scope.credentials), hint === undefined ? {} : { hint: redact(hint, scope.credentials) });

  return (error, operation) => {
    if (error instanceof SecretManagerError) return error;
    if (error instanceof DeadlineExceededError) return fail('CONNECTION_FAILED', `${where} did not answer within ${seconds} s.`);
    if (isDestinationRefusal(error)) return destinationNotAllowed(where);
    const httpStatus = field(error, 'code');
    if (typeof httpStatus === 'number' && httpStatus >= 300 && httpStatus < 400) return redirectNotFollowed(where, httpStatus);
    const failure = classify(error);
    const said = failure.message;

    switch (failure.code) {
      case Status.UNAVAILABLE:
      case Status.DEADLINE_EXCEEDED:
      case Status.CANCELLED: {
        const problem = connectionProblem(failure, where);
        if (problem) return fail('CONNECTION_FAILED', problem.message, problem.hint);
        if (failure.code === Status.UNAVAILABLE) return fail('CONNECTION_FAILED', `${where} is unavailable: ${rootCause(said)}`);
        if (/retrying error/.test(said)) return fail('CONNECTION_FAILED', `${where} was still failing after retries for ${seconds} s: ${rootCause(said)}`);
        return fail('CONNECTION_FAILED', `${where} did not answer within ${seconds} s.`);
      }
      case Status.UNAUTHENTICATED:
        if (LOCAL_CREDENTIAL_PROBLEM.test(said)) {
          return fail(
            'AUTHENTICATION_FAILED',
            `No credentials could be made for ${identity}: ${said.replace(LOCAL_CREDENTIAL_PROBLEM, '')}`,
            withKey
              ? 'Paste the service account key file again: its private key could not be used.'
              : 'Give the server application default credentials (GOOGLE_APPLICATION_CREDENTIALS, or run it on Google Cloud with a service account), or use a service account key.',
          );
        }
        return fail(
          'AUTHENTICATION_FAILED',
          `Google did not accept the credentials of ${identity}: ${said}`,
          withKey
            ? 'Check that the key still exists and is enabled (IAM → Service accounts → Keys), that the service account is not disabled, and that the server clock is right (signed requests expire).'
            : "Check the server's application default credentials: that the service account or user behind them still exists and is enabled.",
        );
      case Status.PERMISSION_DENIED:
        // Also what Google answers when the API is off in the project; then its message is the useful part.
        if (/SERVICE_DISABLED|has not been used in project|is disabled/i.test(said)) {
          return fail('PROVIDER_ERROR', `The Secret Manager API is not enabled for this project: ${said}`, 'Enable secretmanager.googleapis.com in the project (APIs & Services), wait a few minutes, and test again.');
        }
        if (operation.kind === 'list') {
          return fail(
            'PERMISSION_DENIED',
            `${capitalised(identity)} may not list the secrets in ${operation.parent}, so browsing is not available: type the secret name instead.`,
            'To enable browsing, grant roles/secretmanager.viewer (secretmanager.secrets.list) on the project.',
          );
        }
        if (operation.kind === 'check') break;
        return fail(
          'PERMISSION_DENIED',
          `${capitalised(identity)} may not read secret "${operation.secret}" (secretmanager.versions.access).`,
          'Grant roles/secretmanager.secretAccessor on the secret or its project. Google gives the same answer for a secret that does not exist when the account may not see the project.',
        );
      case Status.NOT_FOUND:
        if (operation.kind !== 'read') return fail('PROVIDER_ERROR', `${where} found no such project or location: ${said}`);
        return fail(
          'SECRET_NOT_FOUND',
          operation.version === undefined
            ? `There is no secret "${operation.secret}", or it has no enabled version.`
            : `Version ${operation.version} of secret "${operation.secret}" does not exist.`,
        );
      case Status.FAILED_PRECONDITION: {
        const state = /is in ([A-Z_]+) state/.exec(said)?.[1];
        if (operation.kind === 'read' && state) {
          return fail('SECRET_NOT_FOUND', `Version ${operation.version ?? 'latest'} of secret "${operation.secret}" is ${state.toLowerCase()}.`, 'Enable the version in Secret Manager, or pin another version with @N.');
        }
        break;
      }
      case Status.INVALID_ARGUMENT:
        if (operation.kind === 'read') return fail('INVALID_PATH', `${where} did not accept the secret name "${operation.secret}": ${said}`);
        break;
      case Status.RESOURCE_EXHAUSTED:
        return fail('PROVIDER_ERROR', `${where} refused the request for now (quota exhausted): ${said}`, 'Try again later, or ask for a higher Secret Manager quota for the project.');
      case Status.UNIMPLEMENTED:
        return fail('PROVIDER_ERROR', `${where} does not implement this call (is the API endpoint a Secret Manager endpoint?): ${said}`);
    }
    return fail('PROVIDER_ERROR', `${where} answered ${Status[failure.code] ?? failure.code}: ${said}`);
  };
}
