import { parseConnectionConfig, type ConnectionStatus } from '../../shared/connections.ts';
import { errorCodeInfo } from '../../shared/errors.ts';
import { describeFields, secretFieldNames, type FieldDescription } from '../../shared/fields.ts';
import { configSchemaFor, type ProviderId } from '../../shared/providers/index.ts';
import type { KeyRing, Sealed } from '../crypto/keyring.ts';
import { locationFreeMessage, SecretManagerError } from '../errors.ts';
import type { ProviderConfig } from '../providers/registry.ts';
import { credentialsRequired, isOwed, movesCredentials, rebindingOf, type OwedBecause } from './credential-binding.ts';
import { ValidationError } from './validation-error.ts';

/** Binds a sealed config to its platform and row: a ciphertext copied elsewhere does not open. */
export const connectionAssociatedData = (platformId: string, connectionId: string) => `connection:${platformId}:${connectionId}`;

export function sealConfig(keyRing: KeyRing, platformId: string, connectionId: string, config: ProviderConfig): Sealed {
  return keyRing.seal(JSON.stringify(config), connectionAssociatedData(platformId, connectionId));
}

type SealedRow = { platformId: string; id: string; configCiphertext: string; keyVersion: number };

/**
 * A stored config this server cannot open: sealed under a key version its ring lacks (a key
 * removed before `rotate-keys` finished, or an instance with another ring), or stored data
 * that does not authenticate (damaged, or changed outside this service). The connection
 * stays listed and deletable; it cannot be used or tested until fixed.
 */
export class UndecryptableConfigError extends SecretManagerError {
  constructor(readonly unreadable: { reason: 'missing-key'; keyVersion: number } | { reason: 'corrupted' }) {
    super(
      'CONNECTION_UNDECRYPTABLE',
      unreadable.reason === 'missing-key'
        ? `The stored credentials of this connection are encrypted with key version ${unreadable.keyVersion}, which is not in this server's key ring.`
        : 'The stored credentials of this connection do not decrypt: the stored data was changed or damaged.',
      {
        hint:
          unreadable.reason === 'missing-key'
            ? `Add key version ${unreadable.keyVersion} back to SM_ENCRYPTION_KEYS on every instance (embedded: to the encryption-keys file in the data folder), then run \`secret-managers rotate-keys\` before removing any old key. Without that key, edit the connection and enter all of its credentials again.`
            : 'Restore the connection from a database backup, or edit it and enter all of its credentials again.',
      },
    );
  }
}

export type OpenedConfig = { ok: true; config: ProviderConfig } | { ok: false; error: UndecryptableConfigError };

/** The config of a row, or why it does not open: one broken row must not break a whole list. */
export function tryOpenConfig(keyRing: KeyRing, row: SealedRow): OpenedConfig {
  if (!keyRing.has(row.keyVersion)) return { ok: false, error: new UndecryptableConfigError({ reason: 'missing-key', keyVersion: row.keyVersion }) };
  try {
    const config: unknown = JSON.parse(keyRing.open({ keyVersion: row.keyVersion, ciphertext: row.configCiphertext }, connectionAssociatedData(row.platformId, row.id)));
    if (typeof config === 'object' && config !== null && typeof (config as { authMethod?: unknown }).authMethod === 'string') return { ok: true, config: config as ProviderConfig };
  } catch {
    // Does not authenticate, or is not the JSON this service seals: damaged either way.
  }
  return { ok: false, error: new UndecryptableConfigError({ reason: 'corrupted' }) };
}

/** The config of a row; throws UndecryptableConfigError (CONNECTION_UNDECRYPTABLE, 409) when it does not open. */
export function openConfig(keyRing: KeyRing, row: SealedRow): ProviderConfig {
  const opened = tryOpenConfig(keyRing, row);
  if (!opened.ok) throw opened.error;
  return opened.config;
}

/** How an undecryptable connection is listed: with what to do for those who manage it, in general words for others. */
export function undecryptableStatus(error: UndecryptableConfigError, manages: boolean): ConnectionStatus {
  const { reason } = error.unreadable;
  return manages
    ? { state: 'undecryptable', reason, message: error.message, hint: error.hint }
    : { state: 'undecryptable', reason, message: locationFreeMessage(error.code), hint: errorCodeInfo[error.code].hint };
}

