/**
 * Every failure of the Azure adapter becomes a SecretManagerError here, in one place.
 * Three sources: Key Vault answers (RestError with `statusCode`, `code` and the body in
 * `details`, https://learn.microsoft.com/rest/api/keyvault/#error-response), no answer
 * at all (RestError with a Node error `code` and no status, or an abort), and Entra ID
 * sign-in failures from @azure/identity (AuthenticationRequiredError whose message holds
 * the AADSTS code, CredentialUnavailableError, MSAL's codes such as `network_error`).
 */
import type { SecretManagerErrorCode } from '../../../shared/errors.ts';
import { redact, SecretManagerError } from '../../errors.ts';
import { DESTINATION_REFUSED_CODE, destinationNotAllowed, isDestinationRefusal, redirectNotFollowed } from '../egress/refusal.ts';
import { DeadlineExceededError } from '../retry.ts';
import type { AuthorityProbe } from './authority-probe.ts';

/** What the adapter was doing: the same status means different things for each. */
export type AzureOperation = { kind: 'list' } | { kind: 'read'; name: string; version?: string };

export type AzureErrorMapper = (error: unknown, operation: AzureOperation, probe?: AuthorityProbe) => SecretManagerError;

export interface AzureErrorScope {
  vaultUrl: string;
  authorityHost: string;
  authMethod: 'clientSecret' | 'clientCertificate' | 'managedIdentity';
  tenantId?: string;
  clientId?: string;
  budgetMs: number;
  credentials: readonly string[];
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
  details?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function restError(error: unknown): RestErrorLike | undefined {
  return error instanceof Error && error.name === 'RestError' ? (error as RestErrorLike) : undefined;
}

/** Key Vault's `innererror.code` (ForbiddenByRbac, SecretDisabled…), as the SDK deserialises it. */
function innerCode(details: unknown): string | undefined {
  const error = isRecord(details) ? details['error'] : undefined;
  const inner = isRecord(error) ? (error['innerError'] ?? error['innererror']) : undefined;
  return isRecord(inner) && typeof inner['code'] === 'string' ? inner['code'] : undefined;
}

/** The first line of a message, bounded. */
function firstLine(text: string): string {
  const line = text.split(/\r?\n/)[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * "AADSTS7000215: Invalid client secret provided." out of MSAL's "invalid_client: Error(s): …
 * Description: AADSTS7000215: Invalid client secret provided. Ensure … Trace ID: …": the code
 * and Entra's first sentence (the rest is advice and trace ids).
 */
function aadsts(message: string): { code: number; text: string } | undefined {
  const match = /AADSTS(\d+): (.*?\.)(?=\s|$)/.exec(message);
  return match ? { code: Number(match[1]), text: firstLine(`AADSTS${match[1]}: ${match[2]}`) } : undefined;
}

function capitalised(text: string): string {
  return `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

/** Whether MSAL could not read the authority's OpenID configuration (it does not say why: see authority-probe.ts). */
export function isAuthorityDiscoveryFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'CredentialUnavailableError' && error.message.includes('endpoints_resolution_error');
}

/** Node's TLS errors and OpenSSL's certificate verification codes (X509_V_ERR_* without the prefix). */
const TLS_CODE = /CERT|SSL|TLS|EPROTO|UNABLE_TO_|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED/;

const TLS_HINT =
  "If the server's certificate is signed by a private CA (or a TLS-inspecting proxy), paste that CA certificate (PEM) in the connection's advanced settings.";

export function createAzureErrorMapper(scope: AzureErrorScope): AzureErrorMapper {
  const vault = `Azure Key Vault at ${new URL(scope.vaultUrl).host}`;
  const authority = `the Entra ID authority at ${new URL(scope.authorityHost).host}`;
  const app = scope.clientId === undefined ? 'the managed identity' : `app ${scope.clientId}`;
  const seconds = Math.round(scope.budgetMs / 100) / 10;

  const fail = (code: SecretManagerErrorCode, message: string, hint?: string) =>
    new SecretManagerError(code, redact(capitalised(message), scope.credentials), hint === undefined ? {} : { hint: redact(hint, scope.credentials) });

  /** No answer from `where`: refused, unresolvable, reset, TLS. */
  function unreachable(where: string, code: string, detail: string): SecretManagerError {
    if (code === 'ECONNREFUSED') return fail('CONNECTION_FAILED', `${where} refused the connection: nothing is listening on that address and port.`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail('CONNECTION_FAILED', `The host name of ${where} could not be resolved (${code}).`);
    if (code === 'ECONNRESET' || code === 'EPIPE') return fail('CONNECTION_FAILED', `${where} closed the connection without answering (${code}).`);
    if (code === 'ETIMEDOUT') return fail('CONNECTION_FAILED', `${where} did not accept the connection in time (${code}).`);
    if (TLS_CODE.test(code)) return fail('CONNECTION_FAILED', `The TLS connection to ${where} failed: ${firstLine(detail)} (${code}).`, TLS_HINT);
    return fail('CONNECTION_FAILED', `Could not reach ${where}: ${firstLine(detail)}${code ? ` (${code})` : ''}.`);
  }

  function fromKeyVault(error: RestErrorLike, operation: AzureOperation): SecretManagerError {
    const status = error.statusCode!;
    if (status >= 300 && status < 400) return redirectNotFollowed(vault, status);
    const said = `${error.code ? `${error.code}: ` : ''}${firstLine(error.message)}`;
    const secret = operation.kind === 'read' ? `"${operation.name}"${operation.version ? ` (version ${operation.version})` : ''}` : '';
    if (status === 401) {
      return fail('AUTHENTICATION_FAILED', `${vault} did not accept the token of ${app}: ${said}`, 'Check that the tenant ID is the vault’s own directory.');
    }
    if (status === 403 && innerCode(error.details) === 'SecretDisabled') {
      return fail('PERMISSION_DENIED', `The secret ${secret} is disabled in ${vault}.`, 'Enable the secret (or pin an enabled version) in the Azure portal.');
    }
    if (status === 403) {
      return operation.kind === 'read'
        ? fail(
            'PERMISSION_DENIED',
            `${app} may not read the secret ${secret} in ${vault} (${error.code ?? 'Forbidden'}).`,
            'Assign the "Key Vault Secrets User" role on the secret or the vault (or, with access policies, grant Get on secrets).',
          )
        : fail(
            'PERMISSION_DENIED',
            `${app} may not list the secrets of ${vault}, so browsing is not available: type the secret name instead.`,
            'To enable browsing, assign a role that includes listing secrets, such as "Key Vault Secrets User" on the vault (or, with access policies, grant List on secrets).',
          );
    }
    if (status === 404 && error.code === 'SecretNotFound' && operation.kind === 'read') {
      return fail(
        'SECRET_NOT_FOUND',
        operation.version ? `Version ${operation.version} of the secret "${operation.name}" does not exist in ${vault}.` : `${vault} has no secret named "${operation.name}".`,
        'Check the secret name and the version (a 32-character id). Key Vault names are not case-sensitive.',
      );
    }
    if (status === 429) {
      return fail('PROVIDER_ERROR', `${vault} is throttling requests and still was after retries: ${said}`, 'Wait a little and try again; reads are cached, so this is rare in steady use.');
    }
    return fail('PROVIDER_ERROR', `${vault} answered HTTP ${status}: ${said}`);
  }

  function fromEntra(error: Error): SecretManagerError {
    const sts = aadsts(error.message);
    if (sts) {
      if (sts.code === 7000215 || sts.code === 7000222) {
        return fail(
          'AUTHENTICATION_FAILED',
          `Entra ID rejected the client secret of ${app}: ${sts.text}`,
          sts.code === 7000222
            ? 'The secret has expired: create a new one under Certificates & secrets of the app registration.'
            : "Paste the secret's Value (not its Secret ID) from Certificates & secrets of the app registration.",
        );
      }
      if (sts.code === 700016) {
        return fail('AUTHENTICATION_FAILED', `Entra ID does not know ${app} in tenant ${scope.tenantId}: ${sts.text}`, 'Check the application (client) ID and the directory (tenant) ID on the app registration’s Overview page.');
      }
      if (sts.code === 90002) {
        return fail('AUTHENTICATION_FAILED', `Entra ID has no tenant ${scope.tenantId}: ${sts.text}`, 'Check the directory (tenant) ID and the Cloud setting.');
      }
      if (scope.authMethod === 'clientCertificate') {
        return fail('AUTHENTICATION_FAILED', `Entra ID rejected the certificate of ${app}: ${sts.text}`, 'Upload this certificate (its public part) to the app registration, and check that it has not expired.');
      }
      return fail('AUTHENTICATION_FAILED', `Entra ID refused a token to ${app}: ${sts.text}`);
    }
    const otherTenant = /acquire tokens for tenant (\S+?)\.? /.exec(error.message);
    if (otherTenant) {
      return fail(
        'AUTHENTICATION_FAILED',
        `The vault belongs to directory (tenant) ${otherTenant[1]}, but this connection signs in to tenant ${scope.tenantId}.`,
        "Enter the vault's tenant ID (the app must be registered in that tenant).",
      );
    }
    if (error.message.includes('network_error')) return fail('CONNECTION_FAILED', `Could not reach ${authority} to get a token.`, TLS_HINT);
    if (scope.authMethod === 'managedIdentity') {
      return fail(
        'AUTHENTICATION_FAILED',
        `No managed identity token is available to this server: ${firstLine(error.message)}`,
        'Run the server on an Azure resource with a managed identity (and, for a user-assigned one, its client ID), and grant that identity access to the vault.',
      );
    }
    return fail('AUTHENTICATION_FAILED', `Could not get a token from ${authority}: ${firstLine(error.message)}`);
  }

  function fromProbe(probe: AuthorityProbe): SecretManagerError {
    switch (probe.kind) {
      case 'unreachable':
        return probe.code === DESTINATION_REFUSED_CODE ? destinationNotAllowed(authority) : unreachable(authority, probe.code, probe.detail);
      case 'unknownTenant':
        return fail('AUTHENTICATION_FAILED', `${authority} has no tenant ${scope.tenantId}: ${probe.text}`, 'Check the directory (tenant) ID and the Cloud setting.');
      case 'answered':
        if (probe.status >= 300 && probe.status < 400) return redirectNotFollowed(authority, probe.status);
        return fail(
          'AUTHENTICATION_FAILED',
          `${authority} did not give the OpenID configuration of tenant ${scope.tenantId} (HTTP ${probe.status}${probe.text ? `: ${probe.text}` : ''}).`,
          'Check the tenant ID, and that the authority host is an Entra ID endpoint.',
        );
      case 'unknown':
        return fail('CONNECTION_FAILED', `Could not read the OpenID configuration of tenant ${scope.tenantId} from ${authority}.`, 'Check the tenant ID and the authority host.');
    }
  }

  return (error, operation, probe) => {
    if (error instanceof SecretManagerError) return error;
    if (error instanceof DeadlineExceededError || (error instanceof Error && error.name === 'AbortError')) {
      return fail('CONNECTION_FAILED', `${vault} did not answer within ${seconds} s.`);
    }
    if (probe) return fromProbe(probe);
    const rest = restError(error);
    // Key Vault's own requests fail as RestErrors; the credential's (the authority's) as Entra errors.
    if (isDestinationRefusal(error)) return destinationNotAllowed(rest ? vault : authority);
    if (rest?.statusCode !== undefined) return fromKeyVault(rest, operation);
    if (rest) return unreachable(vault, rest.code ?? '', rest.message);
    if (error instanceof Error && /^(AuthenticationRequiredError|AuthenticationError|CredentialUnavailableError)$/.test(error.name)) {
      return fromEntra(error);
    }
    const detail = error instanceof Error ? error.message : String(error);
    return fail('PROVIDER_ERROR', `Unexpected failure talking to ${vault}: ${firstLine(detail)}`);
  };
}
