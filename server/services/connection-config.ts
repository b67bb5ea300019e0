import { parseConnectionConfig } from '../../shared/connections.ts';
import { describeFields, secretFieldNames, type FieldDescription } from '../../shared/fields.ts';
import { configSchemaFor, type ProviderId } from '../../shared/providers/index.ts';
import type { KeyRing, Sealed } from '../crypto/keyring.ts';
import type { ProviderConfig } from '../providers/registry.ts';
import { credentialsRequired, isOwed, rebindingOf } from './credential-binding.ts';
import { ValidationError } from './validation-error.ts';

/** Binds a sealed config to its platform and row: a ciphertext copied elsewhere does not open. */
export const connectionAssociatedData = (platformId: string, connectionId: string) => `connection:${platformId}:${connectionId}`;

export function sealConfig(keyRing: KeyRing, platformId: string, connectionId: string, config: ProviderConfig): Sealed {
  return keyRing.seal(JSON.stringify(config), connectionAssociatedData(platformId, connectionId));
}

export function openConfig(
  keyRing: KeyRing,
  row: { platformId: string; id: string; configCiphertext: string; keyVersion: number },
): ProviderConfig {
  return JSON.parse(
    keyRing.open({ keyVersion: row.keyVersion, ciphertext: row.configCiphertext }, connectionAssociatedData(row.platformId, row.id)),
  ) as ProviderConfig;
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
  if (rebinding && owed.length > 0) throw credentialsRequired(owed, rebinding, parsed.success ? [] : parsed.error.issues);
  if (!parsed.success) throw new ValidationError(parsed.error);
  return { authMethod, ...parsed.data };
}