/** The config as clients may see it: secret fields become `{ set }`. */
export function publicConfig(provider: ProviderId, config: ProviderConfig): Record<string, unknown> {
  const schema = configSchemaFor(provider, config.authMethod);
  if (!schema) return {};
  const out: Record<string, unknown> = {};
  for (const f of describeFields(schema)) {
    const value = config[f.name];
    if (f.secret) out[f.name] = { set: value !== undefined && value !== '' };
    else if (value !== undefined) out[f.name] = value;
  }
  return out;
}

/** A secret field the client left out, left empty, or echoed back as `{ set: … }` keeps its stored value. */
function keepsStored(value: unknown): boolean {
  return value === undefined || value === '' || (typeof value === 'object' && value !== null && 'set' in value);
}

/**
 * The config an edit asks for: the non-secret fields as sent (the form sends them all) or,
 * without a config, as stored; secret fields as sent or else as stored — unless the edit
 * moves where they go (credential-binding.ts), which makes it owe them all again. Validated
 * against the provider's schema; throws ValidationError or CREDENTIALS_REQUIRED.
 */
export function mergeConfigEdit(provider: ProviderId, stored: ProviderConfig, authMethod: string, incoming: Record<string, unknown> | undefined): ProviderConfig {
  const { authMethod: storedMethod, ...storedFields } = stored;
  const storedSchema = configSchemaFor(provider, storedMethod);
  const storedSecrets = new Set(storedSchema ? secretFieldNames(storedSchema) : []);
  const merged: Record<string, unknown> = incoming
    ? { ...incoming }
    : Object.fromEntries(Object.entries(storedFields).filter(([name]) => !storedSecrets.has(name)));

  const schema = configSchemaFor(provider, authMethod);
  const fields = schema ? describeFields(schema) : [];
  const rebinding = schema && rebindingOf(schema, fields, stored, { ...merged, authMethod });
  const owed: FieldDescription[] = [];
  for (const f of fields) {
    if (!f.secret || !keepsStored(merged[f.name])) continue;
    delete merged[f.name];
    if (rebinding) {
      if (isOwed(f, storedFields)) owed.push(f);
    } else if (storedFields[f.name] !== undefined) merged[f.name] = storedFields[f.name];
  }

  const parsed = parseConnectionConfig(provider, authMethod, merged);
  if (rebinding && owed.length > 0) throw credentialsRequired(owed, movesCredentials(rebinding), parsed.success ? [] : parsed.error.issues);
  if (!parsed.success) throw new ValidationError(parsed.error);
  return { authMethod, ...parsed.data };
}

const undecryptableOwes: OwedBecause = {
  message: 'The stored credentials of this connection cannot be decrypted, so none of them can be kept.',
  field: 'the stored value cannot be decrypted.',
  hint: 'An edit of a connection whose stored credentials cannot be decrypted must carry every credential again.',
};

/**
 * The config an edit of a connection whose stored config does not open asks for: nothing
 * stored can be kept, so the edit must carry a whole config, every required credential
 * included (CREDENTIALS_REQUIRED otherwise); an edit without a config cannot proceed.
 */
function replaceUndecryptable(provider: ProviderId, authMethod: string, incoming: Record<string, unknown> | undefined, error: UndecryptableConfigError): ProviderConfig {
  if (!incoming) throw error;
  const schema = configSchemaFor(provider, authMethod);
  const fields = schema ? describeFields(schema) : [];
  const given = Object.fromEntries(Object.entries(incoming).filter(([name, value]) => !(fields.some((f) => f.secret && f.name === name) && keepsStored(value))));
  const owed = fields.filter((f) => f.secret && f.required && given[f.name] === undefined);
  const parsed = parseConnectionConfig(provider, authMethod, given);
  if (owed.length > 0) throw credentialsRequired(owed, undecryptableOwes, parsed.success ? [] : parsed.error.issues);
  if (!parsed.success) throw new ValidationError(parsed.error);
  return { authMethod, ...parsed.data };
}

/** The config an edit of a saved connection asks for (see mergeConfigEdit), also when its stored config does not open. */
export function configAfterEdit(keyRing: KeyRing, row: SealedRow & { provider: string }, authMethod: string, incoming: Record<string, unknown> | undefined): ProviderConfig {
  const provider = row.provider as ProviderId;
  const stored = tryOpenConfig(keyRing, row);
  return stored.ok ? mergeConfigEdit(provider, stored.config, authMethod, incoming) : replaceUndecryptable(provider, authMethod, incoming, stored.error);
}
