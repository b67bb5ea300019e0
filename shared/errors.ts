/**
 * The closed error taxonomy of DESIGN.md. Every provider failure is mapped to one of
 * these codes, TIMEOUT is what a resolve call's own deadline leaves unresolved, and
 * AUDIT_UNAVAILABLE a resolve refused because its audit row could not be kept; clients
 * read it from `error.data.secretManagerCode`.
 */
export const secretManagerErrorCodes = [
  'CONNECTION_FAILED',
  'AUTHENTICATION_FAILED',
  'PERMISSION_DENIED',
  'SECRET_NOT_FOUND',
  'INVALID_PATH',
  'KEY_NOT_FOUND',
  'PROVIDER_ERROR',
  'DESTINATION_NOT_ALLOWED',
  'CREDENTIALS_REQUIRED',
  'CONNECTION_UNDECRYPTABLE',
  'TIMEOUT',
  'AUDIT_UNAVAILABLE',
] as const;

export type SecretManagerErrorCode = (typeof secretManagerErrorCodes)[number];

export interface ErrorCodeInfo {
  /** Short title a UI shows above the provider's message. */
  title: string;
  /** What the user can do about it. */
  hint: string;
}

export const errorCodeInfo = {
  CONNECTION_FAILED: {
    title: 'Could not reach the secret manager',
    hint: 'Check the address, that the service is running and reachable from this server (firewall, VPN, DNS), and its TLS certificate.',
  },
  AUTHENTICATION_FAILED: {
    title: 'The secret manager rejected the credentials',
    hint: 'Check the credentials for typos and that they have not expired or been revoked.',
  },
  PERMISSION_DENIED: {
    title: 'Permission denied',
    hint: 'The credentials are valid but their policy does not allow this operation. Grant read (and list, for browsing) on the secret path.',
  },
  SECRET_NOT_FOUND: {
    title: 'Secret not found',
    hint: 'Check the secret path and version. Names are case-sensitive.',
  },
  INVALID_PATH: {
    title: 'Invalid secret path',
    hint: 'Use the form <name-or-path>[@<version>][#<json.key>].',
  },
  KEY_NOT_FOUND: {
    title: 'Key not found in the secret',
    hint: 'The secret exists but has no such key. Check the part after #, dotted for nested keys.',
  },
  PROVIDER_ERROR: {
    title: 'The secret manager returned an error',
    hint: 'See the provider message for details.',
  },
  DESTINATION_NOT_ALLOWED: {
    title: 'This server does not connect to that address',
    hint: "This server reaches public addresses on their usual ports only; internal networks, other ports and redirects need the operator's permission (SM_PROVIDER_ALLOWED_NETWORKS).",
  },
  CREDENTIALS_REQUIRED: {
    title: 'Enter the credentials again',
    hint: 'The stored credentials are only sent where they were entered. After changing where the connection points, enter every credential again.',
  },
  CONNECTION_UNDECRYPTABLE: {
    title: 'The stored credentials cannot be decrypted',
    hint: 'This server cannot decrypt what is stored for this connection, so it cannot be used. An administrator can restore the encryption key it was saved with, or enter its credentials again.',
  },
  TIMEOUT: {
    title: 'Not resolved in time',
    hint: 'The call ran out of time (SM_RESOLVE_TIMEOUT_MS) before this reference resolved: a secret manager is slow or not answering. Try again, or resolve fewer references per call.',
  },
  AUDIT_UNAVAILABLE: {
    title: 'Secrets cannot be resolved right now',
    hint: 'This server cannot write its audit trail at the moment, and it hands out no secret unaudited. Try again shortly; resolving works again once the audit trail is written. If it persists, the operator should check that the database is available.',
  },
} as const satisfies Record<SecretManagerErrorCode, ErrorCodeInfo>;

export function isSecretManagerErrorCode(value: unknown): value is SecretManagerErrorCode {
  return typeof value === 'string' && (secretManagerErrorCodes as readonly string[]).includes(value);
}
