/**
 * Every failure of the Vault adapter becomes a SecretManagerError here, in one place.
 * node-vault surfaces two kinds of failure: an answer with status ≥ 400 (its
 * ApiResponseError, `response.statusCode` and `response.body.errors`), or an axios
 * error with a Node `code` when no answer came (refused, DNS, TLS, timeout, reset).
 * https://developer.hashicorp.com/vault/api-docs#error-response
 */
import { redact, SecretManagerError } from '../../errors.ts';
import type { SecretManagerErrorCode } from '../../../shared/errors.ts';
import { destinationNotAllowed, isDestinationRefusal, redirectNotFollowed } from '../egress/refusal.ts';
import { DeadlineExceededError, isTransientNetworkCode, isTransientStatus } from '../retry.ts';

/** What the adapter was doing: the same status means different things for each. */
export type VaultOperation =
  | { kind: 'login'; method: 'approle' | 'kubernetes'; mount: string }
  /** lookup-self or renew-self: the token itself is being judged. */
  | { kind: 'token' }
  /** `path` as the user wrote it; `apiPath` the path a policy must grant. */
  | { kind: 'read'; path: string; apiPath: string; version?: string }
  | { kind: 'list'; path: string; apiPath: string }
  /** sys/internal/ui/mounts: discovering or listing the secrets engines. */
  | { kind: 'mounts' };

export type VaultErrorMapper = (error: unknown, operation: VaultOperation) => SecretManagerError;

