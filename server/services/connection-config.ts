import { z } from 'zod';
import { parseConnectionConfig } from '../../shared/connections.ts';
import { describeFields, secretFieldNames } from '../../shared/fields.ts';
import { configSchemaFor, type ProviderId } from '../../shared/providers/index.ts';
import type { KeyRing, Sealed } from '../crypto/keyring.ts';
import type { ProviderConfig } from '../providers/registry.ts';

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
 * The config an edit asks for: the non-secret fields as sent (the form sends them all),
 * secret fields as sent or else as stored. Validated against the provider's schema.
 */
export function mergeConfigEdit(
  provider: ProviderId,
  stored: ProviderConfig,
  authMethod: string,
  incoming: Record<string, unknown> | undefined,
): { success: true; data: ProviderConfig } | { success: false; error: z.ZodError } {
  const { authMethod: _storedMethod, ...storedFields } = stored;
  const merged: Record<string, unknown> = { ...(incoming ?? storedFields) };
  const schema = configSchemaFor(provider, authMethod);
  for (const name of schema ? secretFieldNames(schema) : []) {
    if (!keepsStored(merged[name])) continue;
    if (storedFields[name] !== undefined) merged[name] = storedFields[name];
    else delete merged[name];
  }
  const parsed = parseConnectionConfig(provider, authMethod, merged);
  return parsed.success ? { success: true, data: { authMethod, ...parsed.data } } : parsed;
}
