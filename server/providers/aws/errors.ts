/**
 * Every failure of the AWS adapter becomes a SecretManagerError here, in one place.
 * The SDK surfaces: service errors named after the `__type` / `<Code>` the service
 * answered (with `$metadata.httpStatusCode`); our `UnreadableErrorResponse` for error
 * answers that are not JSON (moto's XML 403s, a proxy's HTML); credential-chain errors;
 * and Node network errors (`code`) when no answer came.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
 */
import { awsVersionKind } from '../../../shared/providers/aws.ts';
import { errorCodeInfo, type SecretManagerErrorCode } from '../../../shared/errors.ts';
import { redact, SecretManagerError } from '../../errors.ts';
import { destinationNotAllowed, isDestinationRefusal, redirectNotFollowed } from '../egress/refusal.ts';
import { DeadlineExceededError } from '../retry.ts';

/** What the adapter was doing: the same answer means different things for each. */
export type AwsOperation =
  | { kind: 'check' }
  | { kind: 'read'; secret: string; version?: string }
  | { kind: 'list' }
  | { kind: 'assumeRole'; roleArn: string };

export type AwsErrorMapper = (error: unknown, operation: AwsOperation) => SecretManagerError;

/** Codes meaning the signature, key or token was not accepted (JSON and Query protocol spellings). */
const AUTHENTICATION_CODES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
  'AuthFailure',
  'RequestExpired',
]);

const DENIAL_CODES = new Set(['AccessDeniedException', 'AccessDenied']);

const THROTTLING_CODES = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded']);

