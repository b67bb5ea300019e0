import type { FieldDescription, PatternJson } from '../../shared/fields.ts';
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

/** What the form holds of an edit: the chosen method's fields and their values. */
export interface FormEdit {
  fields: FieldDescription[];
  values: FieldValues;
  authMethod: string;
}

/** The saved connection an edit starts from. */
export interface SavedConnection {
  authMethod: string;
  config: Record<string, unknown>;
}

/** What an edit does with the stored secrets, and the fields as it needs them. */
export interface SecretsOfEdit {
  /** The method's fields; a secret to type again is required. */
  fields: FieldDescription[];
  /** Stored secrets the server keeps when their field is left empty. */
  kept: Set<string>;
  /** Stored secrets the edit must carry again: it moves where they would go, or the server said so. */
  reenter: Set<string>;
}

/**
 * Stored credentials stay bound to where they were entered: an edit to another auth method,
 * or to a destination field (address, authority, namespace…) other than saved, must carry
 * them again. The server decides the same after normalising (spacing, defaults), so this
 * errs on the side of asking.
 */
export function secretsOfEdit(
  edit: FormEdit,
  saved: SavedConnection | undefined,
  storedSecrets: Set<string>,
  owedByServer: Set<string>,
): SecretsOfEdit {
  const moved = saved !== undefined && movesCredentials(edit, saved);
  const reenter = new Set(
    edit.fields.filter((f) => f.secret && (owedByServer.has(f.name) || (moved && storedSecrets.has(f.name)))).map((f) => f.name),
  );
  return {
    fields: edit.fields.map((f) => (reenter.has(f.name) ? { ...f, required: true } : f)),
    kept: new Set(moved ? [] : [...storedSecrets].filter((name) => !reenter.has(name))),
    reenter,
  };
}

function movesCredentials(edit: FormEdit, saved: SavedConnection): boolean {
  if (edit.authMethod !== saved.authMethod) return true;
  const before = valuesFromConfig(saved.config).values;
  const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value.trim() : (value ?? ''));
  return edit.fields.some((f) => f.destination && text(edit.values[f.name]) !== text(before[f.name]));
}

/**
 * The same rules as the server's zod schemas, from the field metadata (zod itself would
 * not fit the bundle budget): names, required fields, and each field's `constraints`
 * (lengths, formats, URLs, number ranges). The server still checks everything, including
 * the refinements no constraint carries, and its per-field messages land on the same fields.
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
    const problem = text
      ? constraintProblem(field, text)
      : field.required && !(field.secret && storedSecrets.has(field.name)) && msg.required(field.label);
    if (problem) errors[field.name] = problem;
  }
  return errors;
}

const matches = (pattern: PatternJson, text: string) => new RegExp(pattern.source, pattern.flags).test(text);

/** An absolute URL, as zod's z.url() parses it (WHATWG), whose scheme the schema allows. */
function isUrl(text: string, protocol: PatternJson | undefined): boolean {
  try {
    const scheme = new URL(text).protocol.slice(0, -1);
    return !protocol || matches(protocol, scheme);
  } catch {
    return false;
  }
}

/** The first rule of the field's schema that the trimmed, non-empty `text` breaks. */
function constraintProblem(field: FieldDescription, text: string): string | undefined {
  const c = field.constraints ?? {};
  if (field.kind === 'number') {
    const n = Number(text);
    if (!Number.isFinite(n)) return msg.notANumber;
    if (c.integer && !Number.isInteger(n)) return msg.notAWholeNumber;
    return n < (c.minimum ?? -Infinity) || n > (c.maximum ?? Infinity) ? msg.outOfRange(c.minimum, c.maximum) : undefined;
  }
  if (c.url) {
    if (!isUrl(text, c.url.protocol)) return msg.notAUrl(field.placeholder);
    // zod checks the rest of a URL as the parser read it: without tabs and line breaks.
    text = text.replace(/[\t\n\r]/g, '');
  }
  if (c.maxLength !== undefined && text.length > c.maxLength) return msg.tooLong(c.maxLength);
  if (c.minLength !== undefined && text.length < c.minLength) return msg.tooShort(c.minLength);
  if (c.patterns?.some((p) => !matches(p, text))) return msg.notInFormat(field.placeholder);
  return undefined;
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