interface ApiResponse {
  statusCode: number;
  body: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function apiResponse(error: unknown): ApiResponse | undefined {
  const response = isRecord(error) ? error['response'] : undefined;
  return isRecord(response) && typeof response['statusCode'] === 'number' ? (response as unknown as ApiResponse) : undefined;
}

/** The HTTP status Vault answered with, when it answered. */
export function vaultStatus(error: unknown): number | undefined {
  return apiResponse(error)?.statusCode;
}

function networkCode(error: unknown): string | undefined {
  const code = isRecord(error) ? error['code'] : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function isTransientVaultError(error: unknown): boolean {
  const status = vaultStatus(error);
  return status === undefined ? isTransientNetworkCode(networkCode(error)) : isTransientStatus(status);
}

/**
 * Vault's `errors` as one line. Newer servers wrap them as
 * "1 error occurred:\n\t* permission denied\n\n"; a proxy may answer HTML instead.
 */
function vaultText(body: unknown): string {
  const errors = isRecord(body) && Array.isArray(body['errors']) ? body['errors'] : [];
  const text = errors
    .filter((e): e is string => typeof e === 'string')
    .join('\n')
    .replace(/\d+ errors? occurred:/g, '')
    .split(/\n\t\* |\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** KV v2 answers a deleted or destroyed version with 404 and that version's metadata. */
function notFoundMessage(path: string, version: string | undefined, body: unknown): string {
  const data = isRecord(body) ? body['data'] : undefined;
  const metadata = isRecord(data) ? data['metadata'] : undefined;
  const removed = !isRecord(metadata)
    ? undefined
    : metadata['destroyed'] === true
      ? 'destroyed'
      : typeof metadata['deletion_time'] === 'string' && metadata['deletion_time'] !== ''
        ? 'deleted'
        : undefined;
  if (version === undefined) return removed ? `The latest version of "${path}" was ${removed}.` : `There is no secret at "${path}".`;
  return `Version ${version} of "${path}" ${removed ? `was ${removed}` : 'does not exist'}.`;
}

/** Node's TLS errors and OpenSSL's certificate verification codes (X509_V_ERR_* without the prefix). */
const TLS_CODE = /CERT|SSL|TLS|EPROTO|UNABLE_TO_|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED/;

const loginHints = {
  approle: 'Check the role ID and secret ID (secret IDs may expire or have a use limit) and the AppRole auth mount path.',
  kubernetes:
    'Check the role, that the service account token is current and allowed by the role (bound service account names and namespaces), and the Kubernetes auth mount path.',
};

/**
 * Builds the mapper for one connection. `credentials` are redacted from every message,
 * whatever Vault or Node put in it.
 */
export function createVaultErrorMapper(scope: {
  url: string;
  budgetMs: number;
  credentials: readonly (string | undefined)[];
}): VaultErrorMapper {
  const where = `Vault at ${displayUrl(scope.url)}`;
  const seconds = Math.round(scope.budgetMs / 100) / 10;

  const fail = (code: SecretManagerErrorCode, message: string, hint?: string) =>
    new SecretManagerError(code, redact(message, scope.credentials), hint === undefined ? {} : { hint: redact(hint, scope.credentials) });

  function noAnswer(error: unknown): SecretManagerError {
    if (isDestinationRefusal(error)) return destinationNotAllowed(where);
    const code = networkCode(error) ?? '';
    const detail = error instanceof Error ? error.message : String(error);
    if (error instanceof DeadlineExceededError || code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return fail('CONNECTION_FAILED', `${where} did not answer within ${seconds} s.`);
    }
    if (TLS_CODE.test(code)) {
      const tlsHint =
        "If Vault's certificate is signed by a private CA, paste that CA certificate (PEM) in the connection's advanced settings, and check that the host name of the address is in the certificate.";
      // OpenSSL's words when the other side answers in plain HTTP.
      if (/wrong version number/.test(detail)) {
        return fail('CONNECTION_FAILED', `The address uses https, but ${where} does not speak TLS there: use http:// or the TLS port.`, tlsHint);
      }
      return fail('CONNECTION_FAILED', `The TLS connection to ${where} failed: ${detail.split('\n')[0]} (${code}).`, tlsHint);
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return fail('CONNECTION_FAILED', `The host name of ${where} could not be resolved (${code}).`);
    }
    if (code === 'ECONNREFUSED') {
      return fail('CONNECTION_FAILED', `${where} refused the connection: nothing is listening on that address and port.`);
    }
    if (isTransientNetworkCode(code)) {
      return fail('CONNECTION_FAILED', `${where} closed the connection without answering (${code}).`);
    }
    if (code !== '') return fail('CONNECTION_FAILED', `Could not reach ${where}: ${detail} (${code}).`);
    return fail('PROVIDER_ERROR', `Unexpected failure talking to ${where}: ${detail}`);
  }

  return (error, operation) => {
    if (error instanceof SecretManagerError) return error;
    const response = apiResponse(error);
    if (!response) return noAnswer(error);
    const status = response.statusCode;
    if (status >= 300 && status < 400) return redirectNotFollowed(where, status);
    const text = vaultText(response.body);
    const said = text ? `: ${text}` : '';

    switch (operation.kind) {
      case 'login':
        if (status >= 400 && status < 500) {
          const label = operation.method === 'approle' ? 'AppRole' : 'Kubernetes';
          return fail('AUTHENTICATION_FAILED', `${where} rejected the ${label} login at auth/${operation.mount}${said}.`, loginHints[operation.method]);
        }
        break;
      case 'token':
        if (status === 400 || status === 401 || status === 403) {
          return fail(
            'AUTHENTICATION_FAILED',
            `${where} rejected the token, which is invalid, expired or revoked${said}.`,
            'Check the token, or issue a new one. A renewable token is renewed automatically while the connection is in use.',
          );
        }
        break;
      case 'read':
        if (status === 403) {
          return fail('PERMISSION_DENIED', `The Vault policy of this connection does not allow reading "${operation.path}".`, `Grant the read capability on ${operation.apiPath}.`);
        }
        if (status === 404) return fail('SECRET_NOT_FOUND', notFoundMessage(operation.path, operation.version, response.body));
        break;
      case 'list':
        if (status === 403) {
          return fail(
            'PERMISSION_DENIED',
            `The Vault policy of this connection does not allow listing "${operation.path}", so browsing is not available there: type the full path instead.`,
            `To enable browsing, grant the list capability on ${operation.apiPath}.`,
          );
        }
        // Vault answers 404 for a folder with nothing in it; the caller makes it an empty page.
        if (status === 404) return fail('SECRET_NOT_FOUND', `There is nothing at "${operation.path}".`);
        break;
      case 'mounts':
        if (status === 403) {
          return fail(
            'PERMISSION_DENIED',
            "This token may not list Vault's secrets engines (sys/internal/ui/mounts): type the mount and path, e.g. secret/app/database.",
            "Or state the KV mount in the connection's advanced settings.",
          );
        }
        break;
    }
    return fail('PROVIDER_ERROR', `${where} answered HTTP ${status}${said}.`);
  };
}

/** The address without any user:password part. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/$/, '')}`;
  } catch {
    return 'the configured address';
  }
}