const TLS_CODE = /CERT|SSL|TLS|EPROTO|ERR_OSSL/;

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** The HTTP status AWS answered with, when it answered. */
export function awsStatus(error: unknown): number | undefined {
  const status = field(field(error, '$metadata'), 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

function networkCode(error: unknown): string | undefined {
  const code = field(error, 'code') ?? field(field(error, 'cause'), 'code');
  return typeof code === 'string' ? code : undefined;
}

/** An IAM denial answered by AWS itself (not any 403, which a proxy may send too). */
export function isAccessDenied(error: unknown): boolean {
  return DENIAL_CODES.has(nameOf(error));
}

const nameOf = (error: unknown) => String(field(error, 'name') ?? '');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 500);

function versionWords(version: string): string {
  return awsVersionKind(version) === 'versionId' ? `version id ${version}` : `staging label ${version}`;
}

/**
 * Builds the mapper for one connection. `credentials` (which grows when temporary
 * credentials are issued) are redacted from every message, whatever AWS or Node put in it.
 */
export function createAwsErrorMapper(scope: { where: string; budgetMs: number; credentials: ReadonlySet<string> }): AwsErrorMapper {
  const seconds = Math.round(scope.budgetMs / 100) / 10;
  const fail = (code: SecretManagerErrorCode, message: string, hint?: string) => {
    const secrets = [...scope.credentials];
    return new SecretManagerError(code, redact(message, secrets), hint === undefined ? {} : { hint: redact(hint, secrets) });
  };

  function noAnswer(error: unknown): SecretManagerError {
    const code = networkCode(error) ?? '';
    const detail = messageOf(error);
    if (error instanceof DeadlineExceededError || nameOf(error) === 'AbortError' || code === 'ETIMEDOUT' || (code === '' && nameOf(error) === 'TimeoutError')) {
      return fail('CONNECTION_FAILED', `${scope.where} did not answer within ${seconds} s.`);
    }
    if (TLS_CODE.test(code)) {
      return fail(
        'CONNECTION_FAILED',
        `The TLS connection to ${scope.where} failed: ${detail} (${code}).`,
        'If the endpoint uses a certificate from a private CA, the server must trust that CA (NODE_EXTRA_CA_CERTS). Check that the endpoint uses https only if it serves TLS.',
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return fail('CONNECTION_FAILED', `The host name of ${scope.where} could not be resolved (${code}). Check the region and endpoint.`);
    if (code === 'ECONNREFUSED') return fail('CONNECTION_FAILED', `${scope.where} refused the connection: nothing is listening on that address and port.`);
    if (code === 'ECONNRESET' || code === 'EPIPE') return fail('CONNECTION_FAILED', `${scope.where} closed the connection without answering (${code}).`);
    if (code !== '') return fail('CONNECTION_FAILED', `Could not reach ${scope.where}: ${detail} (${code}).`);
    if (nameOf(error) === 'CredentialsProviderError') {
      return fail(
        'AUTHENTICATION_FAILED',
        `No AWS credentials were found for the server's own identity: ${detail}`,
        'Give the server AWS credentials (environment variables, a profile, or an instance, task or pod role), or use access keys in this connection.',
      );
    }
    return fail('PROVIDER_ERROR', `Unexpected failure talking to ${scope.where}: ${detail}`);
  }

  function authenticationFailed(operation: AwsOperation, name: string, said: string): SecretManagerError {
    if (name === 'RequestExpired' || said.includes('Signature expired')) {
      return fail('AUTHENTICATION_FAILED', `${scope.where} rejected the request signature as expired: ${said}`, "Check this server's clock: AWS accepts requests signed within 15 minutes of its own time.");
    }
    const what = name.startsWith('ExpiredToken') ? 'expired credentials' : 'the credentials';
    const via = operation.kind === 'assumeRole' ? ` of the identity that assumes ${operation.roleArn}` : '';
    return fail(
      'AUTHENTICATION_FAILED',
      `${scope.where} rejected ${what}${via} (${name}): ${said}`,
      'Check the access key ID and secret access key for typos, that the key is active, and that a session token is given (and current) for temporary keys (ASIA…).',
    );
  }

  function denied(operation: AwsOperation, said: string): SecretManagerError {
    switch (operation.kind) {
      case 'read':
        return fail(
          'PERMISSION_DENIED',
          `The IAM policy of this connection does not allow reading "${operation.secret}" (secretsmanager:GetSecretValue): ${said}`,
          'Allow secretsmanager:GetSecretValue on this secret, and kms:Decrypt on its key when it uses a customer managed KMS key.',
        );
      case 'list':
      case 'check':
        return fail(
          'PERMISSION_DENIED',
          `The IAM policy of this connection does not allow listing secrets (secretsmanager:ListSecrets), so browsing is not available: type the secret name instead. ${said}`,
          'To enable browsing, allow secretsmanager:ListSecrets on resource "*".',
        );
      case 'assumeRole':
        // The caller's keys were accepted, but the connection cannot become the role it is
        // configured for: its setup (role, external id, trust policy) is what is wrong.
        return fail(
          'AUTHENTICATION_FAILED',
          `STS refused to let this connection assume ${operation.roleArn}: ${said}`,
          "Check the role ARN and the external ID, and that the role's trust policy names the identity that assumes it (and allows sts:AssumeRole).",
        );
    }
  }

  function notFound(operation: AwsOperation, said: string): SecretManagerError | undefined {
    if (operation.kind !== 'read') return undefined;
    const { secret, version } = operation;
    // AWS names the missing version when the secret exists; some peers (moto) do not say which is missing.
    const message =
      version === undefined
        ? `There is no secret "${secret}" in ${scope.where}.`
        : said.includes('secret value for')
          ? `The secret "${secret}" has no version with ${versionWords(version)}.`
          : `Found no secret "${secret}" with ${versionWords(version)} in ${scope.where}.`;
    // `user@example.com` reads as secret "user" at stage "example.com", and secret "user" is what is missing.
    const readAsStage = version !== undefined && awsVersionKind(version) === 'stage' && !said.includes('secret value for');
    const hint = readAsStage ? `${errorCodeInfo.SECRET_NOT_FOUND.hint} A name that contains @ must be written with @AWSCURRENT at the end.` : undefined;
    return fail('SECRET_NOT_FOUND', message, hint);
  }

  return (error, operation) => {
    if (error instanceof SecretManagerError) return error;
    if (isDestinationRefusal(error)) return destinationNotAllowed(scope.where);
    const status = awsStatus(error);
    if (status === undefined) return noAnswer(error);
    if (status >= 300 && status < 400) return redirectNotFollowed(scope.where, status);
    const name = nameOf(error);
    const said = messageOf(error);

    if (AUTHENTICATION_CODES.has(name) || status === 401) return authenticationFailed(operation, name, said);
    if (DENIAL_CODES.has(name)) return denied(operation, said);
    if (name === 'ResourceNotFoundException') {
      const mapped = notFound(operation, said);
      if (mapped) return mapped;
    }
    if (name === 'DecryptionFailure' && operation.kind === 'read') {
      return fail(
        'PERMISSION_DENIED',
        `AWS could not decrypt "${operation.secret}" for this connection: ${said}`,
        'Allow kms:Decrypt on the KMS key that encrypts this secret.',
      );
    }
    if (name === 'InvalidRequestException' && operation.kind === 'read' && /marked for deletion/i.test(said)) {
      return fail('SECRET_NOT_FOUND', `The secret "${operation.secret}" is scheduled for deletion: ${said}`, 'Restore the secret in AWS to use it again.');
    }
    if ((name === 'InvalidParameterException' || name === 'ValidationException') && operation.kind === 'read') {
      return fail(
        'INVALID_PATH',
        `AWS rejected the secret path "${operation.secret}${operation.version ? `@${operation.version}` : ''}": ${said}`,
        'Use a secret name or ARN, optionally @version-id or @STAGE and #key, e.g. prod/database@AWSPREVIOUS#password.',
      );
    }
    if (THROTTLING_CODES.has(name) || status === 429) {
      return fail('PROVIDER_ERROR', `${scope.where} kept throttling the requests (${name || status}): ${said}`, 'Try again shortly; if it persists, raise the Secrets Manager request quota or reduce the read rate.');
    }
    if (status === 403) return denied(operation, said);
    if (status === 404) return notFound(operation, said) ?? fail('PROVIDER_ERROR', `${scope.where} answered HTTP 404: ${said}`);
    return fail('PROVIDER_ERROR', `${scope.where} answered HTTP ${status}${name ? ` ${name}` : ''}: ${said}`);
  };
}
