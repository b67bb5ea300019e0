import type { FieldDescription } from '../../shared/fields.ts';
import { msg } from '../messages.ts';

/** What the form holds per provider field: text as typed (numbers too), booleans as booleans. */
export type FieldValues = Record<string, string | boolean>;

const NAME_MAX = 100;

const isStoredSecret = (value: unknown) => typeof value === 'object' && value !== null && (value as { set?: unknown }).set === true;

/** A saved connection's config as form values, and the secret fields the server keeps for us. */
export function valuesFromConfig(config: Record<string, unknown>): { values: FieldValues; storedSecrets: Set<string> } {
  const values: FieldValues = {};
  const storedSecrets = new Set<string>();
  for (const [name, value] of Object.entries(config)) {
    if (isStoredSecret(value)) storedSecrets.add(name);
    else if (typeof value === 'boolean') values[name] = value;
    else if (value !== null && value !== undefined) values[name] = String(value);
  }
  return { values, storedSecrets };
}

/**
 * The same rules as the server's zod schemas, from the field metadata (zod itself would
 * not fit the bundle budget): names, required fields, numbers. The server still checks
 * everything, and its per-field messages land on the same fields.
 */
export function validateName(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return msg.nameRequired;
  if (trimmed.length > NAME_MAX) return msg.nameTooLong;
  return undefined;
}

export function validateFields(fields: FieldDescription[], values: FieldValues, storedSecrets: Set<string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    const text = typeof value === 'string' ? value.trim() : '';
    if (field.kind === 'boolean') continue;
    if (!text) {
      if (field.required && !(field.secret && storedSecrets.has(field.name))) errors[field.name] = msg.required(field.label);
    } else if (field.kind === 'number' && !Number.isFinite(Number(text))) {
      errors[field.name] = msg.notANumber;
    }
  }
  return errors;
}

/**
 * The `config` to send: typed values of the method's fields. Empty fields are left out,
 * which on an edit keeps a stored secret (see `updateConnectionInput`).
 */
export function configFromValues(fields: FieldDescription[], values: FieldValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === 'boolean') {
      if (value === true) config[field.name] = true;
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '') continue;
    if (field.kind === 'number') config[field.name] = Number(value);
    else if (field.kind === 'select') config[field.name] = field.options?.find((o) => String(o.value) === value)?.value ?? value;
    else config[field.name] = value;
  }
  return config;
}
