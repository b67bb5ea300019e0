/** The public contract of the AWS emulator; other test suites code against these names. */

export interface AwsEmulatorOptions {
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The only region requests may be signed for. Default us-east-1. */
  region?: string;
  /** Default 123456789012. */
  accountId?: string;
}

/**
 * One IAM-like policy statement. Actions are IAM action names with globs
 * (`secretsmanager:GetSecretValue`, `secretsmanager:*`); resources are secret-name or
 * secret-ARN globs (default `*`). ListSecrets, like in IAM, is authorised on resource `*`.
 * An explicit Deny wins over any Allow; nothing allowed is denied.
 */
export interface AwsPolicyStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources?: string[];
}

export interface AwsAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** The principal the key belongs to: `arn:aws:iam::ACCOUNT:user/NAME`. */
  arn: string;
}

export interface AwsSessionCredentials extends AwsAccessKey {
  sessionToken: string;
  expiration: Date;
}

export interface AwsRoleOptions {
  /** Principal ARNs (users or assumed roles) the trust policy lets assume the role; `*` for any. */
  trustedPrincipals: string[];
  /** The sts:ExternalId condition of the trust policy, when it has one. */
  externalId?: string;
  policy: AwsPolicyStatement[];
  /** Lifetime of the credentials AssumeRole issues, overriding DurationSeconds (tests of renewal). */
  credentialLifetimeSeconds?: number;
}

export type SecretContent = string | Uint8Array;

export interface SecretWriteOptions {
  /** The version id (ClientRequestToken); a random UUID by default. */
  versionId?: string;
  /** Default [AWSCURRENT]. */
  stages?: string[];
}

export interface AwsFaults {
  /** Delays every answer by this many milliseconds. */
  latencyMs: number;
  /** Answers the next N requests with `status5xx`, which the SDK retries. */
  failNextRequests: number;
  /** 500 (InternalServiceError) by default; 503 answers ServiceUnavailable. */
  status5xx: number;
  /** Answers the next N requests with HTTP 400 ThrottlingException, which the SDK retries. */
  throttleNextRequests: number;
  /** Destroys every socket as soon as a request arrives. */
  dropConnections: boolean;
}

export interface AwsStats {
  requests: number;
  /** Keyed by IAM action name, e.g. `secretsmanager:GetSecretValue`, `sts:AssumeRole`. */
  byOperation: Record<string, number>;
  reset(): void;
}

export interface AwsEmulator {
  /** http://127.0.0.1:PORT — both Secrets Manager and STS. */
  url: string;
  region: string;
  accountId: string;
  faults: AwsFaults;
  stats: AwsStats;
  /** Creates an IAM user with one access key and an inline policy (none: allowed nothing). */
  createUser(name: string, policy?: AwsPolicyStatement[]): AwsAccessKey;
  setUserPolicy(name: string, policy: AwsPolicyStatement[]): void;
  /** Temporary credentials for a user, as sts:GetSessionToken issues them. */
  issueSessionCredentials(userName: string, options?: { ttlSeconds?: number }): AwsSessionCredentials;
  /** Returns the role ARN. */
  createRole(name: string, options: AwsRoleOptions): string;
  /** Returns the secret's ARN (name plus AWS's random 6-character suffix) and first version id. */
  createSecret(name: string, value: SecretContent, options?: SecretWriteOptions): { arn: string; versionId: string };
  /** A new version; with the default stages it becomes AWSCURRENT and the old current AWSPREVIOUS. */
  putSecretValue(name: string, value: SecretContent, options?: SecretWriteOptions): string;
  close(): Promise<void>;
}
